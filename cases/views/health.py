"""Health check for load balancers and operators."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from .. import selectors


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and operators: is the database up, and is the worker beating?"""
    report = selectors.health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)
