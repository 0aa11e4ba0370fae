"""The quick logs offered on a case page, their summaries filled from the case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext

from casedesk import cache_keys
from policies.models import QuickLog
from policies.quick_logs import fill

from ..models import Case


@dataclass(frozen=True)
class FilledQuickLog:
    """A quick log as one case's interaction form takes it (summary filled)."""

    pk: int
    label: str
    channel: str
    minutes: int
    summary: str
    demeanour: str

    def initial(self) -> dict[str, Any]:
        """The interaction form's initial values (no JS: `?quick=<pk>` re-renders it)."""
        values: dict[str, Any] = {"summary": self.summary, "minutes": self.minutes}
        values.update(
            {k: v for k, v in (("channel", self.channel), ("demeanour", self.demeanour)) if v}
        )
        return values


def quick_logs_for(case: Case, *, user: Any, case_policies: list[Any]) -> list[FilledQuickLog]:
    """The active quick logs, in the admins' order. `{policy}` is the policy
    attached last to the case (the one most likely just explained)."""
    # Translators: fills {policy} in a quick log's summary when no policy is on the case.
    policy = case_policies[-1].policy.title if case_policies else gettext("our policy")
    values = {
        "customer": case.customer.name,
        "policy": policy,
        "agent": user.first_name or user.get_username(),
        "reference": case.reference,
    }
    return [
        FilledQuickLog(
            pk=item.pk,
            label=item.label,
            channel=item.channel or case.channel,
            minutes=item.minutes,
            summary=fill(item.summary, values),
            demeanour=item.demeanour,
        )
        for item in active_quick_logs()
    ]


def active_quick_logs() -> list[QuickLog]:
    """The active quick logs in order. Cached like guidance cards: on every case page,
    changed rarely, and any change clears them for every process (policies/apps.py)."""
    cached: list[QuickLog] | None = cache.get_or_set(
        cache_keys.QUICK_LOGS,
        lambda: list(QuickLog.objects.filter(active=True)),
        cache_keys.GUIDANCE_SECONDS,
    )
    return cached or []
