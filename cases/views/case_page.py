"""The case page's context, shared by every action that re-renders it or refuses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import permissions, selectors
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
from ..http import AuthedRequest
from .common import id_param


def event_anchor(request: AuthedRequest) -> int | None:
    """`?before=<event id>`: where an earlier page of the timeline starts (else the latest)."""
    return id_param(request.GET.get("before"))


def case_context(request: AuthedRequest, case: Any, **forms: Any) -> dict[str, Any]:
    """Everything the case page shows; `forms` replaces a blank form with an invalid one."""
    actions = permissions.allowed_actions(request.user, case)
    context: dict[str, Any] = {
        "case": case,
        "actions": actions,
        "timeline": selectors.case_timeline(case, before=event_anchor(request)),
        "guidance": selectors.guidance_for(case.demeanour),
        "case_policies": selectors.case_policies(case),
        "tasks": selectors.case_tasks(case),
        "matching_studies": selectors.matching_studies(request.user, case)
        if case.is_active
        else [],
    }
    if "log_interaction" in actions:
        context["quick_logs"] = selectors.quick_logs_for(
            case, user=request.user, case_policies=context["case_policies"]
        )
    context.update(_action_forms(request, case, actions, context.get("quick_logs", [])))
    decision_forms = forms.pop("decision_forms", {})
    context.update(forms)
    context["requests"] = _requests(request, case, decision_forms)
    return context


def _quick_initial(request: AuthedRequest, quick_logs: list[Any]) -> dict[str, Any]:
    """`?quick=<id>` (the quick-log link without JS): the form comes pre-filled."""
    chosen = id_param(request.GET.get("quick"))
    return next((item.initial() for item in quick_logs if item.pk == chosen), {})


def _action_forms(
    request: AuthedRequest, case: Any, actions: frozenset[str], quick_logs: list[Any]
) -> dict[str, Any]:
    """Only the forms this page shows: most cases at scale are closed, and building the
    rest cost three queries (team members, policies, allowed exceptions) for nothing."""
    reference = case.reference
    forms: dict[str, Any] = {}
    if "log_interaction" in actions:
        # Fetched once and shared by the forms that offer them (fixed queries per page).
        members = team_members(case.team)
        policies = policies_in_force()
        forms.update(
            interaction_form=InteractionForm(
                initial={
                    "channel": case.channel,
                    "demeanour": case.demeanour,
                    **_quick_initial(request, quick_logs),
                },
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
        if "request_exception" in actions:
            forms["request_form"] = ExceptionRequestForm(
                policies=policies, action=reverse("case_request_exception", args=[reference])
            )
    if "resolve" in actions:
        forms["resolve_form"] = ResolveForm(action=reverse("case_resolve", args=[reference]))
    if "reopen" in actions:
        forms["reopen_form"] = ReopenForm(action=reverse("case_reopen", args=[reference]))
    if "mark_study" in actions:
        forms["study_form"] = CaseStudyForm(action=reverse("case_mark_study", args=[reference]))
    return forms


def _requests(request: AuthedRequest, case: Any, decision_forms: dict[int, Any]) -> list[Any]:
    """The case's exception requests, each saying what this user may do with it."""
    requests = selectors.case_requests(case)
    for item in requests:
        item.can_decide = permissions.can_decide(request.user, item)
        item.can_withdraw = permissions.can_withdraw(request.user, item)
        if item.can_decide:
            item.form = decision_forms.get(item.pk) or DecisionForm(
                request_value=item.value, prefix=f"r{item.pk}"
            )
    return requests


def refused(request: AuthedRequest, case: Any, error: Exception) -> HttpResponse:
    """A rule refused the action (the case moved on meanwhile): say why on the case page.
    The form is not re-shown because the action no longer applies."""
    messages.error(request, str(error))
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = case.get_absolute_url()
        return response
    return redirect(case)


def rerender(request: AuthedRequest, case: Any, status: int = 400, **forms: Any) -> HttpResponse:
    """Show the case page again with the invalid form (and everything typed) in place."""
    return render(
        request, "cases/case_detail.html", case_context(request, case, **forms), status=status
    )
