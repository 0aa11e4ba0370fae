"""How an exception request ended, said in a sentence: shared by the services' refusals
("This request was already denied…") and the views' messages ("CD-000012: approved")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from ..models import ExceptionRequest, RequestStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# What became of a request, in a sentence ("This request was already denied").
_OUTCOME: dict[str, StrOrPromise] = {
    RequestStatus.GRANTED: pgettext_lazy("exception request outcome", "granted"),
    RequestStatus.APPROVED: pgettext_lazy("exception request outcome", "approved"),
    RequestStatus.COUNTERED: pgettext_lazy(
        "exception request outcome", "approved at a lower value"
    ),
    RequestStatus.DENIED: pgettext_lazy("exception request outcome", "denied"),
    RequestStatus.WITHDRAWN: pgettext_lazy("exception request outcome", "withdrawn"),
}


def outcome_phrase(status: str) -> str:
    """What became of a request, to go in a sentence: "approved", "denied"…"""
    phrase = _OUTCOME.get(status) or RequestStatus(status).label.lower()
    return str(phrase)


def already_decided_message(request: ExceptionRequest) -> str:
    """Why a decision came too late, e.g. "This request was already approved by Ada Admin
    at 14:05 on 03 Mar." """
    status = outcome_phrase(request.status)
    when = timezone.localtime(request.decided_at) if request.decided_at else None
    values = {
        "status": status,
        "person": request.decided_by,
        "time": f"{when:%H:%M}" if when else "",
        "day": f"{when:%d %b}" if when else "",
    }
    if request.decided_by_id and when:
        # Translators: %(status)s is what became of the request, e.g. "approved" or "denied".
        text = gettext("This request was already %(status)s by %(person)s at %(time)s on %(day)s.")
    elif request.decided_by_id:
        text = gettext("This request was already %(status)s by %(person)s.")
    elif when:
        text = gettext("This request was already %(status)s at %(time)s on %(day)s.")
    else:
        text = gettext("This request was already %(status)s.")
    return text % values
