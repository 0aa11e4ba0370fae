"""Pages for customers, cases and interactions.

Each view finds its objects through `visible_to` / `get_*_for` (404 outside the user's
teams), validates a form, makes one service call and turns a domain error into a message.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
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
    CaseStudyForm,
    CompleteTaskForm,
    CustomerForm,
    DecisionForm,
    ExceptionRequestForm,
    FeedbackForm,
    InsightsForm,
    InteractionForm,
    ReassignForm,
    ReopenForm,
    RescheduleTaskForm,
    ResolveForm,
    StudyFilterForm,
    TaskForm,
    TriageForm,
    policies_in_force,
    team_members,
)
from .models import CaseStudy, Customer, Outcome, RequestStatus, Role, Status
from .pagination import paginate


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/home.html", {"home": selectors.home_for(request.user)})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    results = selectors.search(request.user, selectors.search_text(request))
    if results.case and not results.cases and not results.customers:
        return redirect(results.case)
    return render(request, "cases/search.html", {"results": results})


def _without_page(request: HttpRequest) -> str:
    """The current query string minus the page number, for links to other pages."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# Customers -----------------------------------------------------------------------------


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    query = selectors.search_text(request)
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
    customer = None
    if filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data["customer"]:
        # Named above the list; someone else's customer simply matches no cases.
        customer_id = filterset.form.cleaned_data["customer"]
        customer = Customer.objects.visible_to(request.user).filter(pk=customer_id).first()
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": filterset,
            "page": page,
            "customer": customer,
            "query_string": _without_page(request),
            "filter_cache_seconds": settings.CASEDESK_FILTER_FORM_CACHE_SECONDS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    preset = None
    customer_id = _id_param(request.GET.get("customer") or request.POST.get("customer"))
    if customer_id is not None:
        preset = get_customer_for(request.user, customer_id)
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


def _id_param(value: object) -> int | None:
    """An id from the URL or a form, or None: ASCII digits only ("²" is a digit to Python
    but not to int()). Too large for the column is simply an id that matches nothing."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() else None


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


@login_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    return render(request, "cases/case_detail.html", _case_context(request, case))


@login_required
@require_http_methods(["GET"])
def case_timeline(request: HttpRequest, reference: str) -> HttpResponse:
    """The next page of older timeline events, for the "Show earlier events" button."""
    case = get_case_for(request.user, reference)
    timeline = selectors.case_timeline(case, before=_event_anchor(request))
    if not request.htmx:
        # Without htmx the button is a plain link to the case page at that point.
        anchor = f"?before={timeline.before}" if timeline.before else ""
        return redirect(f"{case.get_absolute_url()}{anchor}#timeline")
    return render(request, "cases/_timeline_items.html", {"case": case, "timeline": timeline})


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


# Insights ------------------------------------------------------------------------------

# The tables the page shows and the CSV export offers: key → (title, columns).
INSIGHT_TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "exceptions_by_policy": (
        "Exceptions by policy",
        [
            ("policy", "Policy"),
            ("title", "Title"),
            ("requested", "Requested"),
            ("granted", "Granted"),
            ("denied", "Denied"),
            ("value", "Value granted"),
        ],
    ),
    "exceptions_by_exception": (
        "Exceptions by allowed exception",
        [
            ("exception_name", "Exception"),
            ("requested", "Requested"),
            ("granted", "Granted"),
            ("denied", "Denied"),
            ("value", "Value granted"),
        ],
    ),
    "exceptions_by_person": (
        "Exceptions granted by person",
        [("person", "Granted by"), ("granted", "Granted"), ("value", "Value granted")],
    ),
    "exception_share": ("How requests ended", [("status", "Status"), ("count", "Requests")]),
    "follow_through": (
        "Follow-through by person",
        [
            ("person", "Assignee"),
            ("on_time", "Done on time"),
            ("late", "Done late"),
            ("overdue", "Still overdue"),
            ("open", "Not yet due"),
        ],
    ),
    "satisfaction": (
        "Satisfaction by week",
        [
            ("week", "Week of"),
            ("asked", "Asked"),
            ("answered", "Answered"),
            ("response_rate", "Response rate %"),
            ("average", "Average rating"),
        ],
    ),
    "low_ratings": (
        "Low ratings",
        [
            ("reference", "Case"),
            ("rating", "Rating"),
            ("comment", "Comment"),
            ("answered", "Answered on"),
        ],
    ),
    "complaints_weekly": (
        "Cases by category and week",
        [("week", "Week of"), ("category", "Category"), ("cases", "Cases")],
    ),
    "top_categories": ("Top complaint categories", [("category", "Category"), ("cases", "Cases")]),
    "cost_to_serve": (
        "Customers who cost the most",
        [
            ("customer", "Customer"),
            ("cases", "Cases"),
            ("minutes", "Minutes"),
            ("time_cost", "Time cost"),
            ("granted", "Exceptions granted"),
            ("total", "Total"),
        ],
    ),
    "demeanour_outcomes": (
        "Outcomes by demeanour",
        [("demeanour", "Demeanour"), *[(value, label) for value, label in Outcome.choices]],
    ),
    "policy_signals": (
        "Policies to review",
        [
            ("policy", "Policy"),
            ("title", "Title"),
            ("requested", "Exceptions requested"),
            ("denied", "Denied"),
        ],
    ),
}


def _insights_scope(request: HttpRequest) -> tuple[Any, Any]:
    from . import insights

    if request.user.role == Role.STAFF:
        raise PermissionDenied("Insights are for managers and admins.")
    teams = list(insights.teams_for(request.user))
    form = InsightsForm(request.GET or None, teams=teams)
    first, last = form.dates()
    period = insights.Period.from_dates(first, last, form.team_ids())
    return form, period


@login_required
def insights_page(request: HttpRequest) -> HttpResponse:
    from . import insights

    form, period = _insights_scope(request)
    data = insights.cached_insights(period)
    first, last = form.dates()
    tables = [
        {"key": key, "title": title, "columns": columns, "rows": getattr(data, key)}
        for key, (title, columns) in INSIGHT_TABLES.items()
    ]
    return render(
        request,
        "cases/insights.html",
        {
            "form": form,
            "data": data,
            "tables": {t["key"]: t for t in tables},
            "query_string": request.GET.urlencode(),
            "charts": _chart_data(data),
            "first_day": first,
            "last_day": last,
            "hourly_cost": f"{settings.CASEDESK_HOURLY_COST} {settings.CASEDESK_CURRENCY}",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _chart_data(data: Any) -> dict[str, Any]:
    """Just what the charts draw; the numbers are the tables' own (json_script, no inline JS)."""
    weeks = sorted({row["week"] for row in data.complaints_weekly})
    categories = sorted({row["category"] for row in data.complaints_weekly})
    counts = {(r["week"], r["category"]): r["cases"] for r in data.complaints_weekly}
    return {
        "exceptions_by_policy": {
            "labels": [r["policy"] for r in data.exceptions_by_policy],
            "series": {"Value granted": [float(r["value"]) for r in data.exceptions_by_policy]},
        },
        "exception_share": {
            "labels": [r["status"] for r in data.exception_share],
            "series": {"Requests": [r["count"] for r in data.exception_share]},
        },
        "follow_through": {
            "labels": [r["person"] for r in data.follow_through],
            "series": {
                "Done on time": [r["on_time"] for r in data.follow_through],
                "Done late": [r["late"] for r in data.follow_through],
                "Still overdue": [r["overdue"] for r in data.follow_through],
            },
        },
        "satisfaction": {
            "labels": [r["week"] for r in data.satisfaction],
            "series": {"Average rating": [r["average"] for r in data.satisfaction]},
        },
        "complaints_weekly": {
            "labels": weeks,
            "series": {c: [counts.get((w, c), 0) for w in weeks] for c in categories},
        },
        "demeanour_outcomes": {
            "labels": [r["demeanour"] for r in data.demeanour_outcomes],
            "series": {
                label: [r[value] for r in data.demeanour_outcomes]
                for value, label in Outcome.choices
            },
        },
    }


