"""Every email is a subject/text/html triple under templates/emails/<name>_*. One module
renders and sends them, so each message looks the same and carries a stable Message-ID."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"business_name": settings.CASEDESK_BUSINESS_NAME, **context}
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
) -> int:
    """Render and send one email; `message_id` fixed by the caller makes a resend
    recognisable as the same message."""
    recipients = [address for address in to if address]
    if not recipients:
        return 0
    subject, text, html = render(name, context)
    headers = {"Message-ID": message_id} if message_id else {}
    message = EmailMultiAlternatives(
        subject, text, to=recipients, headers=headers, connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message.send()


def absolute_url(path: str) -> str:
    return settings.CASEDESK_BASE_URL.rstrip("/") + path
