"""The period and team of the insights page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from ..models import (
    Team,
)
from .common import (
    BoundedDateField,
    ObjectChoiceField,
    auto_id,
    object_field,
)


class InsightsForm(forms.Form):
    """The period and team of the insights page; everything lives in the URL."""

    PERIODS = [
        ("7", gettext_lazy("Last 7 days")),
        ("30", gettext_lazy("Last 30 days")),
        ("90", gettext_lazy("Last 90 days")),
        ("custom", pgettext_lazy("period", "Custom")),
    ]

    period = forms.ChoiceField(
        choices=PERIODS, initial="30", required=False, label=gettext_lazy("Period")
    )
    start = BoundedDateField(required=False, label=gettext_lazy("Start"))
    end = BoundedDateField(required=False, label=gettext_lazy("End"))
    team = ObjectChoiceField(
        required=False, empty_label=gettext_lazy("All my teams"), label=gettext_lazy("Team")
    )

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        auto_id(kwargs, "insights")
        super().__init__(*args, **kwargs)
        self.teams = teams
        object_field(self, "team").set_objects(teams)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", gettext("Choose the first day."))
            if not end:
                self.add_error("end", gettext("Choose the last day."))
            if start and end and end < start:
                self.add_error("end", gettext("The last day cannot be before the first."))
            if start and end and (end - start).days > 3 * 366:
                self.add_error("start", gettext("Choose at most three years."))
        return data

    def dates(self) -> tuple[Any, Any]:
        """First and last local day of the chosen period (30 days when invalid or empty)."""
        from datetime import timedelta

        from django.utils import timezone

        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        period = data.get("period") or "30"
        if period == "custom":
            return data["start"], data["end"]
        return today - timedelta(days=int(period) - 1), today

    def team_ids(self) -> list[int]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        chosen = data.get("team")
        return [chosen.pk] if chosen else [team.pk for team in self.teams]
