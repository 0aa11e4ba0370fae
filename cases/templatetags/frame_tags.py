"""The page's frame (navigation bar, footer, shortcuts overlay, scripts), kept rendered.

Rendering the frame was about a fifth of a case list's Python calls: dozens of
`{% url %}`, `{% translate %}` and `{% static %}` nodes whose output is the same for
everyone with the same role, name, language and page (6,000 to 8,000 calls a page:
bench/results/python-calls-2026-12-01-1814.json). So each part is rendered once per
process for each set of its inputs and kept (`functools.lru_cache`), and the few values
that differ on every request (the CSRF token, the search box's text, the page's own
address) are put into the kept text afterwards.

What keeps this right: a part is rendered from a context holding only its inputs, never
the request or the user, so the key it is kept under is everything it can show. A part
that needed something else would show nothing there in every test, not someone else's
data. With DEBUG on (templates read afresh) nothing is kept.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .. import permissions
from ..models import Role

register = template.Library()

# Stand-ins for the per-request values, put in after. Escaping turns "<" into "&lt;", so
# no name or text a user typed can ever read as one.
CSRF_INPUT = mark_safe("<kept:csrf>")
SEARCH_Q = mark_safe("<kept:q>")
NEXT_PATH = mark_safe("<kept:next>")
PLACEHOLDERS = {"csrf_input": CSRF_INPUT, "search_q": SEARCH_Q, "next_path": NEXT_PATH}

# Parts differ by page, language, role, name and badge count; a few thousand kept texts
# of a few kilobytes each bound a process's memory to some megabytes.
KEPT_PARTS = 4096


@lru_cache(maxsize=KEPT_PARTS)
def _kept(template_name: str, inputs: tuple[tuple[str, Any], ...]) -> str:
    return get_template(template_name).render({**dict(inputs), **PLACEHOLDERS})


def _render(template_name: str, inputs: dict[str, Any]) -> str:
    key = (("language", get_language()), ("prefix", get_script_prefix()), *inputs.items())
    if settings.DEBUG:
        return _kept.__wrapped__(template_name, key)
    return _kept(template_name, key)


def _fill(text: str, request: Any) -> SafeString:
    if request is None:
        return mark_safe(text.replace(CSRF_INPUT, "").replace(SEARCH_Q, "").replace(NEXT_PATH, ""))
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'
    return mark_safe(
        text.replace(CSRF_INPUT, csrf)
        .replace(SEARCH_Q, escape(request.GET.get("q", "")))
        .replace(NEXT_PATH, escape(request.get_full_path()))
    )


def _signed_in(context: template.Context) -> tuple[Any, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return request, None
    return request, user


@register.simple_tag(takes_context=True)
def page_nav(context: template.Context) -> SafeString:
    """The navigation bar (`_partials/nav.html`)."""
    request, user = _signed_in(context)
    match = getattr(request, "resolver_match", None)
    inputs: dict[str, Any] = {"authenticated": user is not None}
    if user is not None:
        inputs.update(
            here=match.url_name if match else None,
            see_insights=permissions.can_see_insights(user),
            approvals_waiting=context.get("approvals_waiting"),
            is_admin=user.role == Role.ADMIN,
            short_name=user.first_name or user.username,
            full_name=str(user),
            role_display=str(user.get_role_display()),
        )
    return _fill(_render("_partials/nav.html", inputs), request)


@register.simple_tag(takes_context=True)
def page_end(context: template.Context) -> SafeString:
    """Footer, shortcuts overlay, the strings scripts show, and the scripts
    (`_partials/page_end.html`)."""
    request, user = _signed_in(context)
    inputs: dict[str, Any] = {"authenticated": user is not None, "bulk": bool(context.get("bulk"))}
    if user is not None:
        inputs.update(
            shortcuts_on=bool(user.keyboard_shortcuts),
            see_approvals=permissions.can_see_approvals(user),
            idle_seconds=getattr(request, "session_idle_seconds", None),
        )
    return _fill(_render("_partials/page_end.html", inputs), request)
