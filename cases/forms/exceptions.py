"""Asking for an exception and deciding on one."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext, gettext_lazy

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

    allowed_exception = forms.ChoiceField(label=gettext_lazy("Exception"))
    policy = ObjectChoiceField(
        required=False,
        label=gettext_lazy("Policy it departs from (off-policy only)"),
        empty_label=gettext_lazy("— None —"),
    )
    value = forms.DecimalField(
        label=gettext_lazy("Value"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    customer_ask = forms.CharField(
        label=gettext_lazy("What the customer asked for"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    justification = forms.CharField(
        label=gettext_lazy("Justification"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

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
            # Translators: an allowed exception and its limits, e.g.
            # "Refund (staff ≤ 20.00, manager ≤ 100.00, max 500.00)".
            label = gettext("%(name)s (staff ≤ %(staff)s, manager ≤ %(manager)s, max %(max)s)") % {
                "name": item.name,
                "staff": item.staff_limit,
                "manager": item.manager_limit,
                "max": item.max_value,
            }
            groups.setdefault(f"{item.policy.code}: {item.policy.title}", []).append((key, label))
        cast(forms.ChoiceField, self.fields["allowed_exception"]).choices = [
            ("", gettext("— Choose an exception —")),
            *groups.items(),
            (OFF_POLICY, gettext("Off-policy exception (always needs a manager)")),
        ]
        object_field(self, "policy").set_objects(
            policies if policies is not None else policies_in_force()
        )
        self.helper = form_helper(gettext("Request exception"), action=action, name="request")
        # Evidence for the decider (attachments app).
        add_file_field(self, upload_problems=upload_problems)
        self.fields["files"].label = gettext("Evidence (photos and files)")

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
                gettext("At most %(max)s for this exception; choose off-policy for more.")
                % {"max": allowed.max_value},
            )
        return data


class DecisionForm(ExplainedTextLimits, forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", gettext_lazy("Approve")),
            ("counter", gettext_lazy("Approve a lower value (counter-offer)")),
            ("deny", gettext_lazy("Deny")),
        ],
        widget=forms.RadioSelect,
        label=gettext_lazy("Decision"),
    )
    counter_value = forms.DecimalField(
        label=gettext_lazy("Counter-offer value"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, request_value: Decimal, action: str = "", **kwargs: Any) -> None:
        auto_id(kwargs, "decision")
        super().__init__(*args, **kwargs)
        fit_input_modes(self)
        self.request_value = request_value
        self.helper = form_helper(gettext("Record decision"), action=action, name="decision")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "counter":
            counter = data.get("counter_value")
            if counter is None and "counter_value" not in self.errors:
                self.add_error("counter_value", gettext("Give the value you can offer."))
            elif counter is not None and counter >= self.request_value:
                self.add_error(
                    "counter_value",
                    gettext("A counter-offer must be less than %(value)s.")
                    % {"value": self.request_value},
                )
        return data
