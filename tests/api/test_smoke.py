import pytest

pytestmark = pytest.mark.django_db


def test_walkthrough(api, staff, manager, customer, category, allowed, case):
    till = api(staff)
    r = till.get("/api/v1/customers/", {"q": "dana"})
    assert r.status_code == 200, r.content
    r = till.post(
        "/api/v1/cases/",
        {
            "customer": customer.pk,
            "subject": "Door",
            "category": category.pk,
            "channel": "phone",
            "first_interaction": {"summary": "Dented", "minutes": 3},
        },
    )
    assert r.status_code == 201, r.content
    ref = r.json()["reference"]
    r = till.post(
        f"/api/v1/cases/{ref}/interactions/",
        {"channel": "phone", "summary": "Called", "demeanour": "angry"},
    )
    assert r.status_code == 201, r.content
    r = till.get(f"/api/v1/cases/{ref}/interactions/")
    assert r.status_code == 200, r.content
    r = till.post(
        f"/api/v1/cases/{ref}/exception-requests/",
        {
            "allowed_exception": allowed.pk,
            "value": "30.00",
            "customer_ask": "x",
            "justification": "y",
        },
    )
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    boss = api(manager)
    r = boss.get("/api/v1/exception-requests/")
    assert r.status_code == 200 and r.json()["results"][0]["id"] == rid, r.content
    r = boss.post(
        f"/api/v1/exception-requests/{rid}/decide/",
        {"decision": "counter", "reason": "half", "counter_value": "15"},
    )
    assert r.status_code == 200, r.content
    r = boss.post(f"/api/v1/exception-requests/{rid}/decide/", {"decision": "deny", "reason": "no"})
    assert r.status_code == 409, r.content
    print(r.json())
    r = till.post(
        f"/api/v1/cases/{ref}/tasks/",
        {
            "title": "Call",
            "kind": "call_back",
            "assignee": staff.pk,
            "due_at": "2030-01-01T10:00:00Z",
        },
    )
    assert r.status_code == 201, r.content
    r = till.get("/api/v1/tasks/")
    assert r.status_code == 200 and r.json()["results"], r.content
    r = till.get(f"/api/v1/cases/{ref}/")
    assert r.status_code == 200, r.content
    for path in [
        "/api/v1/policies/",
        "/api/v1/policies/RET-30/",
        "/api/v1/cases/?o=-priority&status=open",
    ]:
        r = till.get(path)
        assert r.status_code == 200, (path, r.content)
    r = boss.get("/api/v1/insights/summary/")
    assert r.status_code == 200, r.content
    r = till.post(f"/api/v1/cases/{ref}/resolve/", {"outcome": "compromise", "summary": "done"})
    assert r.status_code == 200, r.content
    r = till.post(f"/api/v1/cases/{ref}/resolve/", {"outcome": "compromise", "summary": "done"})
    assert r.status_code == 409, r.content
    print(r.json())
