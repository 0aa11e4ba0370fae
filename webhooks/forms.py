from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.limits import ExplainedTextLimits

from .models import Endpoint, EventType


class EndpointForm(ExplainedTextLimits, forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where CaseDesk posts the events, e.g. https://till.example.com/casedesk."),
    )
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Event types"),
        help_text=_("What this endpoint hears about."),
        error_messages={"required": _("Choose at least one event type.")},
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "event_types", "active"]
        help_texts = {
            "active": _("Switched off, it receives nothing; deliveries still owed fail."),
        }

    def __init__(self, *args: Any, submit: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit or gettext("Save endpoint")))

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"].strip()
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            raise forms.ValidationError(gettext("Use an http:// or https:// address."))
        host = (parts.hostname or "").strip("[]")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        local = host == "localhost" or (literal is not None and not literal.is_global)
        if local and not settings.CASEDESK_WEBHOOK_ALLOW_PRIVATE:
            raise forms.ValidationError(
                gettext("CaseDesk does not post to private, loopback or link-local addresses.")
            )
        return url
