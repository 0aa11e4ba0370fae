"""The API takes no longer text than the pages' forms and the models (issue 11, item 7):
customer preferences of 10,000 characters went in through the API while the page took
2,000. Over the limit: a 400 naming the field, and nothing stored."""

from __future__ import annotations

import pytest

from cases.models import Case, Customer
from policies.models import AllowedException, Policy
from tests.api import test_access as access
from tests.api.test_access import ENDPOINTS, _fill, _prepare, _snapshot

pytestmark = pytest.mark.django_db

world = access.world


def _limit(model, name: str) -> int:
    limit = model._meta.get_field(name).max_length
    assert limit, f"{model.__name__}.{name} has no max_length"
    return int(limit)


OVERSIZE = [
    ("api-customer-detail", "patch", "preferences", _limit(Customer, "preferences")),
    ("api-case-resolve", "post", "reflection", _limit(Case, "reflection")),
    ("api-case-resolve", "post", "next_step", 1000),  # the page's ResolveForm
    ("api-policy-detail", "patch", "customer_wording", _limit(Policy, "customer_wording")),
    ("api-policy-detail", "patch", "internal_notes", _limit(Policy, "internal_notes")),
    ("api-policy-add-exception", "post", "guidance", _limit(AllowedException, "guidance")),
]


@pytest.mark.parametrize(
    ("name", "method", "field", "limit"), OVERSIZE, ids=[f"{n} {f}" for n, _, f, _ in OVERSIZE]
)
def test_text_past_the_models_limit_is_a_400_naming_the_field(
    name, method, field, limit, world, api, request
):
    endpoint = next(e for e in ENDPOINTS if (e.name, e.method) == (name, method))
    _prepare(endpoint, world)
    client = api(request.getfixturevalue(endpoint.insider))
    body = {key: _fill(value, world) for key, value in endpoint.body.items()}
    before = (_snapshot(), Customer.objects.values().get(pk=world.customer.pk))
    body[field] = "x" * (limit + 1)
    response = getattr(client, method)(_fill(endpoint.url, world), body)
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert error["field"] == field and str(limit) in error["message"]
    assert (_snapshot(), Customer.objects.values().get(pk=world.customer.pk)) == before
    body[field] = "x" * limit  # at the limit: taken
    assert getattr(client, method)(_fill(endpoint.url, world), body).status_code < 300


# Dates: the windows the pages use, refused with the field named -------------------------

DATES = [
    ("api-case-task-list", "post", "due_at", "2099-01-01T09:00:00Z", "within two years"),
    ("api-case-task-list", "post", "due_at", "2001-01-01T09:00:00Z", "Choose a time from"),
    ("api-task-reschedule", "post", "due_at", "2099-01-01T09:00:00Z", "within two years"),
    ("api-policy-list", "post", "effective_from", "2099-01-01", "Choose a day from"),
    ("api-policy-detail", "patch", "effective_to", "1999-12-31", "Choose a day from"),
]


@pytest.mark.parametrize(
    ("name", "method", "field", "value", "message"),
    DATES,
    ids=[f"{n} {f} {v[:4]}" for n, _, f, v, _ in DATES],
)
def test_a_date_outside_the_pages_window_is_a_400_naming_the_field(
    name, method, field, value, message, world, api, request
):
    endpoint = next(e for e in ENDPOINTS if (e.name, e.method) == (name, method))
    client = api(request.getfixturevalue(endpoint.insider))
    body = {key: _fill(v, world) for key, v in endpoint.body.items()}
    body[field] = value
    before = _snapshot()
    response = getattr(client, method)(_fill(endpoint.url, world), body)
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert error["field"] == field and message in error["message"], error
    assert _snapshot() == before
