"""Cost to serve: the customers who cost the most in time and exceptions granted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery, Sum

from ..models import GRANTED_STATUSES, Case, Customer, ExceptionRequest, Interaction
from .period import TOP, Period


def cost_to_serve(period: Period) -> list[dict[str, Any]]:
    """Customers who cost the most: minutes × hourly cost, plus exception value granted.

    Summed per customer over the period's interactions and grants, then ranked here: the
    work follows the period's activity, not the number of customers. (Ranking in SQL with
    a subquery per customer took 4–10 s at 300,000 customers.)
    """
    hourly = Decimal(settings.CASEDESK_HOURLY_COST)
    minutes, granted = _minutes_and_grants(period)

    def cost_key(customer_id: int) -> Decimal:
        # Sixty times the cost: exact, with no division by 60 to round.
        return (minutes.get(customer_id) or 0) * hourly + (granted.get(customer_id) or 0) * 60

    costs = {customer_id: cost_key(customer_id) for customer_id in minutes.keys() | granted}
    if not costs:
        return []
    ranked = sorted(costs.values(), reverse=True)
    cutoff = ranked[min(TOP, len(ranked)) - 1]
    # Everyone tied at the cut-off competes on name, as the ranking says.
    candidates = [customer_id for customer_id, cost in costs.items() if cost >= cutoff]
    names = dict(Customer.objects.filter(pk__in=candidates).values_list("id", "name"))
    top = sorted(candidates, key=lambda pk: (-costs[pk], names.get(pk, "")))[:TOP]
    case_counts = _case_counts(period, top)
    return [
        _cost_row(
            pk,
            name=names.get(pk, ""),
            cases=case_counts.get(pk, 0),
            spent=minutes.get(pk) or 0,
            given=Decimal(granted.get(pk) or 0),
            hourly=hourly,
        )
        for pk in top
    ]


def _minutes_and_grants(period: Period) -> tuple[dict[int, Any], dict[int, Any]]:
    """Minutes spent and exception value granted in the period, per customer id."""
    in_scope = Q(team_id__in=period.team_ids)
    minutes = _minutes_per_customer(period)
    granted = dict(
        ExceptionRequest.objects.filter(
            in_scope,
            status__in=GRANTED_STATUSES,
            requested_at__gte=period.start,
            requested_at__lt=period.end,
        )
        .values("case__customer_id")
        .annotate(total=Sum("granted_value"))
        .values_list("case__customer_id", "total")
        .order_by()
    )
    return minutes, granted


# Up to this many teams, a period's cases are few beside the whole table.
LOOKUP_TEAMS = 3


def _minutes_per_customer(period: Period) -> dict[int, int]:
    """Minutes spent in the period per customer.

    Joined to cases, PostgreSQL hashes every case in the database for a manager's 90
    days, because it cannot tell how few cases a team's interactions name until it has
    summed them: 455 of insights' 554 ms at 1M cases, to match 4,200 cases. For a few
    teams the minutes are summed per case from the interactions' (team, time) index, with
    each case's customer read by its key in a subquery: 71 ms (30 days: 36 ms joined, 24
    so). Summing in one query and then reading the cases by a list of keys took 103 and
    65 ms. (bench/results/insights-sections-{before,lookups,after}-2026-12-01-*.json.)
    For many teams (an admin's 20: 84,000 cases in 90 days) the probes cost more than
    the hash, so the join stays.
    """
    interactions = Interaction.objects.filter(
        team_id__in=period.team_ids, occurred_at__gte=period.start, occurred_at__lt=period.end
    ).order_by()
    if len(period.team_ids) > LOOKUP_TEAMS:
        by_customer = interactions.values("case__customer_id").annotate(total=Sum("minutes"))
        return dict(by_customer.values_list("case__customer_id", "total"))
    # The customer as a subquery per case (an index probe on the case's key each), not a
    # join PostgreSQL would hash; summed per customer here.
    owner = (
        Case.objects.filter(pk=OuterRef("case_id"), team_id__in=period.team_ids)
        .order_by()
        .values("customer_id")[:1]
    )
    per_case = (
        interactions.values("case_id")
        .annotate(total=Sum("minutes"))
        .annotate(owner=Subquery(owner))
        .values_list("owner", "total")
    )
    minutes: dict[int, int] = {}
    for customer_id, total in per_case:
        if customer_id is not None:
            minutes[customer_id] = minutes.get(customer_id, 0) + (total or 0)
    return minutes


def _case_counts(period: Period, customer_ids: list[int]) -> dict[int, int]:
    """How many cases each of these customers opened with the teams in the period."""
    return dict(
        Case.objects.filter(
            customer_id__in=customer_ids,
            team_id__in=period.team_ids,
            created_at__gte=period.start,
            created_at__lt=period.end,
        )
        .values("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
        .order_by()
    )


def _cost_row(
    pk: int, *, name: str, cases: int, spent: int, given: Decimal, hourly: Decimal
) -> dict[str, Any]:
    """One customer's line: minutes and their cost, value granted, and the total."""
    cent = Decimal("0.01")
    time_cost = Decimal(spent) * hourly / 60
    return {
        "id": pk,
        "customer": name,
        "cases": cases,
        "minutes": spent,
        "time_cost": time_cost.quantize(cent),
        "granted": given.quantize(cent),
        "total": (time_cost + given).quantize(cent),
    }
