from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value: object) -> str:
    """Exact money for display: 1234.5 → "1,234.50". Aggregates on SQLite lose the scale."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return f"{amount:,}"


def _labels() -> dict[str, dict[str, str]]:
    from policies.models import Demeanour

    from ..models import Outcome, Priority, RequestStatus, Status

    status = dict(Status.choices)
    return {
        "status": status,
        "reopened": status,
        "resolved": dict(Outcome.choices),
        "priority": dict(Priority.choices),
        "demeanour": dict(Demeanour.choices),
        "exc_decided": dict(RequestStatus.choices),
    }


@register.filter
def event_label(value: str, kind: str) -> str:
    """The human label of a value stored on a timeline event ("pending_approval" → …)."""
    return _labels().get(kind, {}).get(value, value)
