"""Admins' webhook pages: endpoints (list, register, edit, rotate the secret) and each
endpoint's delivery log with "send again". Everyone else gets a 403, as for the policy
library's admin pages; anonymous visitors are sent to sign in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases.http import AuthedRequest
from cases.models import Role

from . import services
from .forms import EndpointForm
from .models import Delivery, DeliveryState, Endpoint

LOG_PAGE = 50
OPEN_STATES = [DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.FAILED]


def _require_admin(request: AuthedRequest) -> None:
    if request.user.role != Role.ADMIN:
        raise PermissionDenied(_("Only admins manage webhooks."))


def _endpoint(pk: int) -> Endpoint:
    return get_object_or_404(Endpoint, pk=pk)


@login_required
@require_safe
def endpoint_list(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    endpoints = list(Endpoint.objects.order_by("url", "id"))
    # Counted on delivery_open_idx, which holds only the rows not yet sent: sent rows,
    # however many, are never read here.
    counts = (
        Delivery.objects.filter(state__in=OPEN_STATES)
        .order_by()
        .values_list("endpoint_id", "state")
        .annotate(n=Count("id"))
    )
    tally: dict[tuple[int, str], int] = {(pk, state): n for pk, state, n in counts}
    rows = [
        {
            "endpoint": endpoint,
            "waiting": tally.get((endpoint.pk, DeliveryState.PENDING), 0)
            + tally.get((endpoint.pk, DeliveryState.SENDING), 0),
            "failed": tally.get((endpoint.pk, DeliveryState.FAILED), 0),
        }
        for endpoint in endpoints
    ]
    return render(request, "webhooks/endpoint_list.html", {"rows": rows})


def _show_secret(
    request: AuthedRequest, endpoint: Endpoint, secret: str, *, new: bool
) -> HttpResponse:
    """The secret, this once: rendered into the POST's answer (not a redirect to a page
    that could show it again), and never cached."""
    return render(
        request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret, "new": new}
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint_create(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    form = EndpointForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.register_endpoint(by=request.user, **form.cleaned_data)
        except services.WebhookError as error:
            form.add_error(None, str(error))
        else:
            return _show_secret(request, endpoint, secret, new=True)
    return render(request, "webhooks/endpoint_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The endpoint's settings form and its delivery log, newest first."""
    _require_admin(request)
    endpoint = _endpoint(pk)
    current = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "active": endpoint.active,
    }
    form = EndpointForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(endpoint, by=request.user, **form.cleaned_data)
        except services.WebhookError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("webhook_endpoint", pk=endpoint.pk)
    log = Delivery.objects.filter(endpoint=endpoint).order_by("-id")
    before = request.GET.get("before", "")
    if before.isascii() and before.isdigit() and len(before) < 19:
        log = log.filter(id__lt=int(before))
    # Keyset by id on delivery_log_idx: one row more than a page says whether there is more.
    rows = list(
        log.only(
            "id",
            "event_id",
            "event_type",
            "state",
            "attempts",
            "last_response_code",
            "last_duration_ms",
            "last_error",
            "created_at",
            "sent_at",
            "next_attempt_at",
        )[: LOG_PAGE + 1]
    )
    older = rows[LOG_PAGE - 1].pk if len(rows) > LOG_PAGE else None
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {"endpoint": endpoint, "form": form, "deliveries": rows[:LOG_PAGE], "older": older},
    )


@never_cache
@require_POST
@login_required
def endpoint_rotate(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    endpoint = _endpoint(pk)
    secret = services.rotate_secret(endpoint, by=request.user)
    return _show_secret(request, endpoint, secret, new=False)


@require_POST
@login_required
def endpoint_send_failed_again(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    endpoint = _endpoint(pk)
    try:
        count = services.send_failed_again(endpoint, by=request.user)
    except services.WebhookError as error:
        messages.error(request, str(error))
    else:
        queued = ngettext(
            "%(count)d failed delivery queued.", "%(count)d failed deliveries queued.", count
        )
        messages.success(request, queued % {"count": count})
    return redirect("webhook_endpoint", pk=endpoint.pk)


@require_POST
@login_required
def delivery_send_again(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    delivery = get_object_or_404(Delivery, pk=pk)
    try:
        services.send_again(delivery, by=request.user)
    except services.WebhookError as error:
        messages.error(request, str(error))
    else:
        # Translators: event_id is the event's id, e.g. msg_2Kx…
        again = _("%(event_id)s queued to be sent again.") % {"event_id": delivery.event_id}
        messages.success(request, again)
    return redirect("webhook_endpoint", pk=delivery.endpoint_id)
