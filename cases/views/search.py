"""Search across cases and customers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from .. import selectors
from ..http import AuthedRequest


@login_required
@require_safe
def search(request: AuthedRequest) -> HttpResponse:
    results = selectors.search(request.user, selectors.search_text(request))
    if results.case and not results.cases and not results.customers:
        return redirect(results.case)
    return render(request, "cases/search.html", {"results": results})
