"""Who hears about what, by email."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from . import emails
from .models import ExceptionRequest, Level, Role, User


def deciders_for(request: ExceptionRequest) -> list[User]:
    """The people who could decide this request: the team's managers (for manager-level
    requests) and the admins, never the requester."""
    people = User.objects.filter(is_active=True).exclude(pk=request.requested_by_id)
    admins = Q(role=Role.ADMIN)
    if request.required_level <= Level.MANAGER:
        people = people.filter(admins | Q(role=Role.MANAGER, teams=request.case.team_id))
    else:
        people = people.filter(admins)
    return list(people.distinct().order_by("id"))


def send_exception_notice(*, request_id: int, notice: str) -> int:
    request = (
        ExceptionRequest.objects.select_related(
            "case", "case__customer", "case__team", "requested_by", "decided_by"
        )
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return 0
    context = {
        "request": request,
        "case": request.case,
        "case_url": emails.absolute_url(request.case.get_absolute_url()),
        "queue_url": emails.absolute_url(reverse("approvals")),
    }
    if notice == "requested":
        to = [user.email for user in deciders_for(request)]
        return emails.send("exception_requested", to=to, context=context)
    if notice == "decided":
        return emails.send("exception_decided", to=[request.requested_by.email], context=context)
    raise ValueError(f"Unknown notice {notice!r}")
