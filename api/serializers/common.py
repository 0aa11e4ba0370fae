"""Shapes shared by every resource: references to related objects, errors, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.limits import POLICY_AHEAD_DAYS, day_error, due_time_error

# Dates outside this range are refused: far-future years overflow time-zone conversion,
# and nothing in a case is planned or recorded outside them.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_MINUTES = 24 * 60


class BoundedDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value: Any) -> datetime:
        moment = super().to_internal_value(value)
        if not EARLIEST <= moment < LATEST:
            raise serializers.ValidationError(
                _("Give a time between 2000 and 2100."), code="out_of_range"
            )
        return moment


class DueTimeField(BoundedDateTimeField):
    """A due time (a task's, a promise's): within the window the pages use
    (cases/limits.py), refused here so the error names the field, not only by the
    service."""

    def to_internal_value(self, value: Any) -> datetime:
        moment = super().to_internal_value(value)
        if error := due_time_error(moment):
            raise serializers.ValidationError(error, code="out_of_range")
        return moment


class BoundedDateField(serializers.DateField):
    """A policy's start or end: within the window the policy form uses (2000 to five
    years ahead)."""

    def to_internal_value(self, value: Any) -> date:
        day = super().to_internal_value(value)
        if error := day_error(day, ahead_days=POLICY_AHEAD_DAYS):
            raise serializers.ValidationError(error, code="out_of_range")
        return day


class Text(serializers.CharField):
    """Free text: trimmed, NUL characters refused (DRF's default), bounded."""

    def __init__(self, *, max_length: int = 10_000, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)


class TeamRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PersonRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    username = serializers.CharField()


class NamedRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ErrorItem(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The request field at fault (dotted for nested); null."
    )
    message = serializers.CharField(help_text="What went wrong, fit to show a person.")
    code = serializers.CharField(help_text="Machine-readable: required, invalid, not_allowed…")


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItem(many=True)


def choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class MemberField(serializers.PrimaryKeyRelatedField):
    """A person, by id, among the active members of the teams the requester can see: an id
    from elsewhere is simply unknown (the service then checks the case's own team)."""

    def get_queryset(self) -> Any:
        from cases.models import User, visible_teams

        user = self.context["request"].user
        return User.objects.filter(is_active=True, teams__in=visible_teams(user)).distinct()
