"""API fixtures: a JSON client signed in with a personal API token, and a request waiting
for a decision (the policy library is tests/exception_fixtures.py's)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client


class ApiClient:
    """django.test.Client speaking JSON with `Authorization: Bearer <token>`."""

    def __init__(self, token: str | None = None, **headers: str) -> None:
        self.client = Client()
        self.headers = dict(headers)
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _send(self, method: str, url: str, body: Any = None, **headers: str) -> Any:
        call = getattr(self.client, method)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return call(url, **kwargs)

    def get(self, url: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(url, params or {}, headers={**self.headers, **headers})

    def post(self, url: str, body: Any = None, **headers: str) -> Any:
        return self._send("post", url, body if body is not None else {}, **headers)

    def patch(self, url: str, body: Any = None, **headers: str) -> Any:
        return self._send("patch", url, body if body is not None else {}, **headers)


@pytest.fixture
def token_for(db) -> Callable[..., str]:
    from api import tokens

    def make(user: Any, **kwargs: Any) -> str:
        return tokens.create_token(user=user, name="Till 1", **kwargs).secret

    return make


@pytest.fixture
def api(token_for) -> Callable[[Any], ApiClient]:
    def as_user(user: Any | None) -> ApiClient:
        return ApiClient(token_for(user) if user is not None else None)

    return as_user


@pytest.fixture
def pending_request(case, staff, allowed):
    """Above staff's limit (tests/exception_fixtures.py: staff 25, manager 100, max 200):
    waits for a manager of the team."""
    from cases import services

    return services.request_exception(
        case,
        by=staff,
        allowed=allowed,
        value=Decimal("30.00"),
        customer_ask="No restocking fee",
        justification="Box crushed by our courier",
    )
