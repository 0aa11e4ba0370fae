"""The approvals queue's cards, written in Python.

A full queue is 20 cards of some 30 values each, five of them translated sentences, each
through a template tag and most through a filter or two. As with the
timeline (timeline_tags), each card is one function with the template's markup and
messages; tests/cases/test_approvals_markup.py compares it with the template it replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import template
from django.template.defaultfilters import timesince_filter
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext

from attachments.selectors import files_of
from casedesk.escaping import esc

from ..money import format_money
from .casedesk import customer_flags
from .timeline_tags import Writer

register = template.Library()


@register.simple_tag(takes_context=True)
def approval_cards(context: template.Context, queue: Iterable[Any]) -> SafeString:
    """Each waiting request as a card: what is asked, the customer's history, the form."""
    cards = _Cards(context)
    return mark_safe("".join(cards.card(item) for item in queue))


def _counted(translate: Callable[[], str], data: dict[str, str]) -> str:
    """A plural sentence filled in; English when a translation's placeholders do not fit."""
    try:
        return translate() % data
    except (KeyError, ValueError):
        with translation.override(None):
            return translate() % data


class _Cards(Writer):
    def __init__(self, context: template.Context) -> None:
        super().__init__(context)
        self.now = context.get("now")
        token = context.get("csrf_token")
        self.csrf = ""
        if token and token != "NOTPROVIDED":  # as {% csrf_token %}
            self.csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(token)}">'
        # Each a literal, so that makemessages finds it.
        labels = {
            "value_asked": gettext("Value asked"),
            "running_total": gettext("Running total"),
            "policy": gettext("Policy"),
            "case": gettext("Case"),
            "asked_by": gettext("Asked by"),
            "customer_asked": gettext("Customer asked"),
            "justification": gettext("Justification"),
            "evidence": gettext("Evidence"),
            "off_policy": gettext("Off-policy"),
            "record": gettext("Record decision"),
        }
        self.labels = {key: esc(text) for key, text in labels.items()}

    def card(self, item: Any) -> str:
        pk = esc(item.pk)
        case = item.case
        waiting = self.fill(WAITING, duration=timesince_filter(item.requested_at, self.now))
        return (
            f'\n<section class="card mb-3" id="queue-{pk}" aria-labelledby="queue-title-{pk}">\n'
            '<div class="card-header d-flex flex-wrap justify-content-between gap-2">\n'
            f'<h2 id="queue-title-{pk}" class="h5 mb-0"><a href="{esc(case.get_absolute_url())}">'
            f"{esc(case.reference)}</a> · {esc(item.exception_name)}</h2>\n"
            f'<span class="small">{waiting}</span>\n</div>\n'
            '<div class="card-body">\n<div class="row g-3">\n<div class="col-md-7">\n'
            f'<dl class="row small mb-0">\n{self.facts(item)}</dl>\n</div>\n'
            f'<div class="col-md-5">\n{self.history(item)}\n'
            f'<form method="post" action="{esc(reverse("request_decide", args=[item.pk]))}"'
            ' class="mt-2" novalidate>\n'
            f'{self.csrf}<input type="hidden" name="next" value="approvals">\n'
            f"{self.value(item.form_html)}\n"
            f'<button class="btn btn-primary" type="submit">{self.labels["record"]}</button>\n'
            "</form>\n</div>\n</div>\n</div>\n</section>\n"
        )

    def facts(self, item: Any) -> str:
        labels = self.labels
        rows = [("value_asked", "col-8 fs-5", esc(format_money(item.value)))]
        if item.running_total is not None:
            rows.append(("running_total", "col-8 running-total", self.running_total(item)))
        policy = labels["off_policy"]
        if item.policy_version:
            version = item.policy_version
            policy = f"{esc(version.title)} ({esc(version)})"
        if item.manager_limit:
            policy += " · " + self.fill(MANAGER_LIMIT, limit=item.manager_limit)
        rows.append(("policy", "col-8", policy))
        case = item.case
        rows.append(("case", "col-8", f"{esc(case.subject)} · {esc(case.team)}"))
        rows.append(("asked_by", "col-8", esc(item.requested_by)))
        rows.append(("customer_asked", "col-8", esc(item.customer_ask)))
        rows.append(("justification", "col-8", esc(item.justification)))
        files = files_of(item)
        if files:
            # Already escaped, as {% translate … as evidence_label %} left it.
            evidence = self.files(files, mark_safe(labels["evidence"]))
            rows.append(("evidence", "col-8", evidence))
        return "".join(
            f'<dt class="col-4">{labels[key]}</dt><dd class="{css}">{value}</dd>\n'
            for key, css, value in rows
        )

    def running_total(self, item: Any) -> str:
        total = self.fill(RUNNING_TOTAL, total=format_money(item.running_total))
        days = item.allowed_exception.customer_window_days if item.allowed_exception else None
        if days:
            values = {"days": self.value(days)}
            window = _counted(
                lambda: ngettext(
                    "(granted and waiting for this exception on the case and for the customer "
                    "over %(days)s day)",
                    "(granted and waiting for this exception on the case and for the customer "
                    "over %(days)s days)",
                    days,
                ),
                values,
            )
        else:
            window = esc(gettext("(granted and waiting for this exception on the case)"))
        return f'{total} <span class="text-muted">{window}</span>'

    def history(self, item: Any) -> str:
        customer = item.case.customer
        granted, open_cases = item.granted_count_12m, item.open_cases
        granted_values = {
            "counter": self.value(granted),
            "value": self.value(format_money(item.granted_value_12m)),
        }
        granted_text = _counted(
            lambda: ngettext(
                "Exceptions granted, last 12 months: <strong>%(counter)s</strong> worth "
                "<strong>%(value)s</strong>",
                "Exceptions granted, last 12 months: <strong>%(counter)s</strong> worth "
                "<strong>%(value)s</strong>",
                granted,
            ),
            granted_values,
        )
        open_text = _counted(
            lambda: ngettext(
                "Open cases: <strong>%(counter)s</strong>",
                "Open cases: <strong>%(counter)s</strong>",
                open_cases,
            ),
            {"counter": self.value(open_cases)},
        )
        return (
            '<div class="border rounded p-2 small customer-history">\n'
            f'<div class="fw-semibold"><a href="{esc(customer.get_absolute_url())}">'
            f"{esc(customer.name)}</a> {customer_flags(customer)}</div>\n"
            f"<div>{granted_text}</div>\n<div>{open_text}</div>\n</div>"
        )


WAITING = gettext_noop("waiting <strong>%(duration)s</strong>")
RUNNING_TOTAL = gettext_noop("<strong>%(total)s</strong> with this request")
MANAGER_LIMIT = gettext_noop("manager limit %(limit)s")
