"""Follow-up tasks: the boards, adding one to a case, and done/cancel/move."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
        raise PermissionDenied("Team tasks are for managers and admins.")
    board = selectors.team_tasks(request.user)
    return render(request, "cases/tasks.html", {"board": board, "scope": "team"})


@login_required
@require_POST
def case_add_task(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    if not permissions.can_work_on(request.user, case):
        # Only the page's form is refused: service recovery after closing is the service's.
        return refused(request, case, services.NotAllowed("This case is closed."))
    form = TaskForm(request.POST, team=case.team, action=reverse("case_add_task", args=[reference]))
    if form.is_valid():
        try:
            services.add_task(case, by=request.user, **form.cleaned_data)
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Task added; reminders are scheduled.")
            return redirect(case)
    return rerender(request, case, task_form=form)


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
        messages.error(request, "Say what came of the task before marking it done.")
        return _back(request, task)
    try:
        services.complete_task(
            task, by=request.user, outcome_note=form.cleaned_data["outcome_note"]
        )
    except services.CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Done: {task.title}.")
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
        messages.success(request, f"Cancelled: {task.title}.")
    return _back(request, task)


@login_required
@require_POST
def task_reschedule(request: AuthedRequest, pk: int) -> HttpResponse:
    task = get_task_for(request.user, pk)
    form = RescheduleTaskForm(request.POST, prefix=f"t{pk}")
    if not form.is_valid():
        problem = " ".join(str(e) for e in form.errors.get("due_at", [])) or (
            "Give a valid new due time."
        )
        messages.error(request, f"New due time: {problem}")
        return _back(request, task)
    try:
        services.reschedule_task(task, by=request.user, due_at=form.cleaned_data["due_at"])
    except services.CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Moved: {task.title}.")
    return _back(request, task)
