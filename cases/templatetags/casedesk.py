from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from casedesk.escaping import esc

from .. import permissions
from ..forms.widgets import format_hint, input_value
from ..money import format_money

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()

# What `user|can:"…"` may ask: the page-level questions of `cases.permissions`.
USER_PERMISSIONS = {
    "see_insights": permissions.can_see_insights,
    "see_team_tasks": permissions.can_see_team_tasks,
    "see_approvals": permissions.can_see_approvals,
    "manage": permissions.is_manager_or_admin,
    "act_in_bulk": permissions.can_act_in_bulk,
}


@register.filter
def can(user: Any, question: str) -> bool:
    """`{% if user|can:"see_insights" %}`: templates ask the permissions module, never roles."""
    return USER_PERMISSIONS[question](user)


@register.simple_tag(takes_context=True)
def case_actions(context: template.Context, case: Any) -> frozenset[str]:
    """`{% case_actions case as actions %}`: what this user may do on this case."""
    return permissions.allowed_actions(context["user"], case)


@register.simple_tag
def active_filters(form: Any, *ignore: str) -> int:
    """How many of a bound filter form's visible fields hold a value (`ignore`: e.g. the sort).

    A phone shows the case list's filters folded away; this count on the button says
    that the list is filtered, and by how much.
    """
    count = 0
    for bound in form:
        if bound.is_hidden or bound.name in ignore:
            continue
        value = bound.value()
        values = value if isinstance(value, list | tuple) else [value]
        if any(v not in (None, "") for v in values):
            count += 1
    return count


@register.filter
def money(value: object) -> str:
    """Money for display in the reader's locale, with the configured currency: 1234.5 →
    "£1,234.50" (en-gb), "1 234,50 GBP" (pl). Exact (aggregates on SQLite lose the scale)."""
    return format_money(value)


def _labels() -> dict[str, dict[str, StrOrPromise]]:
    from policies.models import Demeanour

    from ..models import Outcome, Priority, RequestStatus, Status

    status: dict[str, StrOrPromise] = dict(Status.choices)
    return {
        "status": status,
        "reopened": status,
        "resolved": dict(Outcome.choices),
        "priority": dict(Priority.choices),
        "demeanour": dict(Demeanour.choices),
        "exc_decided": dict(RequestStatus.choices),
    }


@register.filter
def event_label(value: str, kind: str) -> str:
    """The human label of a value stored on a timeline event ("pending_approval" → …)."""
    return str(_labels().get(kind, {}).get(value, value))


@register.simple_tag
def cell(row: dict[str, object], key: str) -> str:
    """One cell of an insights table: money as money, the customer's name as a link."""
    value = row.get(key)
    if key == "customer" and row.get("id"):
        return format_html(
            '<a href="{}">{}</a>', reverse("customer_detail", args=[row["id"]]), value
        )
    if key == "reference" and value:
        return format_html('<a href="{}">{}</a>', reverse("case_detail", args=[value]), value)
    if isinstance(value, Decimal):
        return money(value)
    return "—" if value is None else str(value)


@register.simple_tag
def insight_rows(table: dict[str, Any]) -> SafeString:
    """Every row of an insights table, each cell as `cell` makes it, in one tag. As a
    template loop it was a tag call per cell, some 600 on a 90-day page: the page's Python
    calls went 95,704 → 53,015 a request this way, its figures read from the shared cache
    (bench/results/python-calls-2026-12-01-2027.json)."""
    keys = [key for key, _ in table["columns"]]
    return mark_safe(  # each cell escaped here, as the template escaped the tag's output
        "".join(
            "<tr>"
            + "".join(f"<td>{conditional_escape(cell(row, key))}</td>" for key in keys)
            + "</tr>"
            for row in table["rows"]
        )
    )


@register.simple_tag
def customer_flags(customer: Any) -> str:
    """A badge per flag on the customer: red for those that change how staff must behave."""
    return format_html_join(
        "",
        '<span class="badge {} me-1"><i class="bi bi-flag-fill" aria-hidden="true"></i> {}</span>',
        (
            ("text-bg-danger" if danger else "text-bg-warning", label)
            for _, label, danger in customer.flag_labels()
        ),
    )


