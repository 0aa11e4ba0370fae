"""Satisfaction: ratings by the week they were given, requests by the week they were
planned for (sent), and the low ratings.

Which date counts: a rating says how the customer felt when they answered, so "satisfaction
over time" places each rating in the week it was given (`used_at`). Counted by the date the
request was planned for (`send_at`), a week's average kept moving as late answers trickled
in weeks afterwards, and an answer given in this period to a request planned before it was
missing from the period. The response rate is the other question — of the requests planned
for a week, how many have been answered — so it stays with the week they were planned for.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from ..models import Case, FeedbackRequest
from .period import Period, half_up


def _weeks(period: Period) -> tuple[dict[Any, dict[str, Any]], dict[Any, dict[str, Any]]]:
    """(requests planned per week, ratings given per week): two grouped queries."""
    mine = FeedbackRequest.objects.filter(team_id__in=period.team_ids)
    planned = (
        mine.filter(send_at__gte=period.start, send_at__lt=min(period.end, timezone.now()))
        .annotate(week=TruncWeek("send_at"))
        .values("week")
        .annotate(asked=Count("id"), replied=Count("id", filter=Q(rating__isnull=False)))
    )
    given = (
        mine.filter(used_at__gte=period.start, used_at__lt=period.end, rating__isnull=False)
        .annotate(week=TruncWeek("used_at"))
        .values("week")
        .annotate(answered=Count("id"), average=Avg("rating"))
    )
    return {r["week"]: r for r in planned}, {r["week"]: r for r in given}


def satisfaction(period: Period) -> dict[str, Any]:
    planned, given = _weeks(period)
    weekly = []
    for week in sorted(planned.keys() | given.keys()):
        asked = planned.get(week, {}).get("asked", 0)
        replied = planned.get(week, {}).get("replied", 0)
        average = given.get(week, {}).get("average")
        weekly.append(
            {
                "week": week.date().isoformat(),
                "asked": asked,
                "answered": given.get(week, {}).get("answered", 0),
                "response_rate": half_up(Decimal(100 * replied) / asked, "1") if asked else 0,
                "average": half_up(Decimal(str(average)), "0.01") if average is not None else None,
            }
        )
    low = [
        {
            "reference": Case(pk=row["case_id"]).reference,
            "rating": row["rating"],
            "comment": row["comment"],
            "answered": timezone.localtime(row["used_at"]).date().isoformat(),
        }
        for row in FeedbackRequest.objects.filter(
            team_id__in=period.team_ids,
            used_at__gte=period.start,
            used_at__lt=period.end,
            rating__lte=2,
        )
        .values("case_id", "rating", "comment", "used_at")
        .order_by("used_at")[:50]
    ]
    return {"satisfaction": weekly, "low_ratings": low}
