"""The customer's feedback form (no sign-in)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from ..limits import ExplainedTextLimits
from .common import (
    form_helper,
)


class FeedbackForm(ExplainedTextLimits, forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How would you rate our service?"),
        choices=[
            (5, gettext_lazy("5 — excellent")),
            (4, gettext_lazy("4 — good")),
            (3, gettext_lazy("3 — okay")),
            (2, gettext_lazy("2 — poor")),
            (1, gettext_lazy("1 — very poor")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything you would like to tell us? (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(gettext("Send feedback"), name="feedback")
