"""Complaints: cases per week and category, top categories, and surges now."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from casedesk import cache_keys

from ..models import Case
from .period import TOP, Period


def complaints(period: Period) -> dict[str, Any]:
    cases = Case.objects.filter(
        team_id__in=period.team_ids, created_at__gte=period.start, created_at__lt=period.end
    )
    weekly = [
        {
            "week": row["week"].date().isoformat(),
            "category": row["category__name"],
            "cases": row["n"],
        }
        for row in cases.annotate(week=TruncWeek("created_at"))
        .values("week", "category__name")
        .annotate(n=Count("id"))
        .order_by("week", "category__name")
    ]
    top = list(
        cases.values("category__name")
        .annotate(cases=Count("id"))
        .order_by("-cases", "category__name")[:TOP]
    )
    top = [{"category": r["category__name"], "cases": r["cases"]} for r in top]
    return {"complaints_weekly": weekly, "top_categories": top}


def surges(
    team_ids: tuple[int, ...] | list[int], *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Categories whose last 7 days run above FACTOR × their trailing 8-week weekly average,
    with at least MIN cases. Independent of the page's period: it is about now."""
    now = now or timezone.now()
    week_ago = now - timedelta(days=7)
    trailing_start = week_ago - timedelta(weeks=8)
    rows = (
        Case.objects.filter(
            team_id__in=team_ids, created_at__gte=trailing_start, created_at__lt=now
        )
        .values("category_id", "category__name")
        .annotate(
            current=Count("id", filter=Q(created_at__gte=week_ago)),
            trailing=Count("id", filter=Q(created_at__lt=week_ago)),
        )
        .order_by("category__name")
    )
    factor = Decimal(settings.CASEDESK_SURGE_FACTOR)
    found = []
    for row in rows:
        average = Decimal(row["trailing"]) / 8
        if (
            row["current"] >= settings.CASEDESK_SURGE_MIN_CASES
            and row["current"] > factor * average
        ):
            found.append(
                {
                    "category": row["category__name"],
                    "this_week": row["current"],
                    "weekly_average": average.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
                }
            )
    return found


def current_surges(team_ids: tuple[int, ...] | list[int]) -> list[dict[str, Any]]:
    """surges() for the home page, shared for CASEDESK_INSIGHTS_CACHE_SECONDS.

    surges() counts nine weeks of the teams' cases, so its cost grows with their volume
    (1.6 ms at 1M cases, 4.2 at 3M: bench/results/scale-3m-before-fixes-2026-11-30-2050/).
    Each team has a number that opening a case there bumps (services/badges.py), and the
    surges are kept with the numbers they were counted at: a case opened in one of the
    teams counts them afresh on the next page; the time limit only bounds changes made
    behind the services' back, and the passing of days."""
    seconds = settings.CASEDESK_INSIGHTS_CACHE_SECONDS
    if not seconds:
        return surges(team_ids)
    generation_keys = [cache_keys.surges_generation(team_id) for team_id in team_ids]
    key = cache_keys.surges(team_ids=team_ids)
    found = cache.get_many([*generation_keys, key])
    # Read before counting: a bump in between makes this entry stale at once.
    generations = tuple(found.get(generation, 0) for generation in generation_keys)
    kept = found.get(key)
    if kept is not None and kept[0] == generations:
        return list(kept[1])
    counted = surges(team_ids)
    cache.set(key, (generations, counted), seconds)
    return counted
