from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext, gettext_lazy

from cases.forms.widgets import LocaleDateInput
from cases.limits import POLICY_AHEAD_DAYS, ExplainedTextLimits, day_error

from .models import DEFAULT_CUSTOMER_WINDOW_DAYS, AllowedException, DemeanourGuidance, Policy


def _helper(submit: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit))
    return helper


class GuidanceForm(ExplainedTextLimits, forms.ModelForm):
    class Meta:
        model = DemeanourGuidance
        fields = ["headline", "listen", "de_escalate", "boundaries", "escalate"]
        # The model's own verbose names cover the rest; a field without one is named here.
        labels = {"headline": gettext_lazy("Headline")}
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ["listen", "de_escalate", "boundaries", "escalate"]
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(gettext("Save guidance"))


class PolicyForm(ExplainedTextLimits, forms.ModelForm):
    change_note = forms.CharField(
        label=gettext_lazy("What changed (kept in the version history)"),
        max_length=300,
        required=False,
    )

    class Meta:
        model = Policy
        fields = [
            "code",
            "title",
            "category",
            "customer_wording",
            "internal_notes",
            "effective_from",
            "effective_to",
            "active",
        ]
        # The model's fields have no verbose names of their own (adding them would be a
        # migration): the labels people read are given here, translated.
        labels = {
            "code": gettext_lazy("Code"),
            "title": gettext_lazy("Title"),
            "category": gettext_lazy("Category"),
            "customer_wording": gettext_lazy("Customer wording"),
            "internal_notes": gettext_lazy("Internal notes"),
            "effective_from": gettext_lazy("Effective from"),
            "effective_to": gettext_lazy("Effective to"),
            "active": gettext_lazy("Active"),
        }
        widgets = {
            "customer_wording": forms.Textarea(attrs={"rows": 3}),
            "internal_notes": forms.Textarea(attrs={"rows": 2}),
            "effective_from": LocaleDateInput(),
            "effective_to": LocaleDateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The code is how cases and people refer to a policy: it does not change.
            self.fields["code"].disabled = True
        self.helper = _helper(gettext("Save policy"))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].upper()
        if code in {"NEW", "GUIDANCE"}:
            raise forms.ValidationError(gettext("That code is reserved; choose another."))
        return code

    def _bounded_day(self, name: str) -> Any:
        day = self.cleaned_data.get(name)
        if day and (error := day_error(day, ahead_days=POLICY_AHEAD_DAYS)):
            raise forms.ValidationError(error, code="out_of_range")
        return day

    def clean_effective_from(self) -> Any:
        return self._bounded_day("effective_from")

    def clean_effective_to(self) -> Any:
        return self._bounded_day("effective_to")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", gettext("The policy cannot end before it starts."))
        return data


class AllowedExceptionForm(ExplainedTextLimits, forms.ModelForm):
    class Meta:
        model = AllowedException
        fields = [
            "name",
            "kind",
            "max_value",
            "staff_limit",
            "manager_limit",
            "customer_window_days",
            "guidance",
            "active",
        ]
        labels = {
            "name": gettext_lazy("Name"),
            "kind": gettext_lazy("Kind"),
            "max_value": gettext_lazy("Max value"),
            "staff_limit": gettext_lazy("Staff limit"),
            "manager_limit": gettext_lazy("Manager limit"),
            "active": gettext_lazy("Active"),
        }
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("max_value", "staff_limit", "manager_limit"):
            self.fields[name].widget.attrs["min"] = "0"
        window = self.fields["customer_window_days"]
        window.widget.attrs.update(min="0", max="366")
        window.required = False  # empty: the default window
        self.helper = _helper(gettext("Save exception"))

    def clean_customer_window_days(self) -> int:
        days = self.cleaned_data.get("customer_window_days")
        return DEFAULT_CUSTOMER_WINDOW_DAYS if days is None else days

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        staff, manager, top = (data.get(k) for k in ("staff_limit", "manager_limit", "max_value"))
        if top is not None and top <= 0:
            self.add_error("max_value", gettext("The maximum value must be more than zero."))
        if staff is not None and manager is not None and staff > manager:
            self.add_error(
                "staff_limit", gettext("The staff limit cannot be above the manager limit.")
            )
        if manager is not None and top is not None and manager > top:
            self.add_error(
                "manager_limit", gettext("The manager limit cannot be above the maximum.")
            )
        return data
