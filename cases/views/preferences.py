"""A person's own preferences, changed from the page they are on."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import services


@login_required
@require_POST
def shortcuts_preference(request: HttpRequest) -> HttpResponse:
    """Turn keyboard shortcuts on (`enabled=on`) or off (anything else) for the signed-in
    user, then go back to the page the overlay was opened on."""
    enabled = request.POST.get("enabled") == "on"
    services.set_keyboard_shortcuts(request.user, enabled=enabled)  # type: ignore[arg-type]
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    return redirect(back)
