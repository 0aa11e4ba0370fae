from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from . import permissions
from .selectors.approvals import waiting_badge


def casedesk(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "business_name": settings.CASEDESK_BUSINESS_NAME,
        "currency": settings.CASEDESK_CURRENCY,
        "now": timezone.now(),
    }
    user = getattr(request, "user", None)
    if user is not None and permissions.can_see_approvals(user):
        # The navigation badge: from the cache, counted afresh after any request or
        # decision (see waiting_badge).
        context["approvals_waiting"] = waiting_badge(user)
    return context
