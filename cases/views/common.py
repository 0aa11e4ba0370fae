"""What several pages share: query strings, ids from the URL, the currency."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def without_page(request: HttpRequest) -> str:
    """The current query string minus the page number, for links to other pages."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def id_param(value: object) -> int | None:
    """An id from the URL or a form, or None: ASCII digits only ("²" is a digit to Python
    but not to int()). Too large for the column is simply an id that matches nothing."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() else None


def currency() -> str:
    return settings.CASEDESK_CURRENCY
