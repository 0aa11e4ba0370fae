"""The cache every process shares (CACHE_URL=redis://…): what one process writes, another
reads, and an edit in one clears what every other would show.

The two-process tests start a second Python process on the same settings, the same test
database and the same Redis cache (and key prefix) as this one, as a second gunicorn worker
would be.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from casedesk import cache_keys
from cases import insights, selectors
from tests.policies.test_guidance_views import EDIT, edit_url

ROOT = Path(__file__).resolve().parent.parent

# Reads one command a line and answers one line: "guidance <demeanour>" prints the card's
# headline as that process's case page would get it; "get <key>" prints whether the
# shared cache holds the key.
CHILD = """
import sys
import django

django.setup()
from django.core.cache import cache
from cases import selectors

for line in sys.stdin:
    command, _, argument = line.strip().partition(" ")
    if command == "guidance":
        card = selectors.guidance_for(argument)
        print(card.headline if card else "-", flush=True)
    elif command == "get":
        print("hit" if cache.get(argument) is not None else "miss", flush=True)
"""


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Other:
    """The second process."""

    def __init__(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "casedesk.test_settings",
            "DATABASE_URL": _database_url(),  # the test database, not the configured one
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str) -> str:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        # Generous: starting Django on a busy machine takes a few seconds.
        ready, _, _ = select.select([self.process.stdout], [], [], 120)
        assert ready, f"the other process did not answer {command!r}"
        return self.process.stdout.readline().strip()

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def other_process(transactional_db) -> Iterator[Other]:
    other = Other()
    yield other
    other.stop()


@pytest.mark.postgres
@pytest.mark.redis
def test_a_guidance_edit_in_one_process_shows_at_once_in_another(
    guidance, admin_user, signed_in, other_process, django_assert_num_queries
):
    before = guidance.get(demeanour="angry").headline
    assert other_process.ask("guidance angry") == before  # the other process caches it
    with django_assert_num_queries(0):  # …and this one reads that copy
        assert selectors.guidance_for("angry").headline == before

    response = signed_in(admin_user).post(edit_url("angry"), EDIT)
    assert response.status_code == 302

    # Within the cache's five minutes, the other process shows the edit straight away.
    assert other_process.ask("guidance angry") == EDIT["headline"]


@pytest.mark.postgres
@pytest.mark.redis
def test_insights_computed_in_one_process_are_shared_with_another(settings, team, other_process):
    settings.CASEDESK_INSIGHTS_CACHE_SECONDS = 60
    period = insights.Period.from_dates(date(2026, 11, 1), date(2026, 11, 30), [team.pk])
    key = cache_keys.insights(start=period.start, end=period.end, team_ids=period.team_ids)
    assert other_process.ask(f"get {key}") == "miss"
    insights.cached_insights(period)
    assert other_process.ask(f"get {key}") == "hit"
    # …for the minute the README promises, then gone (Redis keeps the time).
    client = cache._cache.get_client(write=False)
    assert 0 < client.ttl(cache.make_key(key)) <= 60


@pytest.mark.django_db
def test_the_case_list_caches_its_filter_form_under_the_named_key(settings, signed_in, staff):
    settings.CASEDESK_FILTER_FORM_CACHE_SECONDS = 60
    template = (ROOT / "templates/cases/case_list.html").read_text()
    assert f" {cache_keys.FILTER_FORM_FRAGMENT} " in template
    client = signed_in(staff)
    client.get(reverse("case_list"), {"status": "open"})
    assert cache.get(
        cache_keys.filter_form(user_id=staff.pk, query="status=open", language="en-gb")
    )
    assert (
        cache.get(cache_keys.filter_form(user_id=staff.pk, query="status=new", language="en-gb"))
        is None
    )
    # One per language: a person who switches language gets the form in the new one.
    assert (
        cache.get(cache_keys.filter_form(user_id=staff.pk, query="status=open", language="pl"))
        is None
    )
    client.get(reverse("case_list"), {"status": "open"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert cache.get(cache_keys.filter_form(user_id=staff.pk, query="status=open", language="pl"))


@pytest.mark.django_db
def test_the_case_list_keeps_its_bulk_assignees_and_asks_for_them_once(
    settings, signed_in, manager, staff
):
    """The "Assign to" options of a manager's bulk bar are kept with the filter form: the
    second view of the list shows the same people without asking the database again."""
    from django.test.utils import CaptureQueriesContext

    settings.CASEDESK_FILTER_FORM_CACHE_SECONDS = 60
    template = (ROOT / "templates/cases/case_list.html").read_text()
    assert f" {cache_keys.BULK_PEOPLE_FRAGMENT} " in template
    client = signed_in(manager)
    first = client.get(reverse("case_list")).content.decode()
    option = f'<option value="{staff.pk}">{staff}</option>'
    assert option in first
    assert option in cache.get(cache_keys.bulk_people(user_id=manager.pk))
    with CaptureQueriesContext(connection) as ctx:
        second = client.get(reverse("case_list"), {"status": "open"}).content.decode()
    assert option in second
    # assignable_people: active members of my teams, by first name, last name, username
    # (the filter form's own "assignee" dropdown orders by first name alone).
    by_name = '"cases_user"."first_name" ASC, "cases_user"."last_name" ASC'
    people = [q["sql"] for q in ctx.captured_queries if "DISTINCT" in q["sql"]]
    assert people and not [sql for sql in people if by_name in sql]
