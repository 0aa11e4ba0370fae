"""The case list keeps its rendered filter form for a while, per person and URL: what it
shows must still be right for that person and that URL."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached(settings):
    settings.CASEDESK_FILTER_FORM_CACHE_SECONDS = 60


def selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    found = re.search(r'<option value="([^"]*)" selected>', select)
    return found.group(1) if found else None


def team_options(html: str) -> set[str]:
    select = re.search(r'<select name="team".*?</select>', html, re.S).group(0)
    return set(re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select))


def test_each_url_shows_its_own_choices_and_typed_values(signed_in, staff, team, category):
    CaseFactory(team=team, category=category)
    client = signed_in(staff)
    url = reverse("case_list")
    assert selected(client.get(url).content.decode(), "status") == ""
    open_ = client.get(url, {"status": "open"}).content.decode()
    assert selected(open_, "status") == "open"
    assert selected(client.get(url, {"status": "new"}).content.decode(), "status") == "new"
    # A bad date comes back with its message, from the cache too.
    for _ in range(2):
        html = client.get(url, {"created_after": "2026-02-31"}).content.decode()
        assert 'value="2026-02-31"' in html and "Enter a valid date" in html


def test_the_same_url_is_not_shared_between_people_of_different_teams(
    signed_in, staff, team, other_team, other_team_staff, category
):
    url = reverse("case_list")
    mine = team_options(signed_in(staff).get(url).content.decode())
    theirs = team_options(signed_in(other_team_staff).get(url).content.decode())
    assert mine == {team.name} and theirs == {other_team.name}


def test_a_cached_form_saves_its_dropdown_queries(signed_in, staff, team, category):
    CaseFactory(team=team, category=category)
    client = signed_in(staff)
    url = reverse("case_list")
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert (
        len(second.captured_queries) == len(first.captured_queries) - 3
    )  # teams, people, categories


def test_the_cached_form_is_kept_per_language(signed_in, staff, team, category):
    """A person who switches language never gets the form cached in the other one."""
    from django.utils import translation

    CaseFactory(team=team, category=category)
    client = signed_in(staff)
    url = reverse("case_list")
    bad_date = {"created_after": "2026-02-31"}
    assert "Enter a valid date" in client.get(url, bad_date).content.decode()
    with translation.override("pl"):
        polish = client.get(url, bad_date, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Wpisz poprawną datę" in polish and "Enter a valid date" not in polish
