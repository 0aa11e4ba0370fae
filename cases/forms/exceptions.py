"""Asking for an exception and deciding on one."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms

from attachments.forms import add_file_field
from policies.models import AllowedException, Policy

from ..limits import ExplainedTextLimits
from .common import (
    ObjectChoiceField,
    auto_id,
    fit_input_modes,
    form_helper,
    object_field,
    policies_in_force,
)

OFF_POLICY = "off"


class ExceptionRequestForm(ExplainedTextLimits, forms.Form):
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
        self,
        *args: Any,
        policies: list[Policy] | None = None,
        action: str = "",
        upload_problems: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        auto_id(kwargs, "request")
        super().__init__(*args, **kwargs)
        fit_input_modes(self)
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
        cast(forms.ChoiceField, self.fields["allowed_exception"]).choices = [
            ("", "— Choose an exception —"),
            *groups.items(),
            (OFF_POLICY, "Off-policy exception (always needs a manager)"),
        ]
        object_field(self, "policy").set_objects(
            policies if policies is not None else policies_in_force()
        )
        self.helper = form_helper("Request exception", action=action, name="request")
        # Evidence for the decider (attachments app).
        add_file_field(self, upload_problems=upload_problems)
        self.fields["files"].label = "Evidence (photos and files)"

    def clean_allowed_exception(self) -> AllowedException | None:
        key = self.cleaned_data["allowed_exception"]
        if key == OFF_POLICY:
            return None
        return self.offered[key]  # ChoiceField already refused anything not offered

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        allowed = data.get("allowed_exception")
        value = data.get("value")
        if allowed is not None and value is not None and value > allowed.max_value:
            self.add_error(
                "value",
                f"At most {allowed.max_value} for this exception; choose off-policy for more.",
            )
        return data


class DecisionForm(ExplainedTextLimits, forms.Form):
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
        auto_id(kwargs, "decision")
        super().__init__(*args, **kwargs)
        fit_input_modes(self)
        self.request_value = request_value
        self.helper = form_helper("Record decision", action=action, name="decision")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "counter":
            counter = data.get("counter_value")
            if counter is None and "counter_value" not in self.errors:
                self.add_error("counter_value", "Give the value you can offer.")
            elif counter is not None and counter >= self.request_value:
                self.add_error(
                    "counter_value", f"A counter-offer must be less than {self.request_value}."
                )
        return data
