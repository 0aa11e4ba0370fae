"""Satisfaction: feedback asked and answered per week, and the low ratings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from ..models import Case, FeedbackRequest
from .period import Period, half_up


def satisfaction(period: Period) -> dict[str, Any]:
    asked = FeedbackRequest.objects.filter(
        case__team_id__in=period.team_ids,
        send_at__gte=period.start,
        send_at__lt=min(period.end, timezone.now()),
    )
    weekly = [
        {
            "week": row["week"].date().isoformat(),
            "asked": row["asked"],
            "answered": row["answered"],
            "response_rate": half_up(Decimal(100 * row["answered"]) / row["asked"], "1")
            if row["asked"]
            else 0,
            "average": half_up(Decimal(str(row["average"])), "0.01")
            if row["average"] is not None
            else None,
        }
        for row in asked.annotate(week=TruncWeek("send_at"))
        .values("week")
        .annotate(
            asked=Count("id"),
            answered=Count("id", filter=Q(rating__isnull=False)),
            average=Avg("rating"),
        )
        .order_by("week")
    ]
    low = [
        {
            "reference": Case(pk=row["case_id"]).reference,
            "rating": row["rating"],
            "comment": row["comment"],
            "answered": timezone.localtime(row["used_at"]).date().isoformat(),
        }
        for row in asked.filter(rating__lte=2)
        .values("case_id", "rating", "comment", "used_at")
        .order_by("used_at")[:50]
    ]
    return {"satisfaction": weekly, "low_ratings": low}
