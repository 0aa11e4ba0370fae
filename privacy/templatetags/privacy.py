"""The privacy app's pieces on other apps' pages: one tag each, so those pages need a
single line (and no query at all for the people the piece is not for)."""

from __future__ import annotations

from typing import Any

from django import template

from cases.models import Role

from ..access import may_export
from ..models import PrivacyEvent, RetentionProgress, SubjectAccessExport

register = template.Library()


@register.inclusion_tag("privacy/_profile_link.html", takes_context=True)
def privacy_profile_link(context: dict[str, Any], customer: Any) -> dict[str, Any]:
    """A "Data protection" button on the customer's profile, for whoever may export."""
    user = context["request"].user
    return {"customer": customer, "show": may_export(user), "is_admin": user.role == Role.ADMIN}


@register.inclusion_tag("privacy/_profile_record.html", takes_context=True)
def privacy_profile_record(context: dict[str, Any], customer: Any) -> dict[str, Any]:
    """The customer's latest exports and erasure, on their profile, for whoever may export
    (one query for them, none for anyone else)."""
    if not may_export(context["request"].user):
        return {"events": []}
    events = PrivacyEvent.objects.filter(customer=customer).select_related("actor")[:3]
    return {"customer": customer, "events": list(events)}


@register.inclusion_tag("privacy/_home_card.html", takes_context=True)
def privacy_home_card(context: dict[str, Any]) -> dict[str, Any]:
    """Admins' home: what the retention sweep has done and exports still building."""
    user = context["request"].user
    if user.role != Role.ADMIN:
        return {"show": False}
    from ..services import retention_settings

    return {
        "show": True,
        "policy": retention_settings(),
        "progress": RetentionProgress.objects.filter(pk=1).first(),
        "exports_building": SubjectAccessExport.objects.filter(
            state__in=["queued", "building"]
        ).count(),
    }
