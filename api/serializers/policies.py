from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from policies.models import AllowedException, ExceptionKind, Policy, PolicyCategory

from .common import BoundedDateField, Text, choice

MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0")}


class AllowedExceptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AllowedException
        fields = [
            "id",
            "name",
            "kind",
            "max_value",
            "staff_limit",
            "manager_limit",
            "guidance",
            "active",
        ]
        read_only_fields = fields


class PolicySerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        source="current_version.number", read_only=True, allow_null=True
    )
    allowed_exceptions = serializers.SerializerMethodField()

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
            "version",
            "allowed_exceptions",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AllowedExceptionSerializer(many=True))
    def get_allowed_exceptions(self, policy: Policy) -> list[dict[str, Any]]:
        # Prefetched by the view; inactive ones only for admins (as the library page).
        rows: Any = policy.allowed_exceptions.all()
        if not self.context.get("admin"):
            rows = [row for row in rows if row.active]
        return AllowedExceptionSerializer(rows, many=True).data


class AllowedExceptionWriteSerializer(serializers.Serializer):
    name = Text(max_length=200)
    kind = choice(ExceptionKind.choices)
    max_value = serializers.DecimalField(**MONEY)
    staff_limit = serializers.DecimalField(**MONEY)
    manager_limit = serializers.DecimalField(**MONEY)
    guidance = Text(required=False, allow_blank=True, default="", max_length=1000)
    active = serializers.BooleanField(default=True)
    note = Text(max_length=300, required=False, allow_blank=True, default="", write_only=True)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        current = self.instance
        limits = {
            key: data.get(key, getattr(current, key, None))
            for key in ("staff_limit", "manager_limit", "max_value")
        }
        staff, manager, maximum = (
            limits["staff_limit"],
            limits["manager_limit"],
            limits["max_value"],
        )
        if staff is None or manager is None or maximum is None:
            return data
        # Name the limit that breaks the ladder staff ≤ manager ≤ maximum.
        if maximum <= 0:
            raise serializers.ValidationError(
                {"max_value": _("The maximum must be more than zero.")}
            )
        if manager > maximum:
            raise serializers.ValidationError(
                {"manager_limit": _("The manager limit cannot be above the maximum value.")}
            )
        if staff > manager:
            raise serializers.ValidationError(
                {"staff_limit": _("The staff limit cannot be above the manager limit.")}
            )
        return data


class PolicyWriteSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    title = Text(max_length=200)
    category = choice(PolicyCategory.choices)
    # As the model and the admin's form (PolicyForm).
    customer_wording = Text(max_length=4000)
    internal_notes = Text(required=False, allow_blank=True, default="", max_length=4000)
    effective_from = BoundedDateField()
    effective_to = BoundedDateField(required=False, allow_null=True, default=None)
    active = serializers.BooleanField(default=True)
    note = Text(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why it changed: kept with the new version.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.partial:
            self.fields.pop("code")  # the code names the policy everywhere; it stays

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        start = data.get("effective_from", getattr(self.instance, "effective_from", None))
        end = data.get("effective_to", getattr(self.instance, "effective_to", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"effective_to": _("The policy cannot end before it starts.")}
            )
        return data
