"""One search box: references, customers by name/email/phone, words in cases. Scoped."""

import importlib

import pytest
from django.urls import reverse

from cases import services
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def search(client, q):
    return client.get(reverse("search"), {"q": q})


def test_a_reference_goes_straight_to_the_case(signed_in, staff, case):
    response = search(signed_in(staff), case.reference.lower())
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()


def test_another_teams_reference_finds_nothing(signed_in, other_team_staff, case):
    response = search(signed_in(other_team_staff), case.reference)
    assert response.status_code == 200
    assert "Nothing found" in response.content.decode()


def test_finds_customer_by_email_in_any_case(signed_in, staff, customer):
    response = search(signed_in(staff), "DANA@example.com")
    assert customer.name in response.content.decode()


def test_finds_customer_by_phone_with_other_spacing(signed_in, staff, customer):
    response = search(signed_in(staff), "+447700900101")
    assert customer.name in response.content.decode()


def test_finds_customer_by_part_of_name(signed_in, staff, customer):
    response = search(signed_in(staff), "whitf")
    assert customer.name in response.content.decode()


def test_finds_cases_by_words_in_subject_and_interactions(signed_in, staff, case, category):
    other = CaseFactory.create(
        team=case.team, customer=case.customer, category=category, subject="Broken kettle"
    )
    services.log_interaction(
        other,
        by=staff,
        channel="phone",
        direction="inbound",
        summary="The customer mentioned the warranty card was missing",
        demeanour="calm",
        minutes=1,
    )
    client = signed_in(staff)
    body = search(client, "fridge").content.decode()
    assert case.subject in body and "Broken kettle" not in body
    body = search(client, "warranty").content.decode()
    assert "Broken kettle" in body and case.subject not in body


def test_search_never_shows_other_teams(signed_in, other_team_staff, case, customer):
    body = search(signed_in(other_team_staff), "fridge").content.decode()
    assert case.subject not in body
    body = search(signed_in(other_team_staff), "dana@example.com").content.decode()
    assert customer.name not in body


def test_short_or_hostile_queries_are_harmless(signed_in, staff, customer):
    client = signed_in(staff)
    for q in [
        "",
        "a",
        "'; drop table cases_case; --",
        "<script>x</script>",
        "x" * 5000,
        "!!!",
        "&|",
    ]:
        response = search(client, q)
        assert response.status_code == 200
        assert "<script>x</script>" not in response.content.decode()


def test_customer_registered_elsewhere_is_visible_through_a_case(
    signed_in, staff, other_team, category
):
    outsider = CustomerFactory(team=other_team, name="Zed Visitor")
    CaseFactory(team=staff.teams.get(), customer=outsider, category=category)
    assert "Zed Visitor" in search(signed_in(staff), "Zed").content.decode()


@pytest.mark.postgres
def test_words_in_interactions_find_the_newest_cases_and_older_ones_beyond_them(
    signed_in, staff, team, customer, category
):
    """The newest cases are searched first (a common word stops there); a case older than
    the RECENT_CASES newest is still found through the full-text index."""
    from cases.selectors.search import RECENT_CASES

    def case_with(subject, summary):
        made = CaseFactory.create(team=team, customer=customer, category=category, subject=subject)
        services.log_interaction(
            made,
            by=staff,
            channel="phone",
            direction="inbound",
            summary=summary,
            demeanour="calm",
            minutes=1,
        )
        return made

    case_with("Old hinge", "Asked about the zeppelin-shaped lamp")
    for i in range(RECENT_CASES):
        case_with(f"Filler {i}", "Nothing of note")
    case_with("New hinge", "The zeppelin lamp again")
    body = search(signed_in(staff), "zeppelin").content.decode()
    assert "Old hinge" in body and "New hinge" in body
    assert body.index("New hinge") < body.index("Old hinge"), "newest first"
    assert "Filler" not in body


@pytest.mark.postgres
@pytest.mark.parametrize("cap", [500, 1])  # 1: more hits than the cap, the usual steps
def test_an_email_or_a_phone_number_finds_the_cases_that_mention_it_newest_first(
    signed_in, staff, team, other_team, customer, category, monkeypatch, cap
):
    """Searching for an email address or a phone number shows the customer and every
    case of ours whose subject or interactions have it, newest first; another team's
    case with the same text stays hidden, whichever way the search read them."""
    # The module, not the function of the same name that cases.selectors exports.
    search_module = importlib.import_module("cases.selectors.search")

    monkeypatch.setattr(search_module, "SUBJECT_HITS", cap)
    monkeypatch.setattr(search_module, "INTERACTION_HITS", cap)
    CaseFactory.create(
        team=team, customer=customer, category=category, subject="Refund for dana@example.com"
    )
    newer = CaseFactory.create(team=team, customer=customer, category=category, subject="Hinge")
    services.log_interaction(
        newer, by=staff, channel="phone", direction="inbound", demeanour="calm", minutes=1,
        summary="Call back on 07700 900123 or write to dana@example.com",
    )  # fmt: skip
    CaseFactory.create(
        team=other_team, customer=customer, category=category, subject="Theirs: dana@example.com"
    )
    CaseFactory.create(team=team, customer=customer, category=category, subject="Unrelated")
    client = signed_in(staff)

    body = search(client, "dana@example.com").content.decode()
    assert customer.name in body
    assert "Hinge" in body and "Refund for dana" in body and "Unrelated" not in body
    assert body.index("Hinge") < body.index("Refund for dana"), "newest first"
    assert "Theirs:" not in body
    body = search(client, "07700 900123").content.decode()
    assert "Hinge" in body and "Refund for dana" not in body
