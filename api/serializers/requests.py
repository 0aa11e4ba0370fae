from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import ExceptionRequest, Level
from cases.services import Decision
from policies.models import AllowedException, Policy

from .common import PersonRef, Text, choice

MONEY = {"max_digits": 10, "decimal_places": 2}


class ExceptionRequestSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference", read_only=True)
    requested_by = PersonRef(read_only=True)
    decided_by = PersonRef(read_only=True, allow_null=True)
    required_level = serializers.SerializerMethodField(
        help_text="Who may decide: staff (granted at once), manager or admin."
    )
    off_policy = serializers.BooleanField(read_only=True)

    class Meta:
        model = ExceptionRequest
        fields = [
            "id",
            "case",
            "exception_name",
            "kind",
            "allowed_exception",
            "policy_version",
            "off_policy",
            "value",
            "status",
            "required_level",
            "customer_ask",
            "justification",
            "requested_by",
            "requested_at",
            "granted_value",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["staff", "manager", "admin"]))
    def get_required_level(self, instance: ExceptionRequest) -> str:
        # The code, not the label: labels are translated, the API answers the same always.
        return Level(instance.required_level).name.lower()


class ExceptionRequestCreateSerializer(serializers.Serializer):
    allowed_exception = serializers.PrimaryKeyRelatedField(
        queryset=AllowedException.objects.filter(active=True, policy__active=True),
        allow_null=True,
        help_text="An allowed exception of a policy; null asks off-policy (a manager decides).",
    )
    policy = serializers.PrimaryKeyRelatedField(
        queryset=Policy.objects.filter(active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="For an off-policy request: the policy it departs from (optional).",
    )
    value = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    customer_ask = Text(max_length=2000, help_text="What the customer asked for.")
    justification = Text(max_length=2000)


class DecisionSerializer(serializers.Serializer):
    decision = choice(Decision.CHOICES)
    reason = Text(max_length=2000)
    counter_value = serializers.DecimalField(
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
        help_text="With `counter`: the lower value granted.",
        **MONEY,
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["decision"] == Decision.COUNTER and data["counter_value"] is None:
            raise serializers.ValidationError({"counter_value": _("Give the value you offer.")})
        return data


class WithdrawSerializer(serializers.Serializer):
    reason = Text(max_length=2000, required=False, allow_blank=True, default="")
