"""The request a signed-in page is handed, as the type checker should see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from .models import User


class AuthedRequest(HttpRequest):
    """An `HttpRequest` behind `login_required`: `user` is a signed-in `User` (never
    `AnonymousUser`), and `htmx` is set by django-htmx's middleware.

    For annotations only; Django still hands views its own `HttpRequest`. Annotate a view
    `request: AuthedRequest` only where `login_required` (or the sign-in middleware) runs.
    """

    user: User
    htmx: HtmxDetails
