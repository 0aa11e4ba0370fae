"""The admins' notice of switched-off endpoints, on their home page."""

from typing import Any

from django import template

from ..models import Endpoint

register = template.Library()


@register.inclusion_tag("webhooks/_disabled_notice.html")
def webhook_notices() -> dict[str, Any]:
    """Endpoints the sweep switched off after failing too long (one small query; shown
    only on admins' home)."""
    disabled = Endpoint.objects.exclude(disabled_reason="").only(
        "id", "url", "disabled_at", "disabled_reason"
    )
    return {"disabled": list(disabled.order_by("-disabled_at")[:20])}
