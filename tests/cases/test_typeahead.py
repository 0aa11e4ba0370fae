"""Search as you type: the partial behind the search box and the new-case customer field."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def suggest(client, q, list_id="nav-search"):
    return client.get(reverse("search_suggest"), {"q": q, "list": list_id})


@pytest.fixture
def grace(staff, team, category):
    customer = services.create_customer(
        by=staff,
        team=team,
        name="Grace Osei",
        email="grace@example.com",
        phone="+44 7700 900105",
        flags=["two_staff"],
        flags_reason="Shouted at a colleague",
    )
    services.open_case(
        by=staff,
        customer=customer,
        team=team,
        subject="Toaster sparks",
        category=category,
        channel="in_person",
    )
    return customer


def test_a_customer_result_shows_flags_latest_open_case_and_both_actions(signed_in, staff, grace):
    body = suggest(signed_in(staff), "07700 900105").content.decode()
    case = grace.cases.get()
    assert "Grace Osei" in body and "Two staff present" in body
    assert f"Open: {case.reference} Toaster sparks" in body
    assert f'href="/cases/new/?customer={grace.pk}"' in body
    assert 'aria-label="New case for Grace Osei"' in body
    assert f'href="{case.get_absolute_url()}"' in body
    assert "Open latest case" in body
    assert 'role="option"' in body and 'role="group"' in body
    assert 'id="nav-search-status" hx-swap-oob="innerHTML">1 customer found' in body


def test_open_latest_case_falls_back_to_the_latest_closed_one(signed_in, staff, grace):
    case = grace.cases.get()
    services.log_interaction(
        case, by=staff, channel="phone", direction="inbound", summary="Hi", demeanour="calm"
    )
    services.resolve_case(case, by=staff, outcome="within_policy", summary="Done")
    body = suggest(signed_in(staff), "Grace").content.decode()
    assert "No open case" in body
    assert f'href="{case.get_absolute_url()}"' in body


def test_name_prefix_surname_and_email_match(signed_in, staff, grace):
    client = signed_in(staff)
    for typed in ["gr", "Grace O", "Ose", "grace@ex", "GRACE@EXAMPLE.COM"]:
        assert "Grace Osei" in suggest(client, typed).content.decode(), typed
    assert "Grace Osei" not in suggest(client, "race").content.decode()  # not a word start


def test_a_reference_finds_the_case(signed_in, staff, grace):
    case = grace.cases.get()
    body = suggest(signed_in(staff), case.reference.lower()).content.decode()
    assert f'href="{case.get_absolute_url()}"' in body and "Toaster sparks" in body


def test_in_picking_mode_each_customer_is_one_option_that_picks_them(signed_in, staff, grace):
    body = suggest(signed_in(staff), "Grace", "case-customer").content.decode()
    assert f'data-customer-id="{grace.pk}"' in body
    assert 'id="case-customer-c' in body
    assert "Open latest case" not in body
    assert 'id="case-customer-status"' in body


def test_another_teams_customers_and_cases_stay_unseen(signed_in, other_team_staff, grace):
    client = signed_in(other_team_staff)
    reference = grace.cases.get().reference
    for typed in ["Grace", "07700 900105", "0105", "grace@example.com", reference]:
        body = suggest(client, typed).content.decode()
        assert "Osei" not in body and "Toaster" not in body, typed  # (what was typed echoes)
        assert "customer found" not in body


def test_anonymous_visitors_are_sent_to_sign_in(client, grace):
    response = suggest(client, "Grace")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_hostile_or_odd_input_is_harmless(signed_in, staff, grace):
    client = signed_in(staff)
    for typed in [
        "",
        "a",
        "\x00",
        "'; drop table cases_customer; --",
        "<b>x</b>",
        "x" * 5000,
        "+",
        "00",
        "0" * 40,
        "९९९९९",
        "%",
        "_",
        "CD-" + "9" * 20,
    ]:
        response = suggest(client, typed)
        assert response.status_code == 200, typed
        assert "<b>x</b>" not in response.content.decode()
    response = client.get(reverse("search_suggest"), {"q": "Grace", "list": '"><script>'})
    assert response.status_code == 200 and "<script>" not in response.content.decode()


def count_queries(client, q):
    with CaptureQueriesContext(connection) as ctx:
        assert suggest(client, q).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("typed", ["Gra", "0105", "+44 7700 900", "grace", "Number"])
def test_queries_do_not_grow_with_the_matches(signed_in, staff, team, category, typed):
    client = signed_in(staff)

    def add(n, start):
        for i in range(start, start + n):
            customer = CustomerFactory(
                team=team,
                created_by=staff,
                name=f"Grace Number{i}",
                email=f"grace{i}@example.com",
                phone=f"+44 7700 9{i:02d}105",
                flags=["vip"],
            )
            CaseFactory(team=team, customer=customer, created_by=staff, category=category)
            CaseFactory(team=team, customer=customer, created_by=staff, category=category)

    add(1, 0)
    few = count_queries(client, typed)
    add(20, 1)
    many = count_queries(client, typed)
    assert many == few
    assert many <= 8
