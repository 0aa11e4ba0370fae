"""Exceptions asked and granted: by policy, by exception, by granter, and decision times."""

from __future__ import annotations

from typing import Any

from django.db.models import Case as When_
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from ..models import DECIDED_STATUSES, GRANTED_STATUSES, ExceptionRequest, RequestStatus, User
from .period import MONEY, TOP, Period, percentile, person_name

# Lazy: the rows are cached and shared by everyone who looks at the same period and teams,
# so each viewer reads them in their own language.
OFF_POLICY = gettext_lazy("Off-policy")
OFF_POLICY_TITLE = gettext_lazy("Off-policy exceptions")


def exceptions(period: Period) -> dict[str, Any]:
    requests = ExceptionRequest.objects.filter(
        team_id__in=period.team_ids,
        requested_at__gte=period.start,
        requested_at__lt=period.end,
    )
    per_group = _per_group()
    by_policy = [
        {
            "policy": row["policy_version__policy__code"] or OFF_POLICY,
            "title": row["policy_version__policy__title"] or OFF_POLICY_TITLE,
            **{k: row[k] for k in per_group},
        }
        for row in requests.values("policy_version__policy__code", "policy_version__policy__title")
        .annotate(**per_group)
        .order_by("-value", "-granted", "policy_version__policy__code")
    ]
    # Policies, not the off-policy line (its label is translated: compare by identity).
    of_policies = [r for r in by_policy if r["policy"] is not OFF_POLICY]
    by_exception = list(
        requests.values("exception_name")
        .annotate(**per_group)
        .order_by("-value", "-granted", "exception_name")
    )
    by_person = _by_granter(requests)
    labels = dict(RequestStatus.choices)
    share = [
        {"status": labels[row["status"]], "count": row["n"]}
        for row in requests.values("status").annotate(n=Count("id")).order_by("-n", "status")
    ]
    return {
        "exceptions_by_policy": by_policy,
        "exceptions_by_exception": by_exception,
        "exceptions_by_person": by_person,
        "exception_share": share,
        "decision_hours": _decision_hours(requests),
        "policy_signals": sorted(
            of_policies,
            key=lambda r: (-r["requested"], -r["denied"], r["policy"]),
        )[:TOP],
    }


def _per_group() -> dict[str, Any]:
    """Requests asked, granted and denied, and the value granted, per group of rows."""
    granted = Q(status__in=GRANTED_STATUSES)
    return {
        "requested": Count("id"),
        "granted": Count("id", filter=granted),
        "denied": Count("id", filter=Q(status=RequestStatus.DENIED)),
        "value": Coalesce(Sum("granted_value", filter=granted), Value(0, output_field=MONEY)),
    }


def _by_granter(requests: QuerySet[ExceptionRequest]) -> list[dict[str, Any]]:
    """The TOP people by value granted, with how many they granted."""
    # Who granted: the requester when it was within their discretion, else the decider.
    granter = When_(
        When(status=RequestStatus.GRANTED, then=F("requested_by_id")),
        default=F("decided_by_id"),
        output_field=IntegerField(),
    )
    by_person_rows = list(
        requests.filter(status__in=GRANTED_STATUSES)
        .annotate(granter=granter)
        .values("granter")
        .annotate(granted=Count("id"), value=Sum("granted_value"))
        .order_by("-value", "granter")[:TOP]
    )
    names = {
        u["id"]: person_name(u["first_name"], u["last_name"], u["username"])
        for u in User.objects.filter(id__in=[r["granter"] for r in by_person_rows]).values(
            "id", "first_name", "last_name", "username"
        )
    }
    return [
        {"person": names.get(r["granter"], "—"), "granted": r["granted"], "value": r["value"]}
        for r in by_person_rows
    ]


def _decision_hours(requests: QuerySet[ExceptionRequest]) -> dict[str, Any]:
    """How many requests were decided, and the median and 90th percentile wait in hours."""
    durations = requests.filter(status__in=DECIDED_STATUSES).annotate(
        duration=ExpressionWrapper(
            F("decided_at") - F("requested_at"), output_field=DurationField()
        )
    )
    decided = durations.count()
    return {
        "decided": decided,
        "median": percentile(durations, decided, 0.5),
        "p90": percentile(durations, decided, 0.9),
    }
