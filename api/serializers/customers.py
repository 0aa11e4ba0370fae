from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from casedesk import languages
from cases.models import (
    FLAG_REASON_NEEDED,
    Channel,
    Customer,
    CustomerFlag,
    Team,
    normalise_phone,
    visible_teams,
)

from .common import TeamRef, Text, choice


def clean_phone(value: str) -> str:
    """As the customer form: 6 to 15 digits, however they are written."""
    value = value.strip()
    if value and not 6 <= len(normalise_phone(value).lstrip("+")) <= 15:
        raise serializers.ValidationError(_("Enter a phone number of 6 to 15 digits."))
    return value


class CustomerSerializer(serializers.ModelSerializer):
    team = TeamRef(read_only=True, help_text="The team that registered the customer.")
    flags = serializers.ListField(child=choice(CustomerFlag.choices), read_only=True)
    # Either may be empty (one of them is there): plain strings, not format "email".
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "preferred_channel",
            "preferred_language",
            "preferences",
            "flags",
            "team",
            "created_at",
            "updated_at",
            "erased_at",
        ]
        read_only_fields = fields


class CustomerWriteSerializer(serializers.Serializer):
    """Create (all of it; `team` defaults to your only team) or change (any part)."""

    name = Text(max_length=200)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    preferred_channel = choice(Channel.choices, required=False, default=Channel.PHONE)
    preferred_language = choice(
        languages.choices(),
        required=False,
        help_text="The language of the customer's emails and feedback page; when left out "
        "of a new customer, the server's default (CASEDESK_CUSTOMER_LANGUAGE).",
    )
    # As the model and the page's form: 2,000 (was 10,000 here, past what the page shows).
    preferences = Text(required=False, allow_blank=True, default="", max_length=2000)
    flags = serializers.ListField(
        child=choice(CustomerFlag.choices), required=False, default=list, max_length=10
    )
    flags_reason = Text(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the flags change: needed when a flag is added. Kept beside the flag "
        "with who set it and when.",
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(), required=False, allow_null=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "team" in self.fields:
            self.fields["team"].queryset = visible_teams(request.user)

    def validate_phone(self, value: str) -> str:
        return clean_phone(value)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        customer = self.instance
        email = data.get("email", customer.email if customer else "")
        phone = data.get("phone", customer.phone if customer else "")
        if not (email or phone):
            raise serializers.ValidationError(
                {"email": _("Give an email or a phone number so we can reach them.")}
            )
        added = set(data.get("flags", ())) - set(customer.flags if customer else ())
        if added and not data.get("flags_reason", "").strip():
            raise serializers.ValidationError({"flags_reason": FLAG_REASON_NEEDED})
        if "team" in self.fields and data.get("team") is None:
            teams = list(self.fields["team"].queryset[:2])
            if len(teams) != 1:
                raise serializers.ValidationError({"team": _("Choose the customer's team.")})
            data["team"] = teams[0]
        return data


class CustomerUpdateSerializer(CustomerWriteSerializer):
    """Any part of the details; a customer's home team does not change."""

    team = None
