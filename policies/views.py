"""The policy library pages: demeanour guidance for everyone, editable by admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from cases.models import Role

from .forms import GuidanceForm
from .models import DemeanourGuidance


@login_required
def guidance_list(request: HttpRequest) -> HttpResponse:
    cards = DemeanourGuidance.objects.order_by("id")
    return render(request, "policies/guidance_list.html", {"cards": cards})


@login_required
@require_http_methods(["GET", "POST"])
def guidance_edit(request: HttpRequest, demeanour: str) -> HttpResponse:
    if request.user.role != Role.ADMIN:
        raise PermissionDenied("Only admins edit guidance.")
    card = get_object_or_404(DemeanourGuidance, demeanour=demeanour)
    form = GuidanceForm(request.POST or None, instance=card)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Guidance for {card.get_demeanour_display()} saved.")
        return redirect("guidance_list")
    return render(request, "policies/guidance_form.html", {"form": form, "card": card})
