"""Health check for load balancers and operators."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from .. import selectors
from ..models import Role


def _may_see_details(request: HttpRequest) -> bool:
    """A signed-in admin, or a monitor with the bearer token from the environment
    (compared in constant time; with no token set, no token is accepted)."""
    user = request.user
    if user.is_authenticated and user.role == Role.ADMIN:
        return True
    expected = settings.CASEDESK_HEALTH_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and operators: is the database up, is the worker beating, are
    reminders going out? Anyone gets the status; only admins and the monitor the why
    (versions of what runs, ages and errors are a map for an attacker)."""
    report = selectors.health_report()
    status = "ok" if report.pop("ok") else "unavailable"
    body = {"status": status, **report} if _may_see_details(request) else {"status": status}
    return JsonResponse(body, status=200 if status == "ok" else 503)
