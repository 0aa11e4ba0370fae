"""A customer profile's exception ledger and interactions, written in Python.

With 20 rows each, these two loops were most of the profile's 17.5 ms of template time
for the customer with 172 cases (bench/results/template-times-customer-172-cases-*): a
dozen lookups, a date, a translated sentence and a URL per row. As with the timeline
(timeline_tags), each row is now one function with the template's markup and messages;
tests/cases/test_profile_markup.py compares them with the template they replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, pgettext

from casedesk.escaping import esc

from .timeline_tags import Writer

register = template.Library()

OWN_DISCRETION = gettext_noop("%(who)s (own discretion)")
_REF = "__reference__"


class _Rows(Writer):
    def __init__(self, context: template.Context) -> None:
        super().__init__(context)
        # One reverse() for the page, not one per row: the case URL around the reference.
        self.case_url = reverse("case_detail", args=[_REF]).partition(_REF)

    def case_link(self, case: Any) -> str:
        before, _, after = self.case_url
        reference = esc(case.reference)
        return f'<a href="{esc(before)}{reference}{esc(after)}">{reference}</a>'


@register.simple_tag(takes_context=True)
def exception_ledger(context: template.Context, requests: Iterable[Any]) -> SafeString:
    """Each exception request as a table row (each cell labelled for phones' cards)."""
    rows = _Rows(context)
    labels = {
        "when": esc(gettext("When")),
        "case": esc(gettext("Case")),
        "exception": esc(gettext("Exception")),
        "asked": esc(pgettext("value asked", "Asked")),
        "granted": esc(pgettext("value granted", "Granted")),
        "status": esc(gettext("Status")),
        "decided": esc(gettext("Decided by")),
    }
    date_format = get_format("DATE_FORMAT")
    out = [_ledger_row(rows, item, labels, date_format) for item in requests]
    if not out:
        empty = esc(gettext("No exceptions asked for."))
        out = [f'<tr><td colspan="7" class="text-muted">{empty}</td></tr>']
    return mark_safe("\n".join(out))


def _ledger_row(rows: _Rows, item: Any, labels: dict[str, str], date_format: str) -> str:
    when = rows.local(item.requested_at)
    version = ""
    if item.policy_version:
        version = f' <span class="small text-muted">{esc(item.policy_version)}</span>'
    if item.status == "granted":
        decided = rows.fill(OWN_DISCRETION, who=item.requested_by)
    else:
        decided = rows.value(item.decided_by or "—")
    return (
        f'<tr><td class="small text-nowrap" data-label="{labels["when"]}">'
        f"{esc(dateformat.format(when, date_format) if when else '')}</td>"
        f'<td data-label="{labels["case"]}">{rows.case_link(item.case)}</td>\n'
        f'<td data-label="{labels["exception"]}">{esc(item.exception_name)}{version}</td>\n'
        f'<td class="text-end" data-label="{labels["asked"]}">{rows.value(item.value)}</td>'
        f'<td class="text-end" data-label="{labels["granted"]}">'
        f"{rows.value(item.granted_value or '—')}</td>\n"
        f'<td data-label="{labels["status"]}"><span class="badge request-badge-'
        f'{esc(item.status)}">{esc(item.get_status_display())}</span></td>\n'
        f'<td class="small" data-label="{labels["decided"]}">{decided}</td></tr>'
    )


@register.simple_tag(takes_context=True)
def profile_interactions(context: template.Context, interactions: Iterable[Any]) -> SafeString:
    """Each interaction with the customer, newest first, linked to its case."""
    rows = _Rows(context)
    out = [_interaction_row(rows, i) for i in interactions]
    if not out:
        empty = esc(gettext("No interactions yet."))
        out = [f'<li class="list-group-item text-muted">{empty}</li>']
    return mark_safe("\n".join(out))


def _interaction_row(rows: _Rows, i: Any) -> str:
    when = rows.local(i.occurred_at)
    stamp = dateformat.format(when, rows.datetime_format) if when else ""
    return (
        '<li class="list-group-item">\n<div class="small text-muted">'
        f"{esc(stamp)} · {rows.case_link(i.case)} · {esc(i.get_channel_display())} "
        f"{esc(i.get_direction_display().lower())} · {esc(i.author)} · "
        f'{rows.minutes(i.minutes)} · <span class="demeanour-{esc(i.demeanour)}">'
        f"{esc(i.get_demeanour_display())}</span></div>\n"
        f"<div>{linebreaksbr(i.summary, autoescape=True)}</div>\n</li>"
    )