@register.simple_tag
def status_badge(status: str, label: str) -> str:
    return format_html('<span class="badge status-{}">{}</span>', status, label)


@register.simple_tag
def case_table(
    cases: Any,
    *,
    empty: str | None = None,
    hide_customer: bool = False,
    date_field: str = "created",
    date_label: str | None = None,
    select_form: str = "",
    selected: Any = (),
) -> str:
    """The table of cases on the case list, home, search and a customer's profile.

    Written in Python, as Django's admin writes its change-list rows. bench/case_table.py
    renders it against one template with a loop (bench/case_table.html, same markup): the
    template took 2.7-3.0 times the CPU at p95, at 25 and at 60 rows (0.16 ms a row: two
    dozen lookups, lazy labels, a reverse() per row; bench/results/case_table-*.json), so
    on a manager's home (three tables of 20) Python saves about 6 ms of every view.
    With `select_form` (the id of the bulk-actions form) each row starts with a checkbox
    in that form, labelled with its reference; `selected` ids come back checked. What
    every row shares (labels, the date format, the URL pattern) is worked out once per
    table; dates go through Django's date formatting with the locale's DATE_FORMAT, as
    `{{ when|date:"DATE_FORMAT" }} {{ when|time:"H:i" }}` would write them.
    """
    shared = _row_parts(
        hide_customer=hide_customer,
        activity=date_field == "activity",
        date_label=date_label or gettext("Created"),
        select_form=select_form,
        selected=frozenset(selected),
    )
    headers = [gettext("Case"), gettext("Subject")]
    headers += [] if hide_customer else [shared.customer_label]
    headers += [shared.status_label, shared.priority_label, shared.assignee_label]
    headers += [shared.date_label]
    head = _select_all(select_form) + format_html_join(
        "", '<th scope="col">{}</th>', ((h,) for h in headers)
    )
    headers += [""] if select_form else []
    rows = [_case_row(case, shared) for case in cases]
    if not rows:
        rows = [
            format_html(
                '<tr><td colspan="{}" class="text-muted">{}</td></tr>',
                len(headers),
                gettext("No cases.") if empty is None else empty,
            )
        ]
    return format_html(
        # case-table: on a phone, CSS stacks each row as a card (static/css/casedesk.css).
        '<div class="table-responsive case-table-wrap">\n'
        '<table class="table table-hover align-middle mb-0 case-table">\n'
        "  <thead><tr>{}</tr></thead>\n  <tbody>\n{}  </tbody>\n</table>\n</div>",
        head,
        mark_safe("".join(rows)),  # each row is built with format_html
    )


_REF = "__reference__"


@dataclass
class _RowParts:
    status: dict[str, str]
    priority: dict[str, str]
    date_format: str
    url: tuple[str, str, str]
    hide_customer: bool
    activity: bool
    date_label: str = ""
    select_form: str = ""
    selected: frozenset[int] = frozenset()
    # Column names, translated once per table: each row repeats them for phones' cards.
    customer_label: str = ""
    status_label: str = ""
    priority_label: str = ""
    assignee_label: str = ""
    # Each day formatted once per table: rows share days, and the locale's date format
    # through dateformat, per row, stood out in the managers' home's profile (60 rows).
    # DATE_FORMAT holds only the date's parts, so a day's text serves all its rows.
    days: dict[Any, str] = field(default_factory=dict)

    def when(self, moment: Any) -> str:
        """`moment` as DATE_FORMAT followed by H:i, in the local time zone."""
        local = timezone.localtime(moment)
        day = self.days.get(local.date())
        if day is None:
            day = self.days[local.date()] = dateformat.format(local, self.date_format)
        return f"{day} {local:%H:%M}"


