"""Follow-up tasks: the boards, adding one to a case, and done/cancel/move."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from .. import permissions, selectors, services
from ..access import get_case_for, get_task_for
from ..forms import (
    CompleteTaskForm,
    RescheduleTaskForm,
    TaskForm,
)
from ..http import AuthedRequest
from .case_page import refused, rerender


@login_required
@require_safe
def my_tasks(request: AuthedRequest) -> HttpResponse:
    board = selectors.my_tasks(request.user)
    return render(request, "cases/tasks.html", {"board": board, "scope": "mine"})


@login_required
@require_safe
def team_tasks(request: AuthedRequest) -> HttpResponse:
    if not permissions.can_see_team_tasks(request.user):
        raise PermissionDenied(gettext("Team tasks are for managers and admins."))
    board = selectors.team_tasks(request.user)
    return render(request, "cases/tasks.html", {"board": board, "scope": "team"})


@login_required
@require_POST
def case_add_task(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    if not permissions.can_work_on(request.user, case):
        # Only the page's form is refused: service recovery after closing is the service's.
        return refused(request, case, services.NotAllowed(gettext("This case is closed.")))
    form = TaskForm(request.POST, team=case.team, action=reverse("case_add_task", args=[reference]))
    if form.is_valid():
        try:
            services.add_task(case, by=request.user, **form.cleaned_data)
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Task added; reminders are scheduled."))
            return redirect(case)
    return rerender(request, case, task_form=form)


def _row_again(request: AuthedRequest, task: Any, **row_form: Any) -> HttpResponse:
    """An invalid done/move form: the page it was sent from again (400), with the message
    beside the field and what was typed kept, like every other form (a flash message lost
    the typed time). A board holds at most TASK_LIMIT rows, so a task not on it is shown
    on its case page, which lists all of the case's tasks."""
    failed = {"pk": task.pk, **row_form}
    target = request.POST.get("next", "")
    if target == "team_tasks" and permissions.can_see_team_tasks(request.user):
        board, scope = selectors.team_tasks(request.user), "team"
    elif target == "my_tasks":
        board, scope = selectors.my_tasks(request.user), "mine"
    else:
        return rerender(request, task.case, failed_task=failed)
    if task.pk not in {row.pk for row in [*board.overdue, *board.today, *board.upcoming]}:
        return rerender(request, task.case, failed_task=failed)
    context = {"board": board, "scope": scope, "failed_task": failed}
    return render(request, "cases/tasks.html", context, status=400)


def _back(request: AuthedRequest, task: Any) -> HttpResponse:
    """Return to where the action was taken: a task list or the case."""
    target = request.POST.get("next", "")
    if target in {"my_tasks", "team_tasks"}:
        return redirect(target)
    return redirect(task.case)


@login_required
@require_POST
def task_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    task = get_task_for(request.user, pk)
    form = CompleteTaskForm(request.POST, prefix=f"t{pk}")
    if not form.is_valid():
        return _row_again(request, task, complete=form)
    try:
        services.complete_task(
            task, by=request.user, outcome_note=form.cleaned_data["outcome_note"]
        )
    except services.TaskAlreadyClosed as error:
        # Someone closed it meanwhile: the form no longer applies, so the case page says why.
        messages.error(request, str(error))
    except services.CaseError as error:
        form.add_error("outcome_note", str(error))
        return _row_again(request, task, complete=form)
    else:
        messages.success(request, gettext("Done: %(task)s.") % {"task": task.title})
    return _back(request, task)


@login_required
@require_POST
def task_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    task = get_task_for(request.user, pk)
    try:
        services.cancel_task(
            task, by=request.user, reason=request.POST.get("reason", "").replace("\x00", "")[:500]
        )
    except services.CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Cancelled: %(task)s.") % {"task": task.title})
    return _back(request, task)


@login_required
@require_POST
def task_reschedule(request: AuthedRequest, pk: int) -> HttpResponse:
    task = get_task_for(request.user, pk)
    form = RescheduleTaskForm(request.POST, prefix=f"t{pk}")
    if not form.is_valid():
        return _row_again(request, task, reschedule=form)
    try:
        services.reschedule_task(task, by=request.user, due_at=form.cleaned_data["due_at"])
    except services.TaskAlreadyClosed as error:
        messages.error(request, str(error))
    except services.CaseError as error:
        # The window moved on between the form's check and the service's (or a rule the
        # form does not know): still the due time's problem, so it is shown beside it.
        form.add_error("due_at", str(error))
        return _row_again(request, task, reschedule=form)
    else:
        messages.success(request, gettext("Moved: %(task)s.") % {"task": task.title})
    return _back(request, task)
