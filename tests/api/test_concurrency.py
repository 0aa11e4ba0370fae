"""Races through the API on PostgreSQL, with real threads and connections."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases import services
from cases.models import CaseEvent, Interaction
from tests.api.conftest import ApiClient
from tests.threads import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_deciders_at_once_give_one_decision(
    case, staff, manager, admin_user, allowed, token_for
):
    request = services.request_exception(
        case,
        by=staff,
        allowed=allowed,
        value=Decimal("30.00"),
        customer_ask="No restocking fee",
        justification="Box crushed by our courier",
    )
    url = f"/api/v1/exception-requests/{request.pk}/decide/"
    approve, deny = ApiClient(token_for(manager)), ApiClient(token_for(admin_user))
    results = race(
        lambda: approve.post(url, {"decision": "approve", "reason": "Fair"}),
        lambda: deny.post(url, {"decision": "deny", "reason": "Policy stands"}),
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.content for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.json()["errors"][0]["code"] == "already_decided"
    request.refresh_from_db()
    winner = next(r for r in results if r.status_code == 200).json()
    assert request.status == winner["status"] in {"approved", "denied"}
    assert CaseEvent.objects.filter(exception_request=request, kind="exc_decided").count() == 1


def test_two_posts_with_one_idempotency_key_log_one_interaction(case, staff, token_for):
    url = f"/api/v1/cases/{case.reference}/interactions/"
    body = {"channel": "phone", "summary": "Customer rang about the door", "demeanour": "calm"}
    secret = token_for(staff)
    tills = [ApiClient(secret), ApiClient(secret)]
    results = race(
        *[
            lambda till=till: till.post(url, body, **{"Idempotency-Key": "till-7-42"})
            for till in tills
        ]
    )
    assert [r.status_code for r in results] == [201, 201], [r.content for r in results]
    assert results[0].json() == results[1].json()
    assert sum(r.has_header("Idempotent-Replayed") for r in results) == 1
    assert Interaction.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="interaction").count() == 1
