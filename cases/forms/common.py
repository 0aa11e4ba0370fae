"""What the forms share: the crispy helper, ids, object choices, team and phone fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext, gettext_lazy

from policies.models import Policy

from ..limits import AHEAD_DAYS, day_error, due_time_error
from ..models import (
    Channel,
    Team,
    User,
    visible_teams,
)
from ..phones import InvalidPhone, example, parse_phone
from .widgets import LocaleDateInput, LocaleDateTimeInput

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Every date and date-time field in the forms: text in the business's locale, not the
# browser's own date picker (cases/forms/widgets.py says why).
DATETIME_LOCAL = LocaleDateTimeInput()
DATE_INPUT = LocaleDateInput()


class DueTimeField(forms.DateTimeField):
    """A due time within the window of cases/limits.py (a day back to two years ahead)."""

    widget = DATETIME_LOCAL
    default_error_messages = {"overflow": gettext_lazy("Enter a real date and time.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", gettext_lazy("From yesterday to two years ahead."))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except OverflowError as error:  # year 1 or 9999 made aware in the local zone
            raise forms.ValidationError(self.error_messages["overflow"], code="overflow") from error

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and (error := due_time_error(value)):
            raise forms.ValidationError(error, code="out_of_range")


class BoundedDateField(forms.DateField):
    """A day within the window reports and filters share (2000 to a year ahead)."""

    widget = DATE_INPUT

    def __init__(self, *, ahead_days: int = AHEAD_DAYS, **kwargs: Any) -> None:
        self.ahead_days = ahead_days
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and (error := day_error(value, ahead_days=self.ahead_days)):
            raise forms.ValidationError(error, code="out_of_range")


def form_helper(
    submit: str, *, action: str = "", form_tag: bool = True, name: str = ""
) -> FormHelper:
    """A crispy helper; `name` keeps ids unique when several forms share a page."""
    helper = FormHelper()
    helper.form_method = "post"
    helper.form_action = action
    helper.form_tag = form_tag
    if submit:
        helper.add_input(Submit("submit", submit, css_id=f"{name or 'form'}-submit"))
    return helper


def fit_input_modes(form: forms.BaseForm) -> None:
    """The keyboard a phone should offer for each field: digits for minutes, digits with a
    decimal point for money, a dial pad for phone numbers, an email keyboard for email."""
    for name, field in form.fields.items():
        attrs = field.widget.attrs
        if isinstance(field, forms.EmailField):
            attrs.setdefault("autocomplete", "email")
        elif isinstance(field, forms.DecimalField):
            attrs.setdefault("inputmode", "decimal")
        elif isinstance(field, forms.IntegerField):
            attrs.setdefault("inputmode", "numeric")
        elif name.endswith("phone"):
            attrs.update({"type": "tel", "inputmode": "tel"})
            attrs.setdefault("autocomplete", "tel")


def auto_id(kwargs: dict[str, Any], name: str) -> None:
    """The case page holds many forms with fields of the same name (summary, demeanour,
    policy): distinct ids keep every label pointing at its own field."""
    kwargs.setdefault("auto_id", f"id_{name}_%s")


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects the caller fetched: forms on one page share one query, and
    anything not offered (a tampered id) is refused like any invalid choice."""

    def __init__(self, *, empty_label: StrOrPromise | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.objects: dict[str, Any] = {}

    def set_objects(self, objects: Iterable[Any]) -> None:
        self.objects = {str(obj.pk): obj for obj in objects}
        choices: list[tuple[str, StrOrPromise]] = [
            (key, str(obj)) for key, obj in self.objects.items()
        ]
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


def valid_phone(value: str) -> str:
    """The phone as typed (kept for display), if it parses as a phone number in the
    business's region or in international form; else the reason, for the field."""
    value = value.strip()
    try:
        parse_phone(value)
    except InvalidPhone as error:
        raise forms.ValidationError(str(error), code="phone") from None
    return value


def object_field(form: forms.BaseForm, name: str) -> ObjectChoiceField:
    """`form.fields[name]`, typed: `fields` holds plain `Field`s as far as mypy knows."""
    return cast(ObjectChoiceField, form.fields[name])


def phone_input() -> forms.TextInput:
    """A phone field: the phone keypad on a phone, the browser's saved number offered."""
    return forms.TextInput(
        attrs={
            "type": "tel",
            "inputmode": "tel",
            "autocomplete": "tel",
            # Translators: a sample phone number, e.g. "07400 123456 or +44 7400 123456".
            "placeholder": gettext("e.g. %(example)s") % {"example": example()},
        }
    )


# What the new-case and log-interaction forms start with, the same on both: a contact at
# the counter, in person, of a few minutes.
DEFAULT_CHANNEL = Channel.IN_PERSON
DEFAULT_MINUTES = 5


class TeamChoiceMixin:
    """Limits a `team` field to the user's teams and hides it when there is only one."""

    fields: dict[str, forms.Field]  # the form's, which this mixes into

    def _setup_team(self, user: User) -> None:
        teams = visible_teams(user)
        field = cast(forms.ModelChoiceField, self.fields["team"])
        field.queryset = teams
        team_list = list(teams[:2])
        if len(team_list) == 1:
            field.initial = team_list[0]
            field.widget = forms.HiddenInput()
