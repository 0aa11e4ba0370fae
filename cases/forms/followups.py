"""Follow-up tasks: add, complete, reschedule."""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext, gettext_lazy

from ..limits import ExplainedTextLimits
from ..models import (
    TaskKind,
    Team,
    User,
)
from .common import (
    DueTimeField,
    ObjectChoiceField,
    auto_id,
    form_helper,
    object_field,
    team_members,
)


class TaskForm(ExplainedTextLimits, forms.Form):
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    kind = forms.ChoiceField(
        choices=TaskKind.choices, initial=TaskKind.CALL_BACK, label=gettext_lazy("Kind")
    )
    assignee = ObjectChoiceField(label=gettext_lazy("Assignee"))
    due_at = DueTimeField(label=gettext_lazy("Due"))

    def __init__(
        self,
        *args: Any,
        team: Team,
        members: list[User] | None = None,
        action: str = "",
        **kwargs: Any,
    ) -> None:
        auto_id(kwargs, "task")
        super().__init__(*args, **kwargs)
        object_field(self, "assignee").set_objects(
            members if members is not None else team_members(team)
        )
        self.helper = form_helper(gettext("Add task"), action=action, name="task")
        self.helper.layout = Layout(
            "title",
            Row(
                Column("kind", css_class="col-sm-6"),
                Column("assignee", css_class="col-sm-6"),
            ),
            "due_at",
        )


class CompleteTaskForm(ExplainedTextLimits, forms.Form):
    outcome_note = forms.CharField(
        label=gettext_lazy("What came of it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RescheduleTaskForm(forms.Form):
    due_at = DueTimeField(label=gettext_lazy("New due time"))
