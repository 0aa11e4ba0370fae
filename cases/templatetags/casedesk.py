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


@register.simple_tag
def cell(row: dict[str, object], key: str) -> str:
    """One cell of an insights table: money as money, the customer's name as a link."""
    from django.urls import reverse
    from django.utils.html import format_html

    value = row.get(key)
    if key == "customer" and row.get("id"):
        return format_html(
            '<a href="{}">{}</a>', reverse("customer_detail", args=[row["id"]]), value
        )
    if key == "reference" and value:
        return format_html('<a href="{}">{}</a>', reverse("case_detail", args=[value]), value)
    if isinstance(value, Decimal):
        return money(value)
    return "—" if value is None else str(value)
