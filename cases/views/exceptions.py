"""Exception requests on a case, their decisions, and the approvals queue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.signals import setting_changed
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST, require_safe

from attachments.services import AttachmentError, add_attachments, staged
from attachments.uploads import upload_problems

from .. import permissions, selectors, services
from ..access import get_case_for, get_request_for
from ..forms import (
    DecisionForm,
    ExceptionRequestForm,
)
from ..http import AuthedRequest
from ..models import ExceptionRequest, RequestStatus
from ..money import format_money
from ..selectors.approvals import waiting_badge
from .case_page import refused, rerender


@login_required
@require_POST
def case_request_exception(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    form = ExceptionRequestForm(
        request.POST,
        request.FILES,
        action=reverse("case_request_exception", args=[reference]),
        upload_problems=upload_problems(request),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            with staged(data["files"]) as evidence, transaction.atomic():
                created = services.request_exception(
                    case,
                    by=request.user,
                    allowed=data["allowed_exception"],
                    policy=data["policy"],
                    value=data["value"],
                    customer_ask=data["customer_ask"],
                    justification=data["justification"],
                )
                add_attachments(by=request.user, case=case, request=created, files=evidence)
        except (services.CaseError, AttachmentError) as error:
            if not case.is_active:
                return refused(request, case, error)
            form.add_error(None, str(error))
        else:
            if created.status == RequestStatus.GRANTED:
                messages.success(
                    request,
                    # Translators: e.g. "Granted: Refund the fee, £20.00."
                    gettext("Granted: %(exception)s, %(value)s.")
                    % {
                        "exception": created.exception_name,
                        "value": format_money(created.value),
                    },
                )
            else:
                messages.info(
                    request, gettext("Request sent for a decision; the case is pending approval.")
                )
            return redirect(case)
    return rerender(request, case, request_form=form)


def _decided_message(reference: str, decided: ExceptionRequest) -> str:
    """ "CD-000012: approved at a lower value at £40.00." or "CD-000012: denied."."""
    values = {
        "reference": reference,
        "outcome": services.outcome_phrase(decided.status),
        "value": format_money(decided.granted_value),
    }
    if decided.granted_value:
        # Translators: %(outcome)s is what became of the request, e.g. "approved".
        return gettext("%(reference)s: %(outcome)s at %(value)s.") % values
    return gettext("%(reference)s: %(outcome)s.") % values


@login_required
@require_POST
def request_decide(request: AuthedRequest, pk: int) -> HttpResponse:
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
            messages.success(request, _decided_message(case.reference, decided))
        return redirect("approvals" if back else case.get_absolute_url())
    if back:
        return _approvals_page(request, invalid={exception_request.pk: form})
    return rerender(request, case, decision_forms={exception_request.pk: form})


@login_required
@require_POST
def request_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    exception_request = get_request_for(request.user, pk)
    try:
        services.withdraw_exception(exception_request, by=request.user)
    except services.CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Request withdrawn."))
    return redirect(exception_request.case)


@login_required
@require_safe
def approvals(request: AuthedRequest) -> HttpResponse:
    """The decision queue: managers (their teams, up to their limit) and admins."""
    return _approvals_page(request)


def _approvals_page(request: AuthedRequest, invalid: dict[int, Any] | None = None) -> HttpResponse:
    """The queue, with the forms of refused decisions (a POST to decide) shown again."""
    if not permissions.can_see_approvals(request.user):
        raise PermissionDenied(gettext("The approvals queue is for managers and admins."))
    queue = selectors.approval_queue(request.user)
    # Past a full page, the navigation badge's count (cached, and renewed by every request
    # made or decided) says how many wait in all: no query more.
    waiting = len(queue)
    if waiting >= selectors.APPROVALS_SHOWN:
        waiting = max(waiting_badge(request.user), waiting)
    invalid = invalid or {}
    _decision_forms(queue, invalid)
    status = 400 if invalid else 200
    return render(
        request,
        "cases/approvals.html",
        {"queue": queue, "waiting": waiting, "now": timezone.now()},
        status=status,
    )


BLANK = "r__request__"  # the prefix of the one blank decision form a page renders


def _decision_forms(queue: list[Any], invalid: dict[int, Any]) -> None:
    """Each request's decision form, as HTML, on `item.form_html`.

    crispy's templates cost about a millisecond a form: 41 % of the queue's page at seven
    requests (bench/results/profile-approvals-*). Blank forms differ from request to
    request only in their prefix, so one is rendered and each request gets a copy with its
    own prefix; a refused decision's form (bound, with its errors and what was typed) is
    rendered on its own. tests/cases/test_approvals_page.py checks the copies against
    forms rendered one by one."""
    blank = ""
    for item in queue:
        if item.pk in invalid:
            item.form_html = as_crispy_form(invalid[item.pk])
            continue
        if not blank:
            blank = _blank_decision_form()
        # The prefix is ours and the pk an integer: nothing here needs escaping.
        item.form_html = mark_safe(blank.replace(BLANK, f"r{item.pk}"))


_blanks: dict[str, str] = {}  # the blank form's HTML by language, kept by the process


def _blank_decision_form() -> str:
    """The blank decision form as HTML, rendered once per language and process: it is the
    same for every request and every page (its words change with the language, nothing
    else), and rendering it through crispy was an eighth of the queue's page
    (bench/results/profile-approvals-full-queue-2026-12-01-0646.txt). Settings changes
    (tests) forget it."""
    language = get_language() or ""
    html = _blanks.get(language)
    if html is None:
        html = _blanks[language] = as_crispy_form(
            DecisionForm(request_value=Decimal(0), prefix=BLANK)
        )
    return html


setting_changed.connect(lambda **_: _blanks.clear(), weak=False)