def _safe_cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: neutralise them."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


@login_required
def insights_export(request: HttpRequest, table: str) -> HttpResponse:
    import csv

    from . import insights

    if table not in INSIGHT_TABLES:
        raise Http404("No such table.")
    form, period = _insights_scope(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            "Choose a valid period and team on the insights page first.", status=400
        )
    title, columns = INSIGHT_TABLES[table]
    rows = getattr(insights.cached_insights(period), table)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    first, last = form.dates()
    response["Content-Disposition"] = f'attachment; filename="{table}_{first}_{last}.csv"'
    writer = csv.writer(response)
    writer.writerow([label for _, label in columns])
    for row in rows:
        writer.writerow([_safe_cell(row.get(key)) for key, _ in columns])
    return response


# Case studies (the coaching library) ---------------------------------------------------


@login_required
@require_POST
def case_mark_study(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    if request.user.role == Role.STAFF:
        raise PermissionDenied("Managers mark case studies.")
    form = CaseStudyForm(request.POST, action=reverse("case_mark_study", args=[reference]))
    if form.is_valid():
        try:
            services.mark_case_study(case, by=request.user, **form.cleaned_data)
        except services.CaseError as error:
            return _refused(request, case, error)
        messages.success(request, "Saved to the coaching library.")
        return redirect(case)
    return _rerender(request, case, study_form=form)


@login_required
def study_list(request: HttpRequest) -> HttpResponse:
    form = StudyFilterForm(request.GET or None)
    studies = CaseStudy.objects.visible_to(request.user).select_related(
        "case", "category", "created_by"
    )
    if form.is_valid():
        if form.cleaned_data["demeanour"]:
            studies = studies.filter(demeanour=form.cleaned_data["demeanour"])
        if form.cleaned_data["category"]:
            studies = studies.filter(category=form.cleaned_data["category"])
    page = paginate(
        studies.order_by("-created_at", "-id"),
        page=request.GET.get("page"),
        per_page=request.GET.get("per_page"),
    )
    return render(
        request,
        "cases/study_list.html",
        {"form": form, "page": page, "query_string": _without_page(request)},
    )
