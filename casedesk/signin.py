"""Sign-in throttling: the client's real address behind a proxy, and a limit per address.

django-axes locks out one username from one address after AXES_FAILURE_LIMIT failures
(settings.py). Two things it does not do on its own, added here:

* Behind a proxy every request comes from the proxy's address. `client_address` takes the
  client's from the X-Forwarded-For entry the outermost trusted proxy appended, counting
  from the right, so an address a client writes into the header itself is never used.
* One address trying a few passwords on many usernames (password spraying) never reaches
  the per-username limit. `AddressThrottledHandler` also refuses an address that failed
  CASEDESK_SIGNIN_ADDRESS_LIMIT times within the cool-off, whatever the usernames.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ipware.ip import get_client_ip


def client_address(request: HttpRequest) -> str | None:
    """The address sign-in throttling counts (AXES_CLIENT_IP_CALLABLE).

    With N trusted proxies, each appends the address it was connected from to
    X-Forwarded-For, so the client is the N-th entry from the right; anything left of it
    was written by the client and is ignored. django-ipware's proxy count is the number
    of hops after the client in the header, hence N - 1. `strict=False` keeps a longer
    header usable (strict would drop it and fall back to the proxy's own address, letting
    any client throttle everyone), and only X-Forwarded-For is read: the other headers
    ipware knows (X-Real-IP, Client-IP…) would be the client's to forge.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.CASEDESK_TRUSTED_PROXIES
    if not proxies:
        return remote
    address, _routable = get_client_ip(
        request,
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    # No usable header (a request that did not come through every proxy): the socket's.
    return address or remote


def recent_failures_from(address: str | None) -> int:
    """Failed sign-ins from `address` within the cool-off, counted up to the limit
    (a bounded count: an address that failed 10,000 times costs no more than one at 30)."""
    if not address:
        return 0
    since = timezone.now() - _window()
    limit = settings.CASEDESK_SIGNIN_ADDRESS_LIMIT
    failures = AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since)
    return failures.order_by()[:limit].count()


def _window() -> timedelta:
    cool_off = settings.AXES_COOLOFF_TIME
    return cool_off if isinstance(cool_off, timedelta) else timedelta(minutes=15)


class AddressThrottledHandler(AxesDatabaseHandler):
    """axes' database handler, plus a limit on failures per address across usernames.

    The failures are axes' own AccessFailureLog rows (AXES_ENABLE_ACCESS_FAILURE_LOG),
    kept in the database so every web process and node counts the same ones.
    """

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return self._address_over_limit(request)

    def user_login_failed(
        self, sender, credentials: dict[str, Any], request=None, **kwargs
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the limit is answered with the lockout page at once,
        # as axes does for the fifth failure of one username.
        if request is not None and self._address_over_limit(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials

    @staticmethod
    def _address_over_limit(request: Any) -> bool:
        address = getattr(request, "axes_ip_address", None)
        over = recent_failures_from(address) >= settings.CASEDESK_SIGNIN_ADDRESS_LIMIT
        if over:
            # The lockout page says "from this address", not "for this account".
            request.casedesk_address_throttled = True
        return over
