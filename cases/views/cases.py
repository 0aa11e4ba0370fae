"""Case list, opening a case, the case page, its timeline and the actions on it."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from attachments.services import AttachmentError, add_attachments, staged
from attachments.uploads import upload_problems
from privacy.access import record_view

from .. import selectors, services
from ..access import get_case_for, get_customer_for
from ..filters import CaseFilter
from ..forms import (
    AttachPolicyForm,
    CaseForm,
    InteractionForm,
    ReassignForm,
    ReopenForm,
    ResolveForm,
    TriageForm,
)
from ..forms.cases import ERASED_CUSTOMER
from ..http import AuthedRequest
from ..models import Customer
from ..pagination import paginate
from ..selectors.planning import joins_as_written
from .bulk import bulk_context
from .case_page import case_context, event_anchor, refused, rerender
from .common import id_param, without_page


@login_required
@require_safe
def case_list(request: AuthedRequest) -> HttpResponse:
    filterset = CaseFilter(
        request.GET or None, queryset=selectors.case_list_queryset(request.user), user=request.user
    )
    page = paginate(
        filterset.qs,
        page=request.GET.get("page"),
        per_page=request.GET.get("per_page"),
        rows_of=partial(selectors.case_list_rows, request.user),
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
            "query_string": without_page(request),
            "filter_cache_seconds": settings.CASEDESK_FILTER_FORM_CACHE_SECONDS,
            "bulk": bulk_context(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: AuthedRequest) -> HttpResponse:
    """One screen: the customer (picked as you type, or new), the case, its first contact.

    From a customer (`?customer=5`) it shows them, with "change"; "change" without
    script posts the form back and shows it again without the customer, everything else
    as typed.
    """
    if request.method == "POST" and request.POST.get("change_customer"):
        kept: dict[str, object] = {
            name: request.POST.get(name) for name in request.POST if name != "customer"
        }
        kept["assign_to_me"] = bool(request.POST.get("assign_to_me"))  # unticked stays so
        form = CaseForm(initial=kept, user=request.user)
        return render(request, "cases/case_form.html", {"form": form, "preset": None})
    preset = None
    customer_id = id_param(request.GET.get("customer") or request.POST.get("customer"))
    if customer_id is not None:
        preset = get_customer_for(request.user, customer_id)
    if preset is not None and preset.is_erased:
        if request.method == "GET":  # a POST says so beside the form
            messages.error(request, ERASED_CUSTOMER)
        preset = None
    initial = {"customer": preset.pk} if preset else {}
    form = CaseForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = _open_case(request, form.cleaned_data)
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("Case %(reference)s opened.") % {"reference": case.reference}
            )
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form, "preset": preset})


def _open_case(request: AuthedRequest, data: dict[str, Any]) -> Any:
    """The one service call: for the picked customer, or for a new one in the same step."""
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
    if data["customer"] is not None:
        return services.open_case(by=request.user, customer=data["customer"], **case_fields)
    return services.open_case_for_new_customer(
        by=request.user,
        name=data["customer_name"],
        email=data["customer_email"],
        phone=data["customer_phone"],
        preferred_language=data["customer_language"] or None,
        **case_fields,
    )


@login_required
@require_safe
def case_detail(request: AuthedRequest, reference: str) -> HttpResponse:
    # Every read here starts from the case (by key) or its rows (by case) and reaches the
    # rest by key: planned in written order, the case page's seven queries took 1.6 ms
    # less to plan at 1M (bench/results/planning-survey-2026-12-01-0330.json).
    with joins_as_written():
        case = get_case_for(request.user, reference)
        context = case_context(request, case)
    # Outside the block: in a transaction of its own the log's INSERT does not wait for
    # the disk (privacy/access.py). Still before the page is shown.
    record_view(request, case)
    return render(request, "cases/case_detail.html", context)


@login_required
@require_safe
def case_timeline(request: AuthedRequest, reference: str) -> HttpResponse:
    """The next page of older timeline events, for the "Show earlier events" button."""
    case = get_case_for(request.user, reference)
    timeline = selectors.case_timeline(case, before=event_anchor(request))
    if not request.htmx:
        # Without htmx the button is a plain link to the case page at that point.
        anchor = f"?before={timeline.before}" if timeline.before else ""
        return redirect(f"{case.get_absolute_url()}{anchor}#timeline")
    return render(request, "cases/_timeline_items.html", {"case": case, "timeline": timeline})


@login_required
@require_POST
def case_log_interaction(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    action = reverse("case_log_interaction", args=[reference])
    form = InteractionForm(
        request.POST, request.FILES, action=action, upload_problems=upload_problems(request)
    )
    if form.is_valid():
        fields = dict(form.cleaned_data)
        files = fields.pop("files")
        try:
            # Bytes stored first, rows with the interaction in one transaction; a refusal
            # or a rollback deletes the stored bytes again (see attachments/services.py).
            with staged(files) as ready, transaction.atomic():
                interaction = services.log_interaction(case, by=request.user, **fields)
                add_attachments(by=request.user, case=case, interaction=interaction, files=ready)
        except (services.CaseError, AttachmentError) as error:
            return refused(request, case, error)
        else:
            if request.htmx:
                # Refresh the panel (a fresh form), the timeline and the header together.
                case = get_case_for(request.user, reference)
                context = case_context(request, case)
                context["logged"] = True
                return render(request, "cases/_interaction_logged.html", context)
            messages.success(request, gettext("Interaction logged."))
            return redirect(case)
    if request.htmx:
        context = case_context(request, case, interaction_form=form)
        return render(request, "cases/_interaction_panel.html", context)
    return rerender(request, case, interaction_form=form)


@login_required
@require_POST
def case_reassign(request: AuthedRequest, reference: str) -> HttpResponse:
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
            messages.success(request, gettext("Case reassigned."))
        return redirect(case)
    return rerender(request, case, reassign_form=form)


@login_required
@require_POST
def case_triage(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = TriageForm(request.POST, action=reverse("case_triage", args=[reference]))
    if form.is_valid():
        try:
            services.update_triage(case, by=request.user, **form.cleaned_data)
        except services.CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Case updated."))
        return redirect(case)
    return rerender(request, case, triage_form=form)


@login_required
@require_POST
def case_resolve(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = ResolveForm(request.POST, action=reverse("case_resolve", args=[reference]))
    if form.is_valid():
        try:
            services.resolve_case(case, by=request.user, **form.cleaned_data)
        except services.CaseError as error:
            return refused(request, case, error)
        else:
            messages.success(
                request, gettext("Case %(reference)s resolved.") % {"reference": case.reference}
            )
            return redirect(case)
    return rerender(request, case, resolve_form=form)


@login_required
@require_POST
def case_reopen(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = ReopenForm(request.POST, action=reverse("case_reopen", args=[reference]))
    if form.is_valid():
        try:
            services.reopen_case(case, by=request.user, reason=form.cleaned_data["reason"])
        except services.CaseError as error:
            return refused(request, case, error)
        else:
            messages.success(
                request, gettext("Case %(reference)s reopened.") % {"reference": case.reference}
            )
            return redirect(case)
    return rerender(request, case, reopen_form=form)


@login_required
@require_POST
def case_attach_policy(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = AttachPolicyForm(request.POST)
    if form.is_valid():
        try:
            services.attach_policy(case, by=request.user, policy=form.cleaned_data["policy"])
        except services.CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Policy attached."))
        return redirect(case)
    return rerender(request, case, attach_form=form)
