"""Case studies: marking a case for the coaching library, and the library."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from .. import permissions, services
from ..access import get_case_for
from ..forms import (
    CaseStudyForm,
    StudyFilterForm,
)
from ..http import AuthedRequest
from ..models import CaseStudy
from ..pagination import paginate
from .case_page import refused, rerender
from .common import without_page


@login_required
@require_POST
def case_mark_study(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference)
    if not permissions.is_manager_or_admin(request.user):
        raise PermissionDenied(gettext("Managers mark case studies."))
    form = CaseStudyForm(request.POST, action=reverse("case_mark_study", args=[reference]))
    if form.is_valid():
        try:
            services.mark_case_study(case, by=request.user, **form.cleaned_data)
        except services.CaseError as error:
            return refused(request, case, error)
        messages.success(request, gettext("Saved to the coaching library."))
        return redirect(case)
    return rerender(request, case, study_form=form)


@login_required
@require_safe
def study_list(request: AuthedRequest) -> HttpResponse:
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
        {"form": form, "page": page, "query_string": without_page(request)},
    )
