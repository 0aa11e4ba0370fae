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
    """The customer if the user may see them; 404 otherwise. Compiled and prepared as
    get_case_for (the profile's first query, on every profile)."""
    visible = compiled("access.customer", _visible_customer, (), prepared=True, user=user, pk=pk)
    customer = next(iter(visible), None)
    if customer is None:
        raise Http404(gettext("No such customer."))
    return customer


def _visible_customer(*, user: User, pk: int) -> QuerySet[Customer]:
    return Customer.objects.visible_to(user).select_related("team").filter(pk=pk)


def get_request_for(user: User, pk: int) -> ExceptionRequest:
    """An exception request on a case the user may see; 404 otherwise."""
    visible = compiled("access.request", _visible_request, (), prepared=True, user=user, pk=pk)
    request: ExceptionRequest | None = next(iter(visible), None)
    if request is None:
        raise Http404(gettext("No such request."))
    return request


def _visible_request(*, user: User, pk: int) -> QuerySet[ExceptionRequest]:
    return (
        ExceptionRequest.objects.visible_to(user)
        .select_related("case", "case__team", "requested_by", "decided_by")
        .filter(pk=pk)
    )


def get_task_for(user: User, pk: int) -> FollowUpTask:
    visible = compiled("access.task", _visible_task, (), prepared=True, user=user, pk=pk)
    task: FollowUpTask | None = next(iter(visible), None)
    if task is None:
        raise Http404(gettext("No such task."))
    return task


def _visible_task(*, user: User, pk: int) -> QuerySet[FollowUpTask]:
    return (
        FollowUpTask.objects.visible_to(user)
        .select_related("case", "case__team", "assignee")
        .filter(pk=pk)
    )
