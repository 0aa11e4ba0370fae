from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.limits import ExplainedTextLimits


class EraseForm(ExplainedTextLimits, forms.Form):
    """Why the customer's data is erased; an override (with its own reason) when a case is
    still open or a request pending."""

    reason = forms.CharField(
        label=_("Why is this customer's data being erased?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E.g. “Erasure request received by email on 3 March”. Recorded with your name "
            "and the time. Do not repeat the customer's personal details here."
        ),
    )
    override = forms.BooleanField(
        label=_("Erase even though a case is open or a request is pending"), required=False
    )
    override_reason = forms.CharField(
        label=_("Why can it not wait until they close?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(gettext("Say why this customer's data is being erased."))
        return reason

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("override") and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", gettext("Say why the erasure cannot wait."))
        return data
