"""Pages for customers, cases and interactions.

Each view finds its objects through `visible_to` / `get_*_for` (404 outside the user's
teams), validates a form, makes one service call and turns a domain error into a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .access import get_case_for, get_customer_for, get_request_for, get_task_for
from .filters import CaseFilter
from .forms import (
    AttachPolicyForm,
    CaseForm,
    CompleteTaskForm,
    CustomerForm,
    DecisionForm,
    ExceptionRequestForm,
    FeedbackForm,
    InteractionForm,
    ReassignForm,
    ReopenForm,
    RescheduleTaskForm,
    ResolveForm,
    TaskForm,
    TriageForm,
    policies_in_force,
    team_members,
)
from .models import Customer, RequestStatus, Role, Status
from .pagination import paginate


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/home.html", {"home": selectors.home_for(request.user)})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    results = selectors.search(request.user, search_text(request))
    if results.case and not results.cases and not results.customers:
        return redirect(results.case)
    return render(request, "cases/search.html", {"results": results})


def search_text(request: HttpRequest) -> str:
    """The `q` parameter as safe text: NUL bytes (which PostgreSQL refuses) dropped, 200
    characters at most."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:200]


def _without_page(request: HttpRequest) -> str:
    """The current query string minus the page number, for links to other pages."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# Customers -----------------------------------------------------------------------------


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    query = search_text(request)
    customers = Customer.objects.visible_to(request.user).select_related("team")
    if query:
        customers = customers.filter(
            Q(name__icontains=query)
            | Q(email_normalised__startswith=query.lower())
            | Q(phone_normalised__contains="".join(c for c in query if c.isdigit()) or query)
        )
    page = paginate(
        customers.order_by("name", "id"),
        page=request.GET.get("page"),
        per_page=request.GET.get("per_page"),
    )
    template = "cases/_customer_rows.html" if request.htmx else "cases/customer_list.html"
    context = {"page": page, "query": query, "query_string": _without_page(request)}
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = services.create_customer(
            by=request.user,
            team=data["team"],
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            preferred_channel=data["preferred_channel"],
            preferences=data["preferences"],
            flags=data["flags"],
        )
        messages.success(request, f"Customer {customer} saved.")
        return redirect(customer)
    return render(request, "cases/customer_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for(request.user, pk)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.update_customer(
            customer,
            by=request.user,
            **{name: data[name] for name in form.Meta.fields if name in data and name != "team"},
        )
        messages.success(request, "Customer details saved.")
        return redirect(customer)
    return render(
        request, "cases/customer_form.html", {"form": form, "customer": customer, "creating": False}
    )


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for(request.user, pk)
    profile = selectors.customer_profile(request.user, customer)
    return render(request, "cases/customer_detail.html", {"profile": profile, "customer": customer})


# Cases ---------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    filterset = CaseFilter(
        request.GET or None, queryset=selectors.case_list_queryset(request.user), user=request.user
    )
    page = paginate(
        filterset.qs, page=request.GET.get("page"), per_page=request.GET.get("per_page")
    )
    return render(
        request,
        "cases/case_list.html",
        {"filter": filterset, "page": page, "query_string": _without_page(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    preset = None
    customer_id = request.GET.get("customer") or request.POST.get("customer")
    if customer_id and str(customer_id).isdigit():
        preset = get_customer_for(request.user, int(customer_id))
        initial["customer"] = preset.pk
    form = CaseForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case_fields = {
            "team": data["team"],
            "subject": data["subject"],
            "category": data["category"],
            "channel": data["channel"],
            "priority": data["priority"],
            "demeanour": data["demeanour"],
            "assignee": request.user if data["assign_to_me"] else None,
            "first_summary": data["first_summary"],
            "first_minutes": data["first_minutes"] or 0,
        }
        try:
            if data["customer"] is not None:
                case = services.open_case(by=request.user, customer=data["customer"], **case_fields)
            else:
                case = services.open_case_for_new_customer(
                    by=request.user,
                    name=data["customer_name"],
                    email=data["customer_email"],
                    phone=data["customer_phone"],
                    **case_fields,
                )
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Case {case.reference} opened.")
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form, "preset": preset})


def _case_context(request: HttpRequest, case: Any, **forms: Any) -> dict[str, Any]:
    reference = case.reference
    # Fetched once and shared by the forms that offer them (fixed queries per page).
    members = team_members(case.team)
    policies = policies_in_force()
    context: dict[str, Any] = {
        "case": case,
        "timeline": selectors.case_timeline(case),
        "guidance": selectors.guidance_for(case.demeanour),
        "interaction_form": InteractionForm(
            initial={"channel": case.channel, "demeanour": case.demeanour},
            action=reverse("case_log_interaction", args=[reference]),
        ),
        "reassign_form": ReassignForm(
            initial={"assignee": case.assignee_id},
            team=case.team,
            members=members,
            action=reverse("case_reassign", args=[reference]),
        ),
        "triage_form": TriageForm(
            initial={"priority": case.priority, "demeanour": case.demeanour},
            action=reverse("case_triage", args=[reference]),
        ),
        "resolve_form": ResolveForm(action=reverse("case_resolve", args=[reference])),
        "reopen_form": ReopenForm(action=reverse("case_reopen", args=[reference])),
        "attach_form": AttachPolicyForm(
            policies=policies, action=reverse("case_attach_policy", args=[reference])
        ),
        "request_form": ExceptionRequestForm(
            policies=policies, action=reverse("case_request_exception", args=[reference])
        ),
        "case_policies": selectors.case_policies(case),
        "tasks": selectors.case_tasks(case),
        "task_form": TaskForm(
            initial={"assignee": case.assignee_id or request.user.pk},
            team=case.team,
            members=members,
            action=reverse("case_add_task", args=[reference]),
        ),
        "can_resolve": case.status in {Status.NEW, Status.OPEN},
        "can_reopen": case.status == Status.RESOLVED,
    }
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
    context["can_request"] = case.status in {
        Status.NEW,
        Status.OPEN,
        Status.PENDING_APPROVAL,
    }
    return context


@login_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    return render(request, "cases/case_detail.html", _case_context(request, case))


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


@login_required
@require_POST
def case_log_interaction(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    action = reverse("case_log_interaction", args=[reference])
    form = InteractionForm(request.POST, action=action)
    if form.is_valid():
        try:
            services.log_interaction(case, by=request.user, **form.cleaned_data)
        except services.CaseError as error:
            return _refused(request, case, error)
        else:
            if request.htmx:
                # Refresh the panel (a fresh form), the timeline and the header together.
                case = get_case_for(request.user, reference)
                context = _case_context(request, case)
                context["logged"] = True
                return render(request, "cases/_interaction_logged.html", context)
            messages.success(request, "Interaction logged.")
            return redirect(case)
    if request.htmx:
        context = _case_context(request, case, interaction_form=form)
        return render(request, "cases/_interaction_panel.html", context)
    return _rerender(request, case, interaction_form=form)


@login_required
@require_POST
def case_reassign(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = ReassignForm(
        request.POST, team=case.team, action=reverse("case_reassign", args=[reference])
    )
    if form.is_valid():
        try:
            services.reassign_case(case, by=request.user, assignee=form.cleaned_data["assignee"])
        except services.CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Case reassigned.")
        return redirect(case)
    return _rerender(request, case, reassign_form=form)


@login_required
@require_POST
def case_triage(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = TriageForm(request.POST, action=reverse("case_triage", args=[reference]))
    if form.is_valid():
        try:
            services.update_triage(case, by=request.user, **form.cleaned_data)
        except services.CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Case updated.")
        return redirect(case)
    return _rerender(request, case, triage_form=form)


@login_required
@require_POST
def case_resolve(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = ResolveForm(request.POST, action=reverse("case_resolve", args=[reference]))
    if form.is_valid():
        try:
            services.resolve_case(case, by=request.user, **form.cleaned_data)
        except services.CaseError as error:
            return _refused(request, case, error)
        else:
            messages.success(request, f"Case {case.reference} resolved.")
            return redirect(case)
    return _rerender(request, case, resolve_form=form)


@login_required
@require_POST
def case_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = ReopenForm(request.POST, action=reverse("case_reopen", args=[reference]))
    if form.is_valid():
        try:
            services.reopen_case(case, by=request.user, reason=form.cleaned_data["reason"])
        except services.CaseError as error:
            return _refused(request, case, error)
        else:
            messages.success(request, f"Case {case.reference} reopened.")
            return redirect(case)
    return _rerender(request, case, reopen_form=form)


# Operations ----------------------------------------------------------------------------


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and operators: is the database up, and is the worker beating?"""
    from django.http import JsonResponse

    report = selectors.health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


