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


# The listboxes that ask for matches, and whether each picks a customer for a form (the
# new-case form) rather than leading to a page (the search box). The id also prefixes
# the options' ids, so two on one page never share one.
TYPEAHEAD_LISTS = {"nav-search": False, "case-customer": True}


@login_required
@require_safe
def search_suggest(request: AuthedRequest) -> HttpResponse:
    """Matches while typing (htmx): options for the listbox, and its count for the live
    region out of band."""
    list_id = request.GET.get("list", "")
    if list_id not in TYPEAHEAD_LISTS:
        list_id = "nav-search"
    matches = selectors.typeahead(request.user, selectors.search_text(request))
    context = {"matches": matches, "list_id": list_id, "pick": TYPEAHEAD_LISTS[list_id]}
    return render(request, "cases/_typeahead.html", context)
