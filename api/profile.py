"""The profile page: a list of sections, each a template with its own form.

"Language" and "API tokens" so far; a new section adds its template to SECTIONS and, if it
has a form, a handler to HANDLERS.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from cases.limits import ExplainedTextLimits
from cases.models import User

from . import profile_language, tokens

SECTIONS = [profile_language.SECTION, "profile/_api_tokens.html"]


def _user(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind login_required)."""
    return cast(User, request.user)


class TokenForm(ExplainedTextLimits, forms.Form):
    name = forms.CharField(
        max_length=100,
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("Say what will use it, e.g. “Till 2, Downtown store”."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    expires_in = forms.TypedChoiceField(
        label=gettext_lazy("Expires"),
        choices=[
            ("", pgettext_lazy("token expiry", "Never")),
            ("30", gettext_lazy("In 30 days")),
            ("90", gettext_lazy("In 90 days")),
            ("365", gettext_lazy("In a year")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _create_token(request: HttpRequest, context: dict[str, Any]) -> HttpResponse | None:
    form = TokenForm(request.POST)
    context["token_form"] = form
    if not form.is_valid():
        return None
    days = form.cleaned_data["expires_in"]
    expires_at = timezone.now() + timedelta(days=days) if days else None
    try:
        made = tokens.create_token(
            user=_user(request), name=form.cleaned_data["name"], expires_at=expires_at
        )
    except tokens.TokenError as error:
        form.add_error(None, str(error))
        return None
    # Rendered, not redirected: the secret is in this one response and nowhere else.
    context["new_token"] = made
    context["token_form"] = TokenForm()
    return None


def _revoke_token(request: HttpRequest, context: dict[str, Any]) -> HttpResponse | None:
    token_id = request.POST.get("token", "")
    valid = token_id.isascii() and token_id.isdigit() and len(token_id) <= 18
    if valid and tokens.revoke_token(user=_user(request), token_id=int(token_id)):
        messages.success(request, _("Token revoked: it stops working at once."))
    return redirect("profile")


HANDLERS = {
    "create_token": _create_token,
    "revoke_token": _revoke_token,
    "save_language": profile_language.save_language,
}


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "sections": SECTIONS,
        "token_form": TokenForm(),
        "language_form": profile_language.form_for(_user(request)),
    }
    status = 200
    if request.method == "POST":
        handler = HANDLERS.get(request.POST.get("action", ""))
        if handler is None:
            return redirect("profile")
        response = handler(request, context)
        if response is not None:
            return response
        if context["token_form"].errors or context["language_form"].errors:
            status = 400
    context["api_tokens"] = tokens.tokens_of(_user(request))
    response = render(request, "profile/profile.html", context, status=status)
    patch_cache_control(response, no_store=True)
    return response