# Policies and exception requests on a case ---------------------------------------------


@login_required
@require_POST
def case_attach_policy(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = AttachPolicyForm(request.POST)
    if form.is_valid():
        try:
            services.attach_policy(case, by=request.user, policy=form.cleaned_data["policy"])
        except services.CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Policy attached.")
        return redirect(case)
    return _rerender(request, case, attach_form=form)


@login_required
@require_POST
def case_request_exception(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = ExceptionRequestForm(
        request.POST, action=reverse("case_request_exception", args=[reference])
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_exception(
                case,
                by=request.user,
                allowed=data["allowed_exception"],
                policy=data["policy"],
                value=data["value"],
                customer_ask=data["customer_ask"],
                justification=data["justification"],
            )
        except services.CaseError as error:
            if not case.is_active:
                return _refused(request, case, error)
            form.add_error(None, str(error))
        else:
            if created.status == RequestStatus.GRANTED:
                messages.success(
                    request, f"Granted: {created.exception_name}, {created.value} {currency()}."
                )
            else:
                messages.info(request, "Request sent for a decision; the case is pending approval.")
            return redirect(case)
    return _rerender(request, case, request_form=form)


@login_required
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    exception_request = get_request_for(request.user, pk)
    case = exception_request.case
    form = DecisionForm(
        request.POST, request_value=exception_request.value, prefix=f"r{exception_request.pk}"
    )
    back = request.POST.get("next") == "approvals"
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.decide_exception(
                exception_request,
                by=request.user,
                decision=data["decision"],
                reason=data["reason"],
                counter_value=data["counter_value"],
            )
        except services.AlreadyDecided as error:
            messages.warning(request, str(error))
        except services.CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"{case.reference}: {decided.get_status_display().lower()}"
                + (f" at {decided.granted_value} {currency()}." if decided.granted_value else "."),
            )
        return redirect("approvals" if back else case.get_absolute_url())
    if back:
        return approvals(request, invalid={exception_request.pk: form})
    return _rerender(request, case, decision_forms={exception_request.pk: form})


@login_required
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    exception_request = get_request_for(request.user, pk)
    try:
        services.withdraw_exception(exception_request, by=request.user)
    except services.CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Request withdrawn.")
    return redirect(exception_request.case)


@login_required
def approvals(request: HttpRequest, invalid: dict[int, Any] | None = None) -> HttpResponse:
    """The decision queue: managers (their teams, up to their limit) and admins."""
    if request.user.role == Role.STAFF:
        raise PermissionDenied("The approvals queue is for managers and admins.")
    queue = selectors.approval_queue(request.user)
    invalid = invalid or {}
    for item in queue:
        item.form = invalid.get(item.pk) or DecisionForm(
            request_value=item.value, prefix=f"r{item.pk}"
        )
    status = 400 if invalid else 200
    return render(
        request, "cases/approvals.html", {"queue": queue, "now": timezone.now()}, status=status
    )


def currency() -> str:
    from django.conf import settings

    return settings.CASEDESK_CURRENCY


# Follow-up tasks ----------------------------------------------------------------------


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    board = selectors.my_tasks(request.user)
    return render(request, "cases/tasks.html", {"board": board, "scope": "mine"})


@login_required
def team_tasks(request: HttpRequest) -> HttpResponse:
    if request.user.role == Role.STAFF:
        raise PermissionDenied("Team tasks are for managers and admins.")
    board = selectors.team_tasks(request.user)
    return render(request, "cases/tasks.html", {"board": board, "scope": "team"})


@login_required
@require_POST
def case_add_task(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    if case.status == Status.CLOSED:
        # Only the page's form is refused: service recovery after closing is the service's.
        return _refused(request, case, services.NotAllowed("This case is closed."))
    form = TaskForm(request.POST, team=case.team, action=reverse("case_add_task", args=[reference]))
    if form.is_valid():
        try:
            services.add_task(case, by=request.user, **form.cleaned_data)
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Task added; reminders are scheduled.")
            return redirect(case)
    return _rerender(request, case, task_form=form)


def _back(request: HttpRequest, task: Any) -> HttpResponse:
    """Return to where the action was taken: a task list or the case."""
    target = request.POST.get("next", "")
    if target in {"my_tasks", "team_tasks"}:
        return redirect(target)
    return redirect(task.case)


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
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
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for(request.user, pk)
    try:
        services.cancel_task(task, by=request.user, reason=request.POST.get("reason", "")[:500])
    except services.CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Cancelled: {task.title}.")
    return _back(request, task)


@login_required
@require_POST
def task_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for(request.user, pk)
    form = RescheduleTaskForm(request.POST, prefix=f"t{pk}")
    if not form.is_valid():
        messages.error(request, "Give a valid new due time.")
        return _back(request, task)
    try:
        services.reschedule_task(task, by=request.user, due_at=form.cleaned_data["due_at"])
    except services.CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Moved: {task.title}.")
    return _back(request, task)


# Customer feedback (no sign-in) -------------------------------------------------------


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's page from the emailed link. Shows nothing of the case beyond the
    business and the date; unknown tokens are a 404."""
    found = services.find_feedback(token)
    if found is None:
        raise Http404("No such link.")
    context: dict[str, Any] = {"feedback": found}
    if found.used_at:
        return render(
            request, "cases/feedback_closed.html", {**context, "reason": "used"}, status=410
        )
    if found.expires_at <= timezone.now():
        return render(
            request, "cases/feedback_closed.html", {**context, "reason": "expired"}, status=410
        )
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_feedback(found, **form.cleaned_data)
        except services.FeedbackClosed:
            return render(
                request, "cases/feedback_closed.html", {**context, "reason": "used"}, status=410
            )
        return render(request, "cases/feedback_thanks.html", context)
    return render(request, "cases/feedback.html", {**context, "form": form})
