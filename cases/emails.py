"""Every email is a subject/text/html triple under templates/emails/<name>_*. One module
renders and sends them, so each message looks the same and carries a stable Message-ID,
and all three parts are in the recipient's language (a customer's preferred one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def render(
    name: str, context: dict[str, Any], *, language: str | None = None
) -> tuple[str, str, str]:
    """Subject, text and HTML in `language` (default: the default language, never whatever
    the process happens to have active: a worker serves every customer in turn)."""
    context = {"business_name": settings.CASEDESK_BUSINESS_NAME, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}_subject.txt", context).strip()
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    return " ".join(subject.split()), text, html


def send(
    name: str,
    *,
    to: Sequence[str],
    context: dict[str, Any],
    message_id: str | None = None,
    connection: Any = None,
    language: str | None = None,
) -> int:
    """Render and send one email; `message_id` fixed by the caller makes a resend
    recognisable as the same message."""
    recipients = [address for address in to if address]
    if not recipients:
        return 0
    subject, text, html = render(name, context, language=language)
    headers = {"Message-ID": message_id} if message_id else {}
    headers["Content-Language"] = language or settings.LANGUAGE_CODE
    message = EmailMultiAlternatives(
        subject, text, to=recipients, headers=headers, connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message.send()


def absolute_url(path: str) -> str:
    return settings.CASEDESK_BASE_URL.rstrip("/") + path
