"""The period and teams a report covers, and the rounding and naming every section
shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import DecimalField, QuerySet
from django.utils import timezone

from ..models import Role, Team, User

MONEY: DecimalField[Any, Any] = DecimalField(max_digits=14, decimal_places=2)
TOP = 10


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    team_ids: tuple[int, ...]

    @classmethod
    def from_dates(cls, first: date, last: date, team_ids: list[int]) -> Period:
        """Whole local days from `first` to `last` inclusive."""
        tz = timezone.get_current_timezone()
        start = datetime.combine(first, time.min, tzinfo=tz)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
        return cls(start=start, end=end, team_ids=tuple(sorted(team_ids)))

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def teams_for(user: User) -> QuerySet[Team]:
    """Managers see their own teams, admins all; staff none."""
    if user.role == Role.ADMIN:
        return Team.objects.order_by("name")
    if user.role == Role.MANAGER:
        return Team.objects.filter(id__in=user.team_ids()).order_by("name")
    return Team.objects.none()


def half_up(value: Decimal, places: str) -> Any:
    """Round like the rest of the page (money, surges): halves go up, not to even."""
    rounded = value.quantize(Decimal(places), rounding=ROUND_HALF_UP)
    return int(rounded) if places == "1" else float(rounded)


def person_name(first: str | None, last: str | None, username: str | None) -> str:
    full = f"{first or ''} {last or ''}".strip()
    return full or username or "—"


def percentile(durations: QuerySet[Any], count: int, fraction: float) -> float | None:
    """Nearest-rank percentile, in hours, by ORDER BY … OFFSET: portable SQL, one query."""
    if not count:
        return None
    offset = max(int(-(-fraction * count // 1)) - 1, 0)  # ceil(fraction × n) − 1
    value = durations.order_by("duration").values_list("duration", flat=True)[offset]
    return round(value.total_seconds() / 3600, 1)
