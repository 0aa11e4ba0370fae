"""Pages for a customer's data rights: export, erasure, the access log.

Access: `privacy.access` decides (404 for another team or a role that may not; 403 for a
colleague who can see the customer but is not an admin). Each view makes one service call.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases.models import Role
from cases.pagination import paginate

from . import services
from .access import (
    get_customer_for_admin,
    get_customer_for_export,
    get_export_for,
    record_view,
)
from .forms import EraseForm
from .models import AccessLogEntry, Erasure, PrivacyEvent, SubjectAccessExport
from .storage import export_storage


@login_required
@require_safe
def customer_data(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's data-protection page: exports, erasure, the record of both."""
    customer = get_customer_for_export(request.user, pk)
    is_admin = request.user.role == Role.ADMIN
    exports = SubjectAccessExport.objects.filter(customer=customer, requested_by=request.user)
    context = {
        "customer": customer,
        "is_admin": is_admin,
        "exports": exports.order_by("-requested_at", "-id")[:10],
        "events": PrivacyEvent.objects.filter(customer=customer).select_related("actor")[:50],
        "erasure": Erasure.objects.filter(customer=customer).select_related("erased_by").first(),
        "blockers": services.erasure_blockers(customer) if is_admin else [],
    }
    return render(request, "privacy/customer_data.html", context)


@login_required
@require_POST
def export_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_export(request.user, pk)
    try:
        export = services.request_export(customer, by=request.user)
    except services.PrivacyError as error:
        messages.error(request, str(error))
        return redirect("privacy_customer", pk=customer.pk)
    messages.success(request, _("The export is being prepared; this page shows its progress."))
    return redirect("privacy_export", pk=export.pk)


@login_required
@require_safe
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_export_for(request.user, pk)
    if request.htmx:
        # The progress poll: the status block alone, and not another access-log line.
        return render(request, "privacy/_export_status.html", {"export": export})
    record_view(request, export)
    return render(request, "privacy/export_detail.html", {"export": export})


@login_required
@require_POST
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Downloadable once, by the requester, before it expires (claimed by conditional
    update, so two clicks at once get one file)."""
    export = get_export_for(request.user, pk)
    try:
        name = services.claim_download(export, by=request.user)
    except services.DownloadGone as error:
        messages.error(request, str(error))
        return redirect("privacy_export", pk=export.pk)
    record_view(request, export)
    filename = f"subject-access-export-{export.customer_id}-{export.pk}.zip"
    response = FileResponse(
        export_storage().open(name, "rb"), as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_admin(request.user, pk)
    entries = AccessLogEntry.objects.filter(customer=customer).order_by("-at", "-id")
    page = paginate(
        entries.select_related("user"),
        page=request.GET.get("page"),
        per_page=request.GET.get("per_page"),
    )
    return render(request, "privacy/access_log.html", {"customer": customer, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps: the reason (and any override), then a confirmation that repeats what
    will go and what stays; only the second POST erases."""
    customer = get_customer_for_admin(request.user, pk)
    if Erasure.objects.filter(customer=customer).exists():
        messages.info(request, _("This customer's personal data has already been erased."))
        return redirect("privacy_customer", pk=customer.pk)
    form = EraseForm(request.POST or None)
    blockers = services.erasure_blockers(customer)
    context = {"customer": customer, "form": form, "blockers": blockers}
    if request.method != "POST" or not form.is_valid():
        return render(request, "privacy/erase.html", context, status=400 if form.errors else 200)
    data = form.cleaned_data
    if blockers and not data["override"]:
        form.add_error("override", services.ErasureBlocked(blockers).args[0])
        return render(request, "privacy/erase.html", context, status=400)
    if request.POST.get("confirmed") != "yes":
        return render(request, "privacy/erase_confirm.html", context)
    try:
        services.erase_customer(
            customer,
            by=request.user,
            reason=data["reason"],
            override=data["override"],
            override_reason=data["override_reason"],
        )
    except services.PrivacyError as error:
        messages.error(request, str(error))
        return redirect("privacy_customer", pk=customer.pk)
    messages.success(request, _("The customer's personal data has been erased."))
    return redirect("customer_detail", pk=customer.pk)
