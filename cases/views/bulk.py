"""Bulk actions from the case list: managers assign, re-prioritise or close many cases.

A plain form (works without JS); the service does everything or nothing, and a refusal
comes back to the same list with the same cases still selected and every reference that
stopped it named.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext_lazy
from django.views.decorators.http import require_POST

from .. import services
from ..http import AuthedRequest
from ..models import Priority, User, visible_teams
from ..permissions import can_act_in_bulk
from ..services.bulk import MAX_BULK_CASES
from .common import id_param

NOBODY = "none"


def assignable_people(user: User) -> list[User]:
    """Who a manager may hand cases to: active members of the teams they see."""
    return list(
        User.objects.filter(is_active=True, teams__in=visible_teams(user))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def bulk_context(request: AuthedRequest) -> dict[str, object] | None:
    """What the case list's bulk-actions bar needs (None: this user sees no checkboxes).
    `?selected=1,2` ticks those cases again after a refusal. The people are a callable:
    the template asks for them only when its cached options have expired."""
    user = request.user
    if not can_act_in_bulk(user):
        return None
    raw = request.GET.get("selected", "").split(",")[:MAX_BULK_CASES]
    return {
        "people": lambda: assignable_people(user),
        "priorities": Priority.choices,
        "selected": [pk for pk in map(id_param, raw) if pk is not None],
        "nobody": NOBODY,
    }


def _back(request: HttpRequest, selected: list[int] | None = None) -> HttpResponse:
    """To the list the form was sent from (this site only); after a refusal, with the same
    cases still ticked (`selected`)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith(reverse("case_list")):
        target = reverse("case_list")
    if selected:
        separator = "&" if "?" in target else "?"
        target += separator + urlencode({"selected": ",".join(map(str, selected))})
    return redirect(target)


def _run(request: AuthedRequest, action: str, ids: list[int]) -> services.BulkResult:
    """One service call for the chosen action; a CaseError tells the user what to fix."""
    by = request.user
    if action == "assign":
        choice = request.POST.get("assignee", "")
        if choice == NOBODY:
            return services.bulk_assign(by=by, case_ids=ids, assignee=None)
        people = {person.pk: person for person in assignable_people(by)}
        assignee = people.get(id_param(choice) or 0)
        if assignee is None:
            raise services.NotAllowed(gettext("Choose who to assign the cases to."))
        return services.bulk_assign(by=by, case_ids=ids, assignee=assignee)
    if action == "priority":
        priority = request.POST.get("priority", "")
        if priority not in Priority.values:
            raise services.NotAllowed(gettext("Choose a priority."))
        return services.bulk_set_priority(by=by, case_ids=ids, priority=priority)
    if action == "close":
        return services.bulk_close(by=by, case_ids=ids)
    raise services.NotAllowed(gettext("Choose an action."))


# What a bulk action did, in whole sentences with their plural forms (the number is taken
# from "count" when the text is filled in): with the cases changed listed, and with none.
DONE = {
    "assign": (
        ngettext_lazy(
            "Reassigned %(count)d case: %(references)s.",
            "Reassigned %(count)d cases: %(references)s.",
            "count",
        ),
        ngettext_lazy("Reassigned %(count)d case.", "Reassigned %(count)d cases.", "count"),
    ),
    "priority": (
        ngettext_lazy(
            "Priority changed on %(count)d case: %(references)s.",
            "Priority changed on %(count)d cases: %(references)s.",
            "count",
        ),
        ngettext_lazy(
            "Priority changed on %(count)d case.", "Priority changed on %(count)d cases.", "count"
        ),
    ),
    "close": (
        ngettext_lazy(
            "Closed %(count)d case: %(references)s.",
            "Closed %(count)d cases: %(references)s.",
            "count",
        ),
        ngettext_lazy("Closed %(count)d case.", "Closed %(count)d cases.", "count"),
    ),
}


def _done_message(action: str, result: services.BulkResult) -> str:
    """ "Reassigned 2 cases: CD-000001, CD-000002." and, when some were already so,
    "Already so: CD-000003." (two sentences)."""
    listed, bare = DONE[action]
    count = len(result.changed)
    text = (listed if count else bare) % {"count": count, "references": ", ".join(result.changed)}
    if result.unchanged:
        # Translators: cases a bulk action left as they were, e.g. "CD-000003, CD-000007".
        already = gettext("Already so: %(references)s.")
        text += " " + already % {"references": ", ".join(result.unchanged)}
    return text


@login_required
@require_POST
def case_bulk(request: AuthedRequest) -> HttpResponse:
    if not can_act_in_bulk(request.user):
        raise PermissionDenied(gettext("Only managers act on many cases at once."))
    ids = [pk for pk in map(id_param, request.POST.getlist("case")) if pk is not None]
    action = request.POST.get("action", "")
    try:
        result = _run(request, action, ids)
    except services.CaseError as error:
        messages.error(request, str(error))
        return _back(request, ids)
    messages.success(request, _done_message(action, result))
    return _back(request)
