"""The windows date and date-time inputs must fall in, in one place, so forms, filters,
services and the README agree.

Also the mixin that makes every form explain its text limits.

Why these windows: a due time is a promise to a person, so it is soon — from a day back
(catching up on yesterday's call) to two years ahead; a year-1000 date is a typo that would
at once email the managers that it is overdue, and a year-9999 one overflows the reminder
arithmetic. Reports and filters cover the business's own history: from 2000 to a year ahead.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, ngettext

DUE_GRACE_DAYS = 1
DUE_AHEAD_DAYS = 731  # two years
FIRST_DAY = date(2000, 1, 1)
AHEAD_DAYS = 366  # reports and filters: up to a year ahead
POLICY_AHEAD_DAYS = 5 * 366  # a policy may be written to start or end years from now


def due_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Earliest and latest due time accepted now: from the start of yesterday (local) to
    two years ahead."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    earliest = datetime.combine(
        today - timedelta(days=DUE_GRACE_DAYS), time.min, tzinfo=timezone.get_current_timezone()
    )
    return earliest, now + timedelta(days=DUE_AHEAD_DAYS)


def due_time_error(at: datetime, *, now: datetime | None = None) -> str | None:
    """Why `at` cannot be a due time, or None when it can."""
    earliest, latest = due_window(now)
    too_early = gettext("Choose a time from %(day)s on.") % {
        "day": f"{timezone.localtime(earliest):%d %b %Y}"
    }
    too_late = gettext("Choose a time within two years (by %(day)s).") % {
        "day": f"{timezone.localtime(latest):%d %b %Y}"
    }
    # By year first: comparing an aware year-1 or year-9999 time converts it to UTC,
    # which can fall outside what a datetime holds.
    if at.year < earliest.year - 1:
        return too_early
    if at.year > latest.year + 1:
        return too_late
    if at < earliest:
        return too_early
    if at > latest:
        return too_late
    return None


def day_window(*, ahead_days: int = AHEAD_DAYS) -> tuple[date, date]:
    """First and last day a report or a filter may ask about."""
    return FIRST_DAY, timezone.localdate() + timedelta(days=ahead_days)


def day_error(day: date, *, ahead_days: int = AHEAD_DAYS) -> str | None:
    """Why `day` cannot start or end a report or filter, or None when it can."""
    first, last = day_window(ahead_days=ahead_days)
    if not first <= day <= last:
        return gettext("Choose a day from %(first)s to %(last)s.") % {
            "first": f"{first:%d %b %Y}",
            "last": f"{last:%d %b %Y}",
        }
    return None


class ExplainedTextLimits:
    """A form mixin: every text field says how much it takes ("Up to 2,000 characters."),
    beside the `maxlength` Django already puts on the input. A longer value is refused
    by the field's own validator, with the count, and the text comes back as typed."""

    fields: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField) or not field.max_length:
                continue
            if field.widget.is_hidden:
                continue
            note = ngettext(
                "Up to %(count)s character.", "Up to %(count)s characters.", field.max_length
            ) % {"count": f"{field.max_length:,}"}
            if note in str(field.help_text):
                continue
            # Two sentences side by side: the field's own help, then the limit.
            field.help_text = f"{field.help_text} {note}" if field.help_text else note
