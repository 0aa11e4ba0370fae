"""Session limits, no-store for signed-in responses, and the signed-in person's language.

Counter terminals are shared: staff step away mid-shift and the next person sits down at
the same browser. So a session ends after CASEDESK_SESSION_IDLE_MINUTES without a
request and CASEDESK_SESSION_MAX_HOURS after sign-in however busy (OWASP ASVS 5.0 level
2, V7.3), and nothing a signed-in page showed is kept in a browser or proxy cache, where
the back button or the next person could find it after sign-out.

Why our own middleware rather than a library: django-session-security has an idle limit
only, writes the session on every request and brings its own script and templates for a
strict CSP to accommodate; django-session-timeout (last release 2020) does either the idle
or the absolute limit, not both, and also writes on every request. Both limits with a
write at most once a minute are a few lines on Django's own session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from . import languages

SIGNED_IN_AT = "casedesk_signed_in_at"
LAST_SEEN = "casedesk_last_seen"
# Last activity is written at most this often: a session write (a database UPDATE) on
# every request would cost more than the minute of precision is worth. The idle limit is
# measured from the last write, so it can end a session up to a minute early, never late.
TOUCH_SECONDS = 60


def _stamp(session, now: int) -> None:
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now


def _on_sign_in(sender, request, user, **kwargs) -> None:
    """A new sign-in starts both clocks, also when the session key survived it."""
    if request is not None and hasattr(request, "session"):
        _stamp(request.session, int(time.time()))


user_logged_in.connect(_on_sign_in, dispatch_uid="casedesk.session_limits")


class SessionLimitsMiddleware:
    """Signs a session out when it has been idle, or signed in, for too long."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            ended = self._limit_reached(request)
            if ended:
                return self._sign_out(request, ended)
            # For base.html: the page reloads itself once the session is idle, so that a
            # walked-away-from screen shows the sign-in page (static/js/session-timeout.js).
            request.session_idle_seconds = settings.CASEDESK_SESSION_IDLE_MINUTES * 60  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def _limit_reached(request: HttpRequest) -> str | None:
        """ "idle", "lifetime" or None; keeps the session's last activity current."""
        session = request.session
        now = int(time.time())
        signed_in_at, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
        if not isinstance(signed_in_at, int) or not isinstance(last_seen, int):
            # A session from before these limits: its clocks start now.
            _stamp(session, now)
            return None
        if now - signed_in_at >= settings.CASEDESK_SESSION_MAX_HOURS * 3600:
            return "lifetime"
        if now - last_seen >= settings.CASEDESK_SESSION_IDLE_MINUTES * 60:
            return "idle"
        if now - last_seen >= TOUCH_SECONDS:
            session[LAST_SEEN] = now
        return None

    def _sign_out(self, request: HttpRequest, why: str) -> HttpResponse:
        back_to = _return_path(request)
        # Flushes the session (a new key, nothing of the old one kept) and records the
        # sign-out like any other.
        logout(request)
        messages.info(request, _signed_out_text(why))
        login_url = resolve_url(settings.LOGIN_URL)
        if back_to and back_to != login_url:
            query = QueryDict(mutable=True)
            query["next"] = back_to
            # As Django's own redirect_to_login writes it (slashes left readable).
            login_url = f"{login_url}?{query.urlencode(safe='/')}"
        if getattr(request, "htmx", False):
            # A plain redirect would swap the sign-in page into the fragment htmx asked
            # for; HX-Redirect makes htmx load it as the whole page instead.
            return HttpResponseClientRedirect(login_url)
        return HttpResponseRedirect(login_url)


def _signed_out_text(why: str) -> str:
    """The sign-in page's note on why the session ended, in the language of the request
    that ended it (LocaleMiddleware runs before this middleware)."""
    if why == "idle":
        minutes = settings.CASEDESK_SESSION_IDLE_MINUTES
        return ngettext(
            "You were signed out after %(minutes)d minute without activity, so that nobody "
            "else at this screen can use your account. Sign in to carry on where you left off.",
            "You were signed out after %(minutes)d minutes without activity, so that nobody "
            "else at this screen can use your account. Sign in to carry on where you left off.",
            minutes,
        ) % {"minutes": minutes}
    hours = settings.CASEDESK_SESSION_MAX_HOURS
    return ngettext(
        "You were signed out because a sign-in lasts at most %(hours)d hour. "
        "Sign in again to carry on where you left off.",
        "You were signed out because a sign-in lasts at most %(hours)d hours. "
        "Sign in again to carry on where you left off.",
        hours,
    ) % {"hours": hours}


def _return_path(request: HttpRequest) -> str | None:
    """The page to return to after signing in again: the page itself for a plain GET; for
    htmx calls and form posts, the page they were made from."""
    htmx = getattr(request, "htmx", None)
    if not htmx and request.method in {"GET", "HEAD"}:
        return request.get_full_path()
    candidates = [htmx.current_url if htmx else None, request.META.get("HTTP_REFERER")]
    for url in candidates:
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(url)
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


class NoStoreForSignedInMiddleware:
    """Cache-Control: no-store on every response to a signed-in request: pages, CSV
    exports, htmx fragments, the admin, the API. Static files (served before this by
    whitenoise) and the anonymous sign-in page stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Read before the view runs, so that the response to a sign-out is covered too.
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class UserLanguageMiddleware:
    """A signed-in person's own language (chosen on their profile) for their requests;
    with none chosen, LocaleMiddleware's pick from the browser stands. Costs no query: the
    user row, language included, is loaded for every signed-in request anyway."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        language = getattr(user, "language", "") if user.is_authenticated else ""
        # A language since taken out of LANGUAGES is ignored rather than half-activated.
        if language and languages.is_supported(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
