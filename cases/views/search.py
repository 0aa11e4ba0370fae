"""Search across cases and customers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import selectors


@login_required
def search(request: HttpRequest) -> HttpResponse:
    results = selectors.search(request.user, selectors.search_text(request))
    if results.case and not results.cases and not results.customers:
        return redirect(results.case)
    return render(request, "cases/search.html", {"results": results})
