"""Every API error is JSON: `{"errors": [{"field": …, "message": …, "code": …}]}`.

Domain errors from the services become the status a client can act on: a rule refused the
input (400), someone else got there first or the object is in the wrong state (409).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases import services
from policies.services import PolicyError

# (class, HTTP status, code): the first match wins, so subclasses come first.
DOMAIN_ERRORS: list[tuple[type[Exception], int, str]] = [
    (services.AlreadyDecided, status.HTTP_409_CONFLICT, "already_decided"),
    (services.InvalidTransition, status.HTTP_409_CONFLICT, "invalid_transition"),
    (services.TaskAlreadyClosed, status.HTTP_409_CONFLICT, "task_closed"),
    (services.FeedbackClosed, status.HTTP_409_CONFLICT, "feedback_closed"),
    (services.CustomerErased, status.HTTP_409_CONFLICT, "customer_erased"),
    (services.NotAllowed, status.HTTP_400_BAD_REQUEST, "not_allowed"),
    (services.CaseError, status.HTTP_400_BAD_REQUEST, "not_allowed"),
    (PolicyError, status.HTTP_400_BAD_REQUEST, "policy_rule"),
]


class DomainError(exceptions.APIException):
    def __init__(self, message: str, *, status_code: int, code: str) -> None:
        self.status_code = status_code
        super().__init__(detail=message, code=code)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


def _flatten(details: Any, field: str | None = None) -> list[dict[str, Any]]:
    """DRF's nested {field: [{message, code}]} as a flat list, fields as dotted paths."""
    if isinstance(details, list):
        out: list[dict[str, Any]] = []
        for index, item in enumerate(details):
            if isinstance(item, dict) and "message" not in item:
                # A list of nested objects: name the item's index.
                out += _flatten(item, f"{field}.{index}" if field else str(index))
            else:
                out += _flatten(item, field)
        return out
    if isinstance(details, dict) and "message" in details and "code" in details:
        return [{"field": field, "message": str(details["message"]), "code": details["code"]}]
    if isinstance(details, dict):
        out = []
        for key, value in details.items():
            name = None if key in ("non_field_errors", "detail") else str(key)
            path = f"{field}.{name}" if field and name else (name or field)
            out += _flatten(value, path)
        return out
    return [{"field": field, "message": str(details), "code": "invalid"}]


def as_api_error(error: Exception) -> Exception:
    for cls, code_status, code in DOMAIN_ERRORS:
        if isinstance(error, cls):
            return DomainError(str(error), status_code=code_status, code=code)
    return error


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = as_api_error(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or _("Not found."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handler and logging take it
    if isinstance(exc, exceptions.APIException):
        response.data = {"errors": _flatten(exc.get_full_details())}
    return response


def not_found(request: Any, exception: Exception | None = None) -> Any:
    """Django's handler404: under /api/ a JSON error like every other API answer (a path
    that matches no route, e.g. a malformed id); elsewhere the site's 404 page."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        body = {"errors": [{"field": None, "message": _("Not found."), "code": "not_found"}]}
        return JsonResponse(body, status=404)
    return page_not_found(request, exception)
