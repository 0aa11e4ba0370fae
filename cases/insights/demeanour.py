"""Demeanour and outcome: how resolved cases ended, by the customer's demeanour."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from policies.models import Demeanour

from ..models import Case, Outcome
from .period import Period


def demeanour_outcomes(period: Period) -> list[dict[str, Any]]:
    """Resolved cases in the period by demeanour, and how they ended."""
    rows = (
        Case.objects.filter(
            team_id__in=period.team_ids, resolved_at__gte=period.start, resolved_at__lt=period.end
        )
        .values("demeanour", "outcome")
        .annotate(n=Count("id"))
    )
    labels = dict(Demeanour.choices)
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        line = table.setdefault(
            row["demeanour"],
            {
                "demeanour": labels.get(row["demeanour"], row["demeanour"]),
                **dict.fromkeys(Outcome.values, 0),
            },
        )
        if row["outcome"] in Outcome.values:
            line[row["outcome"]] = row["n"]
    order = {value: index for index, value in enumerate(Demeanour.values)}
    return [table[key] for key in sorted(table, key=lambda k: (order.get(k, 99), k))]
