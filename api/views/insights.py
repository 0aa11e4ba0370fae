from __future__ import annotations

from dataclasses import fields
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import insights, permissions

from .base import ApiViewSet, errors, require

MAX_DAYS = 366
SECTIONS = [f.name for f in fields(insights.Insights) if f.name != "period"]


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day (default: 29 days ago).")
    end = serializers.DateField(required=False, help_text="Last day (default: today).")
    team = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="One of your teams."
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        data.setdefault("end", today)
        data.setdefault("start", data["end"] - timedelta(days=29))
        if data["start"] > data["end"]:
            raise serializers.ValidationError({"start": _("The period starts after it ends.")})
        if (data["end"] - data["start"]).days >= MAX_DAYS:
            most = ngettext(
                "At most %(days)d day at once.", "At most %(days)d days at once.", MAX_DAYS
            )
            raise serializers.ValidationError({"start": most % {"days": MAX_DAYS}})
        return data


SUMMARY = inline_serializer(
    "InsightsSummary",
    fields={
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "teams": serializers.ListField(child=serializers.IntegerField()),
        **{
            name: serializers.JSONField(help_text="As the insights page's table of that name.")
            for name in SECTIONS
        },
    },
)


class InsightsViewSet(ApiViewSet):
    pagination_class = None

    @extend_schema(
        summary="Insights for a period (managers: their teams; admins: all)",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Default: 29 days ago."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Default: today."),
            OpenApiParameter("team", int),
        ],
        responses={200: SUMMARY, **errors(400, 403)},
        examples=[
            OpenApiExample(
                "Summary",
                value={
                    "start": "2026-11-01",
                    "end": "2026-11-30",
                    "teams": [1],
                    "exceptions_by_policy": [{"policy": "RET-30", "granted": 12, "value": 240.0}],
                },
                response_only=True,
            )
        ],
    )
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        require(request, permissions.can_see_insights, _("Insights are for managers and admins."))
        query = PeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period_data = query.validated_data
        team_ids = list(insights.teams_for(request.user).values_list("id", flat=True))
        if "team" in period_data:
            if period_data["team"] not in team_ids:
                raise serializers.ValidationError({"team": [_("Not one of your teams.")]})
            team_ids = [period_data["team"]]
        period = insights.Period.from_dates(period_data["start"], period_data["end"], team_ids)
        data = insights.cached_insights(period)
        body: dict[str, Any] = {
            "start": period_data["start"],
            "end": period_data["end"],
            "teams": list(period.team_ids),
        }
        body.update({name: getattr(data, name) for name in SECTIONS})
        return Response(body)
