"""Forms for customers, cases and interactions. Each carries its crispy FormHelper."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Layout, Row, Submit
from django import forms

from policies.models import AllowedException, Category, Demeanour, Policy

from .models import (
    Channel,
    Customer,
    CustomerFlag,
    Direction,
    Outcome,
    Priority,
    StudyKind,
    TaskKind,
    Team,
    User,
    normalise_email,
    normalise_phone,
    visible_teams,
)

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _helper(submit: str, *, action: str = "", form_tag: bool = True, name: str = "") -> FormHelper:
    """A crispy helper; `name` keeps ids unique when several forms share a page."""
    helper = FormHelper()
    helper.form_method = "post"
    helper.form_action = action
    helper.form_tag = form_tag
    if submit:
        helper.add_input(Submit("submit", submit, css_id=f"{name or 'form'}-submit"))
    return helper


def _auto_id(kwargs: dict[str, Any], name: str) -> None:
    """The case page holds many forms with fields of the same name (summary, demeanour,
    policy): distinct ids keep every label pointing at its own field."""
    kwargs.setdefault("auto_id", f"id_{name}_%s")


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects the caller fetched: forms on one page share one query, and
    anything not offered (a tampered id) is refused like any invalid choice."""

    def __init__(self, *, empty_label: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.objects: dict[str, Any] = {}

    def set_objects(self, objects: Iterable[Any]) -> None:
        self.objects = {str(obj.pk): obj for obj in objects}
        choices = [(key, str(obj)) for key, obj in self.objects.items()]
        if self.empty_label is not None or not self.required:
            choices.insert(0, ("", self.empty_label or "---------"))
        self.choices = choices

    def clean(self, value: Any) -> Any:
        key = super().clean(value)
        return self.objects.get(str(key)) if key not in (None, "") else None


def team_members(team: Team) -> list[User]:
    return list(team.members.filter(is_active=True).order_by("first_name", "last_name", "id"))


def policies_in_force() -> list[Policy]:
    return list(Policy.objects.filter(active=True, current_version__isnull=False).order_by("title"))


def _clean_phone(value: str) -> str:
    value = value.strip()
    if value:
        digits = normalise_phone(value).lstrip("+")
        if not 6 <= len(digits) <= 15:
            raise forms.ValidationError("Enter a phone number of 6 to 15 digits.")
    return value


def find_duplicates(
    user: User, *, email: str, phone: str, exclude: int | None = None
) -> list[Customer]:
    """Visible customers with the same normalised email or phone (a likely duplicate)."""
    from django.db.models import Q

    query = Q()
    if email.strip():
        query |= Q(email_normalised=normalise_email(email))
    if phone.strip() and normalise_phone(phone):
        query |= Q(phone_normalised=normalise_phone(phone))
    if not query:
        return []
    qs = Customer.objects.visible_to(user).filter(query)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("name")[:5])


class TeamChoiceMixin:
    """Limits a `team` field to the user's teams and hides it when there is only one."""

    def _setup_team(self, user: User) -> None:
        teams = visible_teams(user)
        field = self.fields["team"]  # type: ignore[attr-defined]
        field.queryset = teams
        team_list = list(teams[:2])
        if len(team_list) == 1:
            field.initial = team_list[0]
            field.widget = forms.HiddenInput()


