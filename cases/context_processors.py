from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from . import permissions
from .selectors import waiting_count


def casedesk(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "business_name": settings.CASEDESK_BUSINESS_NAME,
        "currency": settings.CASEDESK_CURRENCY,
        "now": timezone.now(),
    }
    user = getattr(request, "user", None)
    if user is not None and permissions.can_see_approvals(user):
        # The navigation badge: one COUNT on the queue index per page for deciders.
        context["approvals_waiting"] = waiting_count(user)
    return context
