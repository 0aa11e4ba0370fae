"""The customer's feedback page from the emailed link (no sign-in)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import (
    FeedbackForm,
)


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's page from the emailed link. Shows nothing of the case beyond the
    business and the date; unknown tokens are a 404."""
    found = services.find_feedback(token)
    if found is None:
        raise Http404(gettext("No such link."))
    context: dict[str, Any] = {"feedback": found}
    if found.used_at:
        return render(
            request, "cases/feedback_closed.html", {**context, "reason": "used"}, status=410
        )
    if found.expires_at <= timezone.now():
        return render(
            request, "cases/feedback_closed.html", {**context, "reason": "expired"}, status=410
        )
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_feedback(found, **form.cleaned_data)
        except services.FeedbackClosed:
            return render(
                request, "cases/feedback_closed.html", {**context, "reason": "used"}, status=410
            )
        return render(request, "cases/feedback_thanks.html", context)
    return render(request, "cases/feedback.html", {**context, "form": form})
