"""What a till does through the API in one morning, end to end, under the page's rules."""

from datetime import UTC, datetime, timedelta

import pytest

from cases.models import Case, FollowUpTask, Interaction

pytestmark = pytest.mark.django_db


def test_a_till_opens_logs_asks_and_a_manager_decides(
    api, staff, manager, customer, category, allowed
):
    till, boss = api(staff), api(manager)
    found = till.get("/api/v1/customers/", {"q": "7700 900101"}).json()["results"]
    assert [c["id"] for c in found] == [customer.pk]

    opened = till.post(
        "/api/v1/cases/",
        {
            "customer": customer.pk,
            "subject": "Door dented",
            "category": category.pk,
            "channel": "phone",
            "first_interaction": {"summary": "Dented on delivery", "minutes": 3},
        },
    )
    assert opened.status_code == 201, opened.content
    ref = opened.json()["reference"]
    assert opened.json()["status"] == "open"  # the first interaction opens it
    assert [e["kind"] for e in opened.json()["latest_events"]][:2] == ["status", "interaction"]

    logged = till.post(
        f"/api/v1/cases/{ref}/interactions/",
        {
            "channel": "phone",
            "summary": "Door ordered",
            "demeanour": "angry",
            "promise": "Call when it arrives",
            "promise_due_at": (datetime.now(UTC) + timedelta(days=3)).strftime(
                "%Y-%m-%dT16:00:00Z"
            ),
        },
    )
    assert logged.status_code == 201, logged.content
    case = Case.objects.get(subject="Door dented")
    assert case.demeanour == "angry"  # the case follows the latest interaction
    assert FollowUpTask.objects.filter(case=case, kind="deliver_promise").count() == 1
    listed = till.get(f"/api/v1/cases/{ref}/interactions/").json()["results"]
    assert [i["summary"] for i in listed] == ["Dented on delivery", "Door ordered"]

    # Within staff's discretion: granted at once. Above it: waits for a manager.
    small = {"allowed_exception": allowed.pk, "customer_ask": "No fee", "justification": "Ours"}
    granted = till.post(f"/api/v1/cases/{ref}/exception-requests/", {**small, "value": "5"})
    assert granted.json()["status"] == "granted"
    asked = till.post(f"/api/v1/cases/{ref}/exception-requests/", {**small, "value": "30"})
    assert asked.json()["status"] == "pending" and asked.json()["required_level"] == "manager"
    assert till.get(f"/api/v1/cases/{ref}/").json()["status"] == "pending_approval"

    queue = boss.get("/api/v1/exception-requests/").json()["results"]
    assert [r["id"] for r in queue] == [asked.json()["id"]]
    decided = boss.post(
        f"/api/v1/exception-requests/{asked.json()['id']}/decide/",
        {"decision": "counter", "reason": "Half, as goodwill", "counter_value": "15"},
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "countered" and decided.json()["granted_value"] == "15.00"
    again = boss.post(
        f"/api/v1/exception-requests/{asked.json()['id']}/decide/",
        {"decision": "deny", "reason": "No"},
    )
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_decided"

    assert till.get("/api/v1/tasks/").json()["results"][0]["title"] == "Call when it arrives"
    resolved = till.post(
        f"/api/v1/cases/{ref}/resolve/", {"outcome": "compromise", "summary": "Credit £15"}
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert Interaction.objects.filter(case=case).count() == 2


def test_a_request_beyond_the_maximum_is_refused_with_the_rule(api, staff, case, allowed):
    response = api(staff).post(
        f"/api/v1/cases/{case.reference}/exception-requests/",
        {
            "allowed_exception": allowed.pk,
            "value": "500",
            "customer_ask": "x",
            "justification": "y",
        },
    )
    assert response.status_code == 400
    assert "The most this exception allows is 200.00" in response.json()["errors"][0]["message"]


def test_a_counter_offer_needs_a_value(api, manager, pending_request):
    response = api(manager).post(
        f"/api/v1/exception-requests/{pending_request.pk}/decide/",
        {"decision": "counter", "reason": "Half"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "counter_value"


def test_admins_revise_a_policy_as_a_new_version(api, admin_user, allowed):
    response = api(admin_user).patch(
        "/api/v1/policies/DIAG-FEE/",
        {"customer_wording": "Returns within 30 days.", "note": "Plain"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert allowed.policy.versions.order_by("number").last().change_note == "Plain"
    limits = api(admin_user).patch(
        f"/api/v1/policies/DIAG-FEE/exceptions/{allowed.pk}/", {"staff_limit": "200"}
    )
    assert limits.status_code == 400
    assert limits.json()["errors"][0]["field"] == "staff_limit"


def test_reading_a_customer_or_case_through_the_api_is_in_the_access_log(api, staff, case):
    from privacy.models import AccessLogEntry

    till = api(staff)
    till.get(f"/api/v1/customers/{case.customer_id}/")
    till.get(f"/api/v1/cases/{case.reference}/")
    logged = AccessLogEntry.objects.filter(user=staff, customer_id=case.customer_id)
    assert sorted(logged.values_list("object_type", flat=True)) == ["case", "customer"]
