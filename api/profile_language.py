"""The profile page's "Language" section: the language CaseDesk speaks to this person.

Kept on their user row (not a cookie), so it follows them to every browser they sign in
on; casedesk.middleware.UserLanguageMiddleware activates it on each request.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from casedesk import languages
from cases import services
from cases.models import User

SECTION = "profile/_language.html"


def _choices() -> list[tuple[str, str]]:
    # Translators: the choice that leaves the language to the browser's settings.
    return [("", gettext("Same as my browser")), *languages.choices()]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=_choices,
        required=False,
        help_text=gettext_lazy(
            "CaseDesk's pages and the emails it sends you. Customers get theirs in their "
            "own language, set on their record."
        ),
        widget=forms.Select(attrs={"class": "form-select", "aria-describedby": "language-help"}),
    )


def form_for(user: User) -> LanguageForm:
    return LanguageForm(initial={"language": user.language})


def save_language(request: HttpRequest, context: dict[str, Any]) -> HttpResponse | None:
    """Save the choice and say so in the language chosen (or, for "same as my browser",
    the one the browser asks for)."""
    form = LanguageForm(request.POST)
    context["language_form"] = form
    if not form.is_valid():
        return None
    chosen = form.cleaned_data["language"]
    services.set_language(cast(User, request.user), language=chosen)
    with translation.override(chosen or translation.get_language_from_request(request)):
        messages.success(request, gettext("Language saved."))
    return redirect("profile")
