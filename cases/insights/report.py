"""The whole insights page: every section for a period, and its shared cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache

from casedesk import cache_keys
from casedesk.db_router import replica_reads

from .complaint_trends import complaints, surges
from .cost import cost_to_serve
from .demeanour import demeanour_outcomes
from .exception_requests import exceptions
from .feedback import satisfaction
from .followups import follow_through
from .period import Period


@dataclass
class Insights:
    period: Period
    exceptions_by_policy: list[dict[str, Any]] = field(default_factory=list)
    exceptions_by_exception: list[dict[str, Any]] = field(default_factory=list)
    exceptions_by_person: list[dict[str, Any]] = field(default_factory=list)
    exception_share: list[dict[str, Any]] = field(default_factory=list)
    decision_hours: dict[str, Any] = field(default_factory=dict)
    follow_through: list[dict[str, Any]] = field(default_factory=list)
    reminders: dict[str, int] = field(default_factory=dict)
    satisfaction: list[dict[str, Any]] = field(default_factory=list)
    low_ratings: list[dict[str, Any]] = field(default_factory=list)
    complaints_weekly: list[dict[str, Any]] = field(default_factory=list)
    top_categories: list[dict[str, Any]] = field(default_factory=list)
    surges: list[dict[str, Any]] = field(default_factory=list)
    cost_to_serve: list[dict[str, Any]] = field(default_factory=list)
    demeanour_outcomes: list[dict[str, Any]] = field(default_factory=list)
    policy_signals: list[dict[str, Any]] = field(default_factory=list)


def cached_insights(period: Period) -> Insights:
    """insights_for, shared for CASEDESK_INSIGHTS_CACHE_SECONDS per period and teams."""
    seconds = settings.CASEDESK_INSIGHTS_CACHE_SECONDS
    if not seconds:
        return insights_from_replica(period)
    key = cache_keys.insights(start=period.start, end=period.end, team_ids=period.team_ids)
    return cast(Insights, cache.get_or_set(key, lambda: insights_from_replica(period), seconds))


def insights_from_replica(period: Period) -> Insights:
    """insights_for on the read replica when there is a fresh one: aggregates that may lag
    by seconds, kept off the primary that serves the counter."""
    with replica_reads():
        return insights_for(period)


def insights_for(period: Period) -> Insights:
    result = Insights(period=period)
    for part in (
        exceptions(period),
        follow_through(period),
        satisfaction(period),
        complaints(period),
    ):
        for key, value in part.items():
            setattr(result, key, value)
    result.surges = surges(period.team_ids)
    result.cost_to_serve = cost_to_serve(period)
    result.demeanour_outcomes = demeanour_outcomes(period)
    return result