class CustomerForm(TeamChoiceMixin, forms.ModelForm):
    flags = forms.MultipleChoiceField(
        choices=CustomerFlag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    create_anyway = forms.BooleanField(
        required=False, label="This is a different person: create a new customer anyway"
    )

    class Meta:
        model = Customer
        fields = ["name", "email", "phone", "preferred_channel", "team", "preferences", "flags"]
        widgets = {"preferences": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.duplicates: list[Customer] = []
        self._setup_team(user)
        if self.instance.pk:
            del self.fields["team"]
        if self.instance.pk or not self.data.get("_duplicate_seen"):
            # The "create anyway" box appears only once a duplicate has been shown.
            self.fields["create_anyway"].widget = forms.HiddenInput()
        self.helper = _helper("Save customer", form_tag=False)

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        email, phone = data.get("email", ""), data.get("phone", "")
        if not self.errors and not (email or phone):
            raise forms.ValidationError("Give an email or a phone number so we can reach them.")
        self.duplicates = find_duplicates(
            self.user, email=email or "", phone=phone or "", exclude=self.instance.pk
        )
        if self.duplicates and not self.instance.pk and not data.get("create_anyway"):
            self.fields["create_anyway"].widget = forms.CheckboxInput()
            raise forms.ValidationError(
                "A customer with this email or phone already exists. Use them, or tick the "
                "box to create a new customer anyway.",
                code="duplicate",
            )
        return data


class CaseForm(TeamChoiceMixin, forms.Form):
    """Open a case for an existing customer, or for a new one in the same step."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )
    customer_name = forms.CharField(label="Customer name", max_length=200, required=False)
    customer_email = forms.EmailField(label="Customer email", required=False)
    customer_phone = forms.CharField(label="Customer phone", max_length=40, required=False)
    create_anyway = forms.BooleanField(
        required=False, label="This is a different person: create a new customer anyway"
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    subject = forms.CharField(max_length=200)
    category = forms.ModelChoiceField(queryset=Category.objects.filter(active=True))
    channel = forms.ChoiceField(choices=Channel.choices, label="First contact by")
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    demeanour = forms.ChoiceField(choices=Demeanour.choices, initial=Demeanour.CALM)
    first_summary = forms.CharField(
        label="What happened (logged as the first interaction)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10000,
    )
    first_minutes = forms.IntegerField(
        label="Minutes spent", min_value=0, max_value=1440, initial=0, required=False
    )
    assign_to_me = forms.BooleanField(label="Assign to me", initial=True, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.duplicates: list[Customer] = []
        self.fields["customer"].queryset = Customer.objects.visible_to(user)
        self._setup_team(user)
        if not self.data.get("_duplicate_seen"):
            self.fields["create_anyway"].widget = forms.HiddenInput()
        self.helper = _helper("Open case", form_tag=False)
        self.helper.layout = Layout(
            "customer",
            Div(
                Row(
                    Column("customer_name", css_class="col-md-4"),
                    Column("customer_email", css_class="col-md-4"),
                    Column("customer_phone", css_class="col-md-4"),
                ),
                "create_anyway",
                css_class="new-customer",
            ),
            "team",
            Field("subject"),
            Row(
                Column("category", css_class="col-md-3"),
                Column("channel", css_class="col-md-3"),
                Column("priority", css_class="col-md-3"),
                Column("demeanour", css_class="col-md-3"),
            ),
            "first_summary",
            Row(Column("first_minutes", css_class="col-md-3"), Column("assign_to_me")),
        )

    def clean_customer_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("customer_phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        team = data.get("team")
        if data.get("assign_to_me") and team and not team.members.filter(pk=self.user.pk).exists():
            self.add_error(
                "assign_to_me", f"You are not a member of {team}; untick to leave it unassigned."
            )
        if data.get("customer"):
            return data
        if self.data.get("customer"):
            # A customer id was sent but is not one this user may use: refuse, don't guess.
            return data
        name = (data.get("customer_name") or "").strip()
        email = data.get("customer_email") or ""
        phone = data.get("customer_phone") or ""
        if not name:
            self.add_error(
                "customer_name", "Give the customer's name, or pick an existing customer."
            )
        if not (email or phone) and "customer_email" not in self.errors:
            self.add_error("customer_email", "Give an email or a phone number.")
        if name and (email or phone):
            self.duplicates = find_duplicates(self.user, email=email, phone=phone)
            if self.duplicates and not data.get("create_anyway"):
                self.fields["create_anyway"].widget = forms.CheckboxInput()
                raise forms.ValidationError(
                    "A customer with this email or phone already exists. Open the case for "
                    "them, or tick the box to create a new customer anyway.",
                    code="duplicate",
                )
        return data


class InteractionForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.INBOUND)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=10000)
    demeanour = forms.ChoiceField(choices=Demeanour.choices, label="Demeanour now")
    minutes = forms.IntegerField(label="Minutes", min_value=0, max_value=1440, initial=5)
    promise = forms.CharField(
        label="Promise made (optional)",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. I will call you back on Friday"}),
    )
    promise_due_at = forms.DateTimeField(label="Promised by", required=False, widget=DATETIME_LOCAL)

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Log interaction", action=action, name="interaction")
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

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        promised = (data.get("promise") or "").strip()
        if promised and not data.get("promise_due_at") and "promise_due_at" not in self.errors:
            self.add_error("promise_due_at", "Say by when the promise will be kept.")
        return data


class ReassignForm(forms.Form):
    assignee = ObjectChoiceField(required=False, empty_label="— Unassigned —")

    def __init__(
        self,
        *args: Any,
        team: Team,
        members: list[User] | None = None,
        action: str = "",
        **kwargs: Any,
    ) -> None:
        _auto_id(kwargs, "reassign")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].set_objects(members if members is not None else team_members(team))
        self.helper = _helper("Reassign", action=action, name="reassign")


class TriageForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)
    demeanour = forms.ChoiceField(choices=Demeanour.choices)

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        _auto_id(kwargs, "triage")
        super().__init__(*args, **kwargs)
        self.helper = _helper("Update", action=action, name="triage")


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("", "— Choose an outcome —"), *Outcome.choices])
    summary = forms.CharField(
        label="Resolution summary", widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )
    email_customer = forms.BooleanField(
        label="Email the customer what was agreed and what happens next", required=False
    )
    reflection = forms.CharField(
        label="What would you do differently? (optional, for coaching)",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_step = forms.CharField(
        label="What happens next (for the customer)",
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. We will call you on Friday morning"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("email_customer") and not (data.get("next_step") or "").strip():
            self.add_error("next_step", "Tell the customer what happens next.")
        return data

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        _auto_id(kwargs, "resolve")
        super().__init__(*args, **kwargs)
        self.helper = _helper("Resolve case", action=action, name="resolve")


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen?", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        _auto_id(kwargs, "reopen")
        super().__init__(*args, **kwargs)
        self.helper = _helper("Reopen case", action=action, name="reopen")


OFF_POLICY = "off"


class AttachPolicyForm(forms.Form):
    policy = ObjectChoiceField(label="Policy involved", empty_label="— Choose a policy —")

    def __init__(
        self, *args: Any, policies: list[Policy] | None = None, action: str = "", **kwargs: Any
    ) -> None:
        _auto_id(kwargs, "attach")
        super().__init__(*args, **kwargs)
        self.fields["policy"].set_objects(policies if policies is not None else policies_in_force())
        self.helper = _helper("Attach policy", action=action, name="attach")


class ExceptionRequestForm(forms.Form):
    """Pick an allowed exception (grouped by policy) or off-policy, the value and why."""

    allowed_exception = forms.ChoiceField(label="Exception")
    policy = ObjectChoiceField(
        required=False,
        label="Policy it departs from (off-policy only)",
        empty_label="— None —",
    )
    value = forms.DecimalField(
        label="Value", max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    customer_ask = forms.CharField(
        label="What the customer asked for",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    justification = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: Any, policies: list[Policy] | None = None, action: str = "", **kwargs: Any
    ) -> None:
        _auto_id(kwargs, "request")
        super().__init__(*args, **kwargs)
        offered = (
            AllowedException.objects.filter(active=True, policy__active=True)
            .select_related("policy")
            .order_by("policy__title", "name")
        )
        self.offered = {str(item.pk): item for item in offered}
        groups: dict[str, list[tuple[str, str]]] = {}
        for key, item in self.offered.items():
            label = (
                f"{item.name} (staff ≤ {item.staff_limit}, manager ≤ {item.manager_limit}, "
                f"max {item.max_value})"
            )
            groups.setdefault(f"{item.policy.code}: {item.policy.title}", []).append((key, label))
        self.fields["allowed_exception"].choices = [
            ("", "— Choose an exception —"),
            *groups.items(),
            (OFF_POLICY, "Off-policy exception (always needs a manager)"),
        ]
        self.fields["policy"].set_objects(policies if policies is not None else policies_in_force())
        self.helper = _helper("Request exception", action=action, name="request")

    def clean_allowed_exception(self) -> AllowedException | None:
        key = self.cleaned_data["allowed_exception"]
        if key == OFF_POLICY:
            return None
        return self.offered[key]  # ChoiceField already refused anything not offered

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        allowed = data.get("allowed_exception")
        value = data.get("value")
        if allowed is not None and value is not None and value > allowed.max_value:
            self.add_error(
                "value",
                f"At most {allowed.max_value} for this exception; choose off-policy for more.",
            )
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", "Approve"),
            ("counter", "Approve a lower value (counter-offer)"),
            ("deny", "Deny"),
        ],
        widget=forms.RadioSelect,
    )
    counter_value = forms.DecimalField(
        label="Counter-offer value",
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, request_value: Decimal, action: str = "", **kwargs: Any) -> None:
        _auto_id(kwargs, "decision")
        super().__init__(*args, **kwargs)
        self.request_value = request_value
        self.helper = _helper("Record decision", action=action, name="decision")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "counter":
            counter = data.get("counter_value")
            if counter is None and "counter_value" not in self.errors:
                self.add_error("counter_value", "Give the value you can offer.")
            elif counter is not None and counter >= self.request_value:
                self.add_error(
                    "counter_value", f"A counter-offer must be less than {self.request_value}."
                )
        return data


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=TaskKind.choices, initial=TaskKind.CALL_BACK)
    assignee = ObjectChoiceField()
    due_at = forms.DateTimeField(label="Due", widget=DATETIME_LOCAL)

    def __init__(
        self,
        *args: Any,
        team: Team,
        members: list[User] | None = None,
        action: str = "",
        **kwargs: Any,
    ) -> None:
        _auto_id(kwargs, "task")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].set_objects(members if members is not None else team_members(team))
        self.helper = _helper("Add task", action=action, name="task")
        self.helper.layout = Layout(
            "title",
            Row(
                Column("kind", css_class="col-sm-6"),
                Column("assignee", css_class="col-sm-6"),
            ),
            "due_at",
        )


class CompleteTaskForm(forms.Form):
    outcome_note = forms.CharField(
        label="What came of it", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RescheduleTaskForm(forms.Form):
    due_at = forms.DateTimeField(label="New due time", widget=DATETIME_LOCAL)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How would you rate our service?",
        choices=[
            (5, "5 — excellent"),
            (4, "4 — good"),
            (3, "3 — okay"),
            (2, "2 — poor"),
            (1, "1 — very poor"),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Anything you would like to tell us? (optional)",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Send feedback", name="feedback")


class InsightsForm(forms.Form):
    """The period and team of the insights page; everything lives in the URL."""

    PERIODS = [
        ("7", "Last 7 days"),
        ("30", "Last 30 days"),
        ("90", "Last 90 days"),
        ("custom", "Custom"),
    ]

    period = forms.ChoiceField(choices=PERIODS, initial="30", required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team = ObjectChoiceField(required=False, empty_label="All my teams")

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        _auto_id(kwargs, "insights")
        super().__init__(*args, **kwargs)
        self.teams = teams
        self.fields["team"].set_objects(teams)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", "Choose the first day.")
            if not end:
                self.add_error("end", "Choose the last day.")
            if start and end and end < start:
                self.add_error("end", "The last day cannot be before the first.")
            if start and end and (end - start).days > 3 * 366:
                self.add_error("start", "Choose at most three years.")
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


class CaseStudyForm(forms.Form):
    kind = forms.ChoiceField(choices=StudyKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(max_length=200)
    write_up = forms.CharField(
        label="Write-up: what happened, what worked, what to learn",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        _auto_id(kwargs, "study")
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save case study", action=action, name="study")


class StudyFilterForm(forms.Form):
    demeanour = forms.ChoiceField(
        choices=[("", "Any demeanour"), *Demeanour.choices], required=False
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="Any category"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _auto_id(kwargs, "studies")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