def _row_parts(**options: Any) -> _RowParts:
    """What every row of one table shares, worked out once: labels (translated), the
    date format and the URL pattern."""
    from ..models import Priority, Status

    return _RowParts(
        status={value: str(label) for value, label in Status.choices},
        priority={value: str(label) for value, label in Priority.choices},
        # The active locale's DATE_FORMAT (settings.DATE_FORMAT without one), looked up once.
        date_format=get_format("DATE_FORMAT"),
        # One reverse() for the table, not one per row: the URL around the reference.
        url=reverse("case_detail", args=[_REF]).partition(_REF),
        customer_label=gettext("Customer"),
        status_label=gettext("Status"),
        priority_label=gettext("Priority"),
        assignee_label=gettext("Assignee"),
        **options,
    )


def _select_all(select_form: str) -> SafeString:
    if not select_form:
        return mark_safe("")
    return format_html(
        '<th scope="col" class="case-select"><input class="form-check-input" type="checkbox"'
        ' data-select-all form="{}" aria-label="{}"></th>',
        select_form,
        gettext("Select every case on this page"),
    )


def _select_cell(case: Any, shared: _RowParts) -> str:
    if not shared.select_form:
        return ""
    # Translators: the label of a case's checkbox, e.g. "Select CD-000012".
    label = gettext("Select %(reference)s") % {"reference": case.reference}
    checked = " checked" if case.pk in shared.selected else ""
    return (
        '<td class="case-select"><input class="form-check-input" type="checkbox" name="case"'
        f' value="{esc(case.pk)}" form="{esc(shared.select_form)}"'
        f' aria-label="{esc(label)}"{checked}></td>'
    )


def _case_row(case: Any, shared: _RowParts) -> str:
    """One row, as format_html would write it (every value escaped), built as one string."""
    customer = ""
    if not shared.hide_customer:
        customer = (
            f'<td class="case-customer" data-label="{esc(shared.customer_label)}">'
            f"{esc(case.customer)} {customer_flags(case.customer)}</td>"
        )
    when = case.last_activity_at if shared.activity else case.created_at
    if when:
        when = shared.when(when)
    subject = case.subject
    if len(subject) > 70:  # as |truncatechars:70
        subject = subject[:69] + "…"
    status = esc(case.status)
    status_label = esc(shared.status.get(case.status, case.status))
    priority_label = esc(shared.priority.get(case.priority, case.priority))
    reference = esc(case.reference)
    return (
        f"    <tr>{_select_cell(case, shared)}\n"
        f'      <td class="case-ref text-nowrap"><a href="{esc(shared.url[0])}{reference}'
        f'{esc(shared.url[2])}">{reference}</a></td>\n'
        f'      <td class="case-subject">{esc(subject)}<div class="small text-muted">'
        f"{esc(case.category)} · {esc(case.team)}</div></td>\n"
        f"      {customer}\n"
        f'      <td class="case-status" data-label="{esc(shared.status_label)}">'
        f'<span class="badge status-{status}">{status_label}</span></td>\n'
        f'      <td class="case-priority" data-label="{esc(shared.priority_label)}">'
        f'<span class="priority-{esc(case.priority)}">{priority_label}</span></td>\n'
        f'      <td class="case-assignee" data-label="{esc(shared.assignee_label)}">'
        f"{esc(case.assignee or '—')}</td>\n"
        f'      <td class="case-when small text-nowrap" data-label="{esc(shared.date_label)}">'
        f"{esc(when or '')}</td>\n"
        "    </tr>\n"
    )


@register.filter
def datetime_input(value: Any) -> str:
    """`{{ task.due_at|datetime_input }}`: a due time as the date-time inputs write it, in
    the active locale's format and the local time zone (a hand-written input's value)."""
    return input_value(timezone.localtime(value) if value else None, "DATETIME_INPUT_FORMATS")


@register.simple_tag
def datetime_input_hint() -> str:
    """The format hint the date-time inputs show under themselves ("dd/mm/yyyy hh:mm")."""
    return format_hint("DATETIME_INPUT_FORMATS")
