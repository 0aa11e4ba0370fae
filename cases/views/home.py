"""The signed-in home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors
from ..http import AuthedRequest


@login_required
@require_safe
def home(request: AuthedRequest) -> HttpResponse:
    return render(request, "cases/home.html", {"home": selectors.home_for(request.user)})
