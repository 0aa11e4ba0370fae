"""Getting one object for a user, or a 404. Views never fetch cases or customers otherwise."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext

from .models import Case, Customer, ExceptionRequest, FollowUpTask, User, parse_reference
from .selectors.compiled import compiled


def get_case_for(user: User, reference: str) -> Case:
    """The case with this reference if the user may see it; 404 otherwise."""
    case_id = parse_reference(reference)
    if case_id is None:
        raise Http404(gettext("No such case."))
    # Made into SQL once per shape of user, not per request (selectors/compiled.py), and
    # kept prepared: by key, the generic plan is the custom one (selectors/prepared.py).
    visible = compiled("access.case", _visible_case, (), prepared=True, user=user, case_id=case_id)
    case = next(iter(visible), None)
    if case is None:
        raise Http404(gettext("No such case."))
    return case


def _visible_case(*, user: User, case_id: int) -> QuerySet[Case]:
    # Only what the case page shows: at 1M cases each extra join costs more in PostgreSQL's
    # planning than the row fetch itself. No ORDER BY either: there is one row.
    return (
        Case.objects.visible_to(user)
        .select_related("customer", "team", "category", "assignee", "study")
        .filter(pk=case_id)
    )


def get_customer_for(user: User, pk: int) -> Customer:
    customer = Customer.objects.visible_to(user).select_related("team").filter(pk=pk).first()
    if customer is None:
        raise Http404(gettext("No such customer."))
    return customer


def get_request_for(user: User, pk: int) -> ExceptionRequest:
    """An exception request on a case the user may see; 404 otherwise."""
    request: ExceptionRequest | None = (
        ExceptionRequest.objects.visible_to(user)
        .select_related("case", "case__team", "requested_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404(gettext("No such request."))
    return request


def get_task_for(user: User, pk: int) -> FollowUpTask:
    task: FollowUpTask | None = (
        FollowUpTask.objects.visible_to(user)
        .select_related("case", "case__team", "assignee")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404(gettext("No such task."))
    return task
