"""Request rates per token (or signed-in person) and per address, on Django's cache.

Rates are read from settings on each request (not at import, as DRF's defaults are), so
an operator's change and a test's override both take effect.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from casedesk import cache_keys
from casedesk.signin import client_address

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return settings.CASEDESK_API_RATE_TOKEN

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            return cache_keys.api_throttle("token", request.auth.pk)
        if request.user and request.user.is_authenticated:
            return cache_keys.api_throttle("user", request.user.pk)
        return None


class AddressRateThrottle(SimpleRateThrottle):
    scope = "address"

    def get_rate(self) -> str:
        return settings.CASEDESK_API_RATE_ADDRESS

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        # The same address sign-in throttling counts (trusted proxies' X-Forwarded-For).
        return cache_keys.api_throttle("address", client_address(request) or "unknown")
