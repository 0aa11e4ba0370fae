"""Case studies: marking one and filtering the coaching library."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from policies.models import Category, Demeanour

from ..limits import ExplainedTextLimits
from ..models import (
    StudyKind,
)
from .common import (
    auto_id,
    form_helper,
)


class CaseStudyForm(ExplainedTextLimits, forms.Form):
    kind = forms.ChoiceField(
        choices=StudyKind.choices, widget=forms.RadioSelect, label=gettext_lazy("Kind")
    )
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    write_up = forms.CharField(
        label=gettext_lazy("Write-up: what happened, what worked, what to learn"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        auto_id(kwargs, "study")
        super().__init__(*args, **kwargs)
        self.helper = form_helper(gettext("Save case study"), action=action, name="study")


class StudyFilterForm(forms.Form):
    demeanour = forms.ChoiceField(
        choices=[("", gettext_lazy("Any demeanour")), *Demeanour.choices],
        required=False,
        label=gettext_lazy("Demeanour"),
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        required=False,
        empty_label=gettext_lazy("Any category"),
        label=gettext_lazy("Category"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        auto_id(kwargs, "studies")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
