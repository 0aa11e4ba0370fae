"""Quick logs: the admins' short list of one-tap interaction summaries, and filling one
for a case. Writes go through `save_quick_log` (the Django admin included)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

# Cases import policies' models, not this module: no cycle.
from cases.models import Channel, Role

from .models import Demeanour, QuickLog

PLACEHOLDER = re.compile(r"\{(\w+)\}")
FIELDS = ("label", "channel", "minutes", "summary", "demeanour", "order", "active")
_MINUTES = {"least": 0, "most": 1440}


class QuickLogError(Exception):
    """The quick log cannot be saved as it is; the message says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def check_quick_log(*, fields: Mapping[str, Any]) -> None:
    """Refuse what the interaction form could not take: an unknown channel or demeanour,
    minutes beyond a day, a placeholder nobody fills."""
    if not str(fields.get("label", "")).strip():
        raise QuickLogError("label", gettext("Give the quick log a label."))
    if not str(fields.get("summary", "")).strip():
        raise QuickLogError("summary", gettext("Write the summary it fills in."))
    if fields.get("channel") and fields["channel"] not in Channel.values:
        raise QuickLogError(
            "channel", gettext("%(value)s is not a channel.") % {"value": repr(fields["channel"])}
        )
    if fields.get("demeanour") and fields["demeanour"] not in Demeanour.values:
        raise QuickLogError(
            "demeanour",
            gettext("%(value)s is not a demeanour.") % {"value": repr(fields["demeanour"])},
        )
    if not 0 <= int(fields.get("minutes", 0)) <= 1440:
        raise QuickLogError(
            "minutes", gettext("Minutes must be between %(least)d and %(most)d.") % _MINUTES
        )
    unknown = sorted(set(PLACEHOLDER.findall(fields["summary"])) - set(QuickLog.PLACEHOLDERS))
    if unknown:
        known = ", ".join("{" + name + "}" for name in QuickLog.PLACEHOLDERS)
        raise QuickLogError(
            "summary",
            # Translators: e.g. "Unknown placeholder {custmer}: use {customer}, {policy}…".
            gettext("Unknown placeholder %(placeholder)s: use %(known)s.")
            % {"placeholder": "{" + unknown[0] + "}", "known": known},
        )


@transaction.atomic
def save_quick_log(*, by: Any, quick_log: QuickLog | None = None, **fields: Any) -> QuickLog:
    """Add or change a quick log (admins only); refused with the field at fault."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown quick log fields: {sorted(unknown)}")
    if getattr(by, "role", None) != Role.ADMIN and not getattr(by, "is_superuser", False):
        raise QuickLogError("label", gettext("Only admins keep the quick logs."))
    quick_log = quick_log or QuickLog()
    for name, value in fields.items():
        setattr(quick_log, name, value.strip() if isinstance(value, str) else value)
    check_quick_log(fields={name: getattr(quick_log, name) for name in FIELDS})
    quick_log.save()
    return quick_log


def fill(summary: str, values: Mapping[str, str]) -> str:
    """The summary with its placeholders filled; one without a value stays as typed, so
    the user sees what to complete (`str.format` would fail on a stray brace)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or m.group(0), summary)
