"""The customer's feedback page from the emailed link (no sign-in)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import (
    FeedbackForm,
)
from ..models import FeedbackRequest


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's page from the emailed link, in the customer's language unless this
    browser chose one with the switcher. Shows nothing of the case beyond the business and
    the date; unknown tokens are a 404."""
    found = services.find_feedback(token)
    if found is None:
        raise Http404(gettext("No such link."))
    language = request.LANGUAGE_CODE
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        language = found.case.customer.preferred_language
    with translation.override(language):
        response = _feedback_page(request, found)
    # LocaleMiddleware only fills this in when the view has not.
    response.headers["Content-Language"] = language
    return response


def _feedback_page(request: HttpRequest, found: FeedbackRequest) -> HttpResponse:
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
