from typing import Any

from django.conf import settings
from django.http import HttpRequest


def casedesk(request: HttpRequest) -> dict[str, Any]:
    return {
        "business_name": settings.CASEDESK_BUSINESS_NAME,
        "currency": settings.CASEDESK_CURRENCY,
    }
