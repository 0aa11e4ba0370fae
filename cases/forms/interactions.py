"""Logging an interaction (and any promise made) on a case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext, gettext_lazy

from attachments.forms import add_file_field
from policies.models import Demeanour

from ..limits import ExplainedTextLimits
from ..models import (
    Channel,
    Direction,
)
from .common import (
    DEFAULT_CHANNEL,
    DEFAULT_MINUTES,
    DueTimeField,
    fit_input_modes,
    form_helper,
)


class InteractionForm(ExplainedTextLimits, forms.Form):
    channel = forms.ChoiceField(
        choices=Channel.choices, initial=DEFAULT_CHANNEL, label=gettext_lazy("Channel")
    )
    direction = forms.ChoiceField(
        choices=Direction.choices, initial=Direction.INBOUND, label=gettext_lazy("Direction")
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=10000, label=gettext_lazy("Summary")
    )
    demeanour = forms.ChoiceField(choices=Demeanour.choices, label=gettext_lazy("Demeanour now"))
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), min_value=0, max_value=1440, initial=DEFAULT_MINUTES
    )
    promise = forms.CharField(
        label=gettext_lazy("Promise made (optional)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("e.g. I will call you back on Friday")}
        ),
    )
    promise_due_at = DueTimeField(label=gettext_lazy("Promised by"), required=False)

    def __init__(
        self, *args: Any, action: str = "", upload_problems: Iterable[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fit_input_modes(self)
        self.helper = form_helper(gettext("Log interaction"), action=action, name="interaction")
        self.helper.form_id = "interaction-form"
        self.helper.attrs = {
            "hx-post": action,
            "hx-target": "#interaction-panel",
            "hx-swap": "outerHTML",
        }
        self.helper.layout = Layout(
            Row(
                Column("channel", css_class="col-sm-4"),
                Column("direction", css_class="col-sm-4"),
                Column("demeanour", css_class="col-sm-4"),
            ),
            "summary",
            Row(
                Column("minutes", css_class="col-sm-2"),
                Column("promise", css_class="col-sm-6"),
                Column("promise_due_at", css_class="col-sm-4"),
            ),
        )
        # Photos and files (attachments app): cleaned to checked, re-encoded files.
        add_file_field(self, upload_problems=upload_problems)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        promised = (data.get("promise") or "").strip()
        if promised and not data.get("promise_due_at") and "promise_due_at" not in self.errors:
            self.add_error("promise_due_at", gettext("Say by when the promise will be kept."))
        return data
