"""The case page's context, shared by every action that re-renders it or refuses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import selectors, services
from ..forms import (
    AttachPolicyForm,
    CaseStudyForm,
    DecisionForm,
    ExceptionRequestForm,
    InteractionForm,
    ReassignForm,
    ReopenForm,
    ResolveForm,
    TaskForm,
    TriageForm,
    policies_in_force,
    team_members,
)
from ..models import Role, Status
from .common import _id_param


def _event_anchor(request: HttpRequest) -> int | None:
    """`?before=<event id>`: where an earlier page of the timeline starts (else the latest)."""
    return _id_param(request.GET.get("before"))


def _case_context(request: HttpRequest, case: Any, **forms: Any) -> dict[str, Any]:
    reference = case.reference
    is_open = case.status != Status.CLOSED
    can_request = case.status in {Status.NEW, Status.OPEN, Status.PENDING_APPROVAL}
    can_resolve = case.status in {Status.NEW, Status.OPEN}
    can_reopen = case.status == Status.RESOLVED
    can_mark_study = (
        request.user.role != Role.STAFF
        and case.status in {Status.RESOLVED, Status.CLOSED}
        and not hasattr(case, "study")
    )
    context: dict[str, Any] = {
        "case": case,
        "timeline": selectors.case_timeline(case, before=_event_anchor(request)),
        "guidance": selectors.guidance_for(case.demeanour),
        "case_policies": selectors.case_policies(case),
        "tasks": selectors.case_tasks(case),
        "can_resolve": can_resolve,
        "can_reopen": can_reopen,
        "can_request": can_request,
        "can_mark_study": can_mark_study,
        "matching_studies": selectors.matching_studies(request.user, case)
        if case.is_active
        else [],
    }
    # Only the forms this page shows: most cases at scale are closed, and building the
    # rest cost three queries (team members, policies, allowed exceptions) for nothing.
    if is_open:
        # Fetched once and shared by the forms that offer them (fixed queries per page).
        members = team_members(case.team)
        policies = policies_in_force()
        context.update(
            interaction_form=InteractionForm(
                initial={"channel": case.channel, "demeanour": case.demeanour},
                action=reverse("case_log_interaction", args=[reference]),
            ),
            reassign_form=ReassignForm(
                initial={"assignee": case.assignee_id},
                team=case.team,
                members=members,
                action=reverse("case_reassign", args=[reference]),
            ),
            triage_form=TriageForm(
                initial={"priority": case.priority, "demeanour": case.demeanour},
                action=reverse("case_triage", args=[reference]),
            ),
            attach_form=AttachPolicyForm(
                policies=policies, action=reverse("case_attach_policy", args=[reference])
            ),
            task_form=TaskForm(
                initial={"assignee": case.assignee_id or request.user.pk},
                team=case.team,
                members=members,
                action=reverse("case_add_task", args=[reference]),
            ),
        )
        if can_request:
            context["request_form"] = ExceptionRequestForm(
                policies=policies, action=reverse("case_request_exception", args=[reference])
            )
    if can_resolve:
        context["resolve_form"] = ResolveForm(action=reverse("case_resolve", args=[reference]))
    if can_reopen:
        context["reopen_form"] = ReopenForm(action=reverse("case_reopen", args=[reference]))
    if can_mark_study:
        context["study_form"] = CaseStudyForm(action=reverse("case_mark_study", args=[reference]))
    decision_forms = forms.pop("decision_forms", {})
    context.update(forms)
    requests = selectors.case_requests(case)
    for item in requests:
        item.can_decide = item.is_pending and services.can_decide(request.user, item)
        item.can_withdraw = item.is_pending and item.requested_by_id == request.user.pk
        if item.can_decide:
            item.form = decision_forms.get(item.pk) or DecisionForm(
                request_value=item.value, prefix=f"r{item.pk}"
            )
    context["requests"] = requests
    return context


def _refused(request: HttpRequest, case: Any, error: Exception) -> HttpResponse:
    """A rule refused the action (the case moved on meanwhile): say why on the case page.
    The form is not re-shown because the action no longer applies."""
    messages.error(request, str(error))
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = case.get_absolute_url()
        return response
    return redirect(case)


def _rerender(request: HttpRequest, case: Any, status: int = 400, **forms: Any) -> HttpResponse:
    """Show the case page again with the invalid form (and everything typed) in place."""
    return render(
        request, "cases/case_detail.html", _case_context(request, case, **forms), status=status
    )
