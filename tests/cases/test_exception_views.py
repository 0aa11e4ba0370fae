"""Exception requests and approvals through the browser's forms (test client)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Case, ExceptionRequest, RequestStatus, Status
from cases.selectors import APPROVALS_SHOWN
from policies import services as policy_services
from tests.exception_fixtures import ask
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def request_url(case):
    return reverse("case_request_exception", args=[case.reference])


def post_request(client, case, allowed, value):
    return client.post(
        request_url(case),
        {
            "allowed_exception": str(allowed.pk) if allowed else "off",
            "value": value,
            "customer_ask": "Wants the fee back",
            "justification": "Part discontinued",
        },
    )


def test_staff_request_within_limit_is_granted_at_once(signed_in, staff, case, allowed):
    response = post_request(signed_in(staff), case, allowed, "20.00")
    assert response.status_code == 302
    page = signed_in(staff).get(case.get_absolute_url()).content.decode()
    assert "Granted at once" in page and "Exception granted at once" in page


def test_staff_request_above_limit_waits_and_shows_pending(signed_in, staff, case, allowed):
    post_request(signed_in(staff), case, allowed, "80.00")
    case.refresh_from_db()
    assert case.status == Status.PENDING_APPROVAL
    page = signed_in(staff).get(case.get_absolute_url()).content.decode()
    assert "Waiting for a decision" in page and "Withdraw request" in page
    assert "Record decision" not in page  # no decide button on your own request


def test_bad_request_input_comes_back_with_messages(signed_in, staff, case, allowed):
    response = signed_in(staff).post(
        request_url(case),
        {
            "allowed_exception": str(allowed.pk),
            "value": "250",
            "customer_ask": "<b>all of it</b>",
            "justification": "",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "At most 200.00" in body
    assert "This field is required." in body
    assert "&lt;b&gt;all of it&lt;/b&gt;" in body  # typed text kept, escaped
    assert not ExceptionRequest.objects.exists()


def test_tampered_exception_id_is_refused(signed_in, staff, case):
    response = signed_in(staff).post(
        request_url(case),
        {"allowed_exception": "999999", "value": "5", "customer_ask": "x", "justification": "y"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ExceptionRequest.objects.exists()


def test_other_team_cannot_request_on_the_case(signed_in, other_team_staff, case, allowed):
    assert post_request(signed_in(other_team_staff), case, allowed, "5").status_code == 404
    assert not ExceptionRequest.objects.exists()


def test_manager_decides_from_the_queue(signed_in, staff, manager, case, allowed):
    pending = ask(case, staff, allowed)
    client = signed_in(manager)
    queue = client.get(reverse("approvals")).content.decode()
    assert case.reference in queue and "80.00" in queue
    response = client.post(
        reverse("request_decide", args=[pending.pk]),
        {
            f"r{pending.pk}-decision": "counter",
            f"r{pending.pk}-counter_value": "40",
            f"r{pending.pk}-reason": "Half",
            "next": "approvals",
        },
    )
    assert response.status_code == 302 and response.url == reverse("approvals")
    pending.refresh_from_db()
    assert (pending.status, pending.granted_value) == (RequestStatus.COUNTERED, Decimal("40.00"))


def test_counter_without_value_keeps_the_reason_typed(signed_in, staff, manager, case, allowed):
    pending = ask(case, staff, allowed)
    response = signed_in(manager).post(
        reverse("request_decide", args=[pending.pk]),
        {
            f"r{pending.pk}-decision": "counter",
            f"r{pending.pk}-reason": "My careful reason",
            "next": "approvals",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the value you can offer." in body and "My careful reason" in body
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING


def test_second_decision_shows_who_decided(signed_in, staff, manager, admin_user, case, allowed):
    pending = ask(case, staff, allowed)
    services.decide_exception(pending, by=admin_user, decision="approve", reason="ok")
    response = signed_in(manager).post(
        reverse("request_decide", args=[pending.pk]),
        {f"r{pending.pk}-decision": "deny", f"r{pending.pk}-reason": "no"},
        follow=True,
    )
    assert "already approved by Ada Admin" in response.content.decode()


def test_self_approval_refused_by_crafted_post(signed_in, manager, case, allowed):
    pending = ask(case, manager, None)  # off-policy by a manager: needs someone else
    client = signed_in(manager)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Record decision" not in page  # no button
    assert case.reference not in client.get(reverse("approvals")).content.decode()
    response = client.post(
        reverse("request_decide", args=[pending.pk]),
        {f"r{pending.pk}-decision": "approve", f"r{pending.pk}-reason": "mine"},
        follow=True,
    )
    assert "Nobody decides their own request." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING


def test_other_team_manager_gets_404_on_request_and_case(
    signed_in, staff, other_team_manager, case, allowed
):
    pending = ask(case, staff, allowed)
    client = signed_in(other_team_manager)
    assert client.get(case.get_absolute_url()).status_code == 404
    response = client.post(
        reverse("request_decide", args=[pending.pk]),
        {f"r{pending.pk}-decision": "approve", f"r{pending.pk}-reason": "x"},
    )
    assert response.status_code == 404
    assert client.post(reverse("request_withdraw", args=[pending.pk])).status_code == 404
    assert case.reference not in client.get(reverse("approvals")).content.decode()
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING


def test_staff_get_403_on_the_queue(signed_in, staff):
    assert signed_in(staff).get(reverse("approvals")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, staff, case, allowed):
    pending = ask(case, staff, allowed)
    for url in [
        reverse("approvals"),
        reverse("request_decide", args=[pending.pk]),
        request_url(case),
    ]:
        response = client.post(url) if "approvals" not in url else client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_navigation_badge_counts_waiting_requests(signed_in, staff, manager, case, allowed):
    ask(case, staff, allowed)
    ask(case, staff, allowed, "20.00")  # 100.00 in all: a manager still decides
    page = signed_in(manager).get(reverse("home")).content.decode()
    assert 'id="approvals-badge">2<' in page
    assert "approvals-badge" not in signed_in(staff).get(reverse("home")).content.decode()


def test_withdraw_by_requester(signed_in, staff, case, allowed):
    pending = ask(case, staff, allowed)
    signed_in(staff).post(reverse("request_withdraw", args=[pending.pk]))
    pending.refresh_from_db()
    assert pending.status == RequestStatus.WITHDRAWN
    assert Case.objects.get(pk=case.pk).status == Status.OPEN


def test_customer_profile_shows_the_exception_ledger(signed_in, staff, manager, case, allowed):
    pending = ask(case, staff, allowed)
    services.decide_exception(
        pending, by=manager, decision="counter", reason="half", counter_value=Decimal("40")
    )
    ask(case, manager, allowed, "10.00")  # 50.00 in all: within a manager's discretion
    page = signed_in(staff).get(case.customer.get_absolute_url()).content.decode()
    assert "Exception ledger" in page
    assert "Approved at a lower value" in page and "Mo Manager" in page
    assert 'id="granted-12m">£50.00' in page


def test_approvals_queue_runs_fixed_queries(signed_in, staff, manager, team, category, allowed):
    client = signed_in(manager)

    def add(n):
        for _ in range(n):
            customer = CustomerFactory(team=team, created_by=staff)
            case = CaseFactory(team=team, customer=customer, category=category, created_by=staff)
            ask(case, staff, allowed)

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("approvals")).status_code == 200
    add(25)
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("approvals")).content.decode()
    assert len(many) == len(few) <= 12
    # 28 waiting: the oldest page of them (tests/cases/test_approvals_page.py).
    assert body.count("Record decision") == APPROVALS_SHOWN


def test_queue_shows_customer_history(
    signed_in, staff, manager, admin_user, policy, case, allowed, category
):
    # Counted per case only, so the earlier case's grants leave this ask to a manager.
    policy_services.save_allowed_exception(
        policy, by=admin_user, allowed=allowed, customer_window_days=0
    )
    earlier = CaseFactory(
        team=case.team, customer=case.customer, category=category, created_by=staff
    )
    ask(earlier, staff, allowed, "20.00")  # granted at once
    ask(earlier, manager, allowed, "15.00")  # 35.00 on that case: a manager's to grant
    ask(case, staff, allowed)  # waiting
    queue = signed_in(manager).get(reverse("approvals")).content.decode()
    assert "Exceptions granted, last 12 months: <strong>2</strong> worth <strong>£35.00" in queue
    assert "Open cases: <strong>2</strong>" in queue
