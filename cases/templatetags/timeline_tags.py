"""The case timeline's events, written in Python.

The busiest case page (349 interactions, 50 events a page) spent 26 of its 61 ms of
template time in the loop over the events (bench/results/template-times-case-busiest-*):
each event went through a dozen nodes, a `{% blocktranslate %}` or three, four date
filters and an `{% include %}` for its files.
As with the case table (`casedesk.case_table`), each kind of event is now one function.

The sentences are the same messages as the template's, so the catalogues keep their
translations, and they are filled as `{% blocktranslate %}` fills them: every value through
`render_value_in_context` (local time, localised, escaped), the translated sentence
trusted, and English when a translation's placeholders do not fit. Files still go through
`attachments/_attachments.html`, rendered only for an interaction that has some.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import linebreaksbr, truncatechars
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

from attachments.selectors import files_of
from casedesk.escaping import esc

from ..money import format_money
from .casedesk import event_label

register = template.Library()


@register.simple_tag(takes_context=True)
def timeline_events(context: template.Context, events: Iterable[Any]) -> SafeString:
    """Each event as `<li>`: when and who, then what happened, in the reader's language."""
    page = Writer(context)
    return mark_safe("".join(page.event(event) for event in events))


class Writer:
    """What one page of rows shares: the context, the reader's time zone and date format,
    and sentences translated once (each lookup goes through the active language's
    thread-local, and a page of 50 events made some 500 of them). Also used by the
    customer profile's rows (profile_tags)."""

    def __init__(self, context: template.Context) -> None:
        self.context = context
        self.zone = timezone.get_current_timezone()
        self.datetime_format = get_format("DATETIME_FORMAT")
        self.nobody = mark_safe(esc(gettext("nobody")))
        self.words: dict[str, str] = {}
        self.spent: dict[int, str] = {}

    def local(self, moment: datetime | None) -> datetime | None:
        """As a template shows a time: in the reader's time zone (as template_localtime)."""
        if moment is None or timezone.is_naive(moment):
            return moment
        return moment.astimezone(self.zone)

    def value(self, value: Any) -> str:
        """A value as `{{ value }}` (and `{% blocktranslate with %}`) would write it."""
        if type(value) is str:  # the usual case, without the checks for times and numbers
            return html.escape(value)
        return str(render_value_in_context(value, self.context))

    def event(self, event: Any) -> str:
        when = self.local(event.created_at)
        assert when is not None  # an event always has its time
        head = (
            f'<div class="small text-muted"><time datetime="{esc(when.isoformat())}">'
            f"{esc(dateformat.format(when, self.datetime_format))}</time> · "
            f"{esc(event.actor or 'CaseDesk')}</div>"
        )
        write = _KINDS.get(event.kind)
        if write is None:
            body = f"<div><strong>{esc(event.get_kind_display())}</strong>{_note(event)}</div>"
        else:
            body = write(self, event)
        return f'<li class="list-group-item event-{esc(event.kind)}">\n{head}\n{body}\n</li>\n'

    def fill(self, message: str, **values: Any) -> str:
        """A gettext_noop sentence, translated, with its values written in."""
        translated = self.words.get(message)
        if translated is None:
            translated = self.words[message] = gettext(message)
        data = {name: self.value(value) for name, value in values.items()}
        return _fill(translated, message, data)

    def minutes(self, minutes: int) -> str:
        spent = self.spent.get(minutes)
        if spent is None:
            values = {"minutes": self.value(minutes)}
            # Translators: minutes spent on an interaction ("min" is short for minutes).
            translated = ngettext("%(minutes)s min", "%(minutes)s min", minutes)
            spent = self.spent[minutes] = _fill(translated, "%(minutes)s min", values)
        return spent

    def interaction(self, event: Any) -> str:
        i = event.interaction
        occurred, created = self.local(i.occurred_at), self.local(event.created_at)
        assert occurred is not None and created is not None
        happened = ""
        if occurred.replace(second=0, microsecond=0) != created.replace(second=0, microsecond=0):
            happened = " · " + self.fill(HAPPENED, when=dateformat.format(occurred, "j M H:i"))
        parts = [
            f"<div><strong>{esc(i.get_channel_display())}, "
            f"{esc(i.get_direction_display().lower())}</strong> · {self.minutes(i.minutes)} · "
            f'<span class="demeanour-{esc(i.demeanour)}">{esc(i.get_demeanour_display())}</span>'
            f"{happened}</div>",
            f"<div>{linebreaksbr(i.summary, autoescape=True)}</div>",
        ]
        if i.promise:
            due_at = self.local(i.promise_due_at)
            due = {"when": self.value(dateformat.format(due_at, "D j M H:i") if due_at else "")}
            by = _fill(pgettext("deadline", "by %(when)s"), "by %(when)s", due)
            parts.append(
                '<div class="mt-1"><span class="badge text-bg-info"><i class="bi '
                f'bi-hand-thumbs-up" aria-hidden="true"></i> {esc(gettext("Promise"))}</span> '
                f"{esc(i.promise)} — {by}</div>"
            )
        files = files_of(i)
        if files:
            parts.append(self.files(files))
        return "\n".join(parts)

    def files(self, files: list[Any], label: str | None = None) -> str:
        """Files (an interaction's, unless `label` says otherwise), through the same
        template as everywhere else."""
        context = self.context
        assert context.template is not None  # a tag renders inside a template
        files_template = context.template.engine.get_template("attachments/_attachments.html")
        if label is None:
            label = gettext("Files on this interaction")
        with context.push(attachments=files, label=label):
            return str(files_template.render(context))


def _fill(translated: str, message: str, data: dict[str, str]) -> str:
    try:
        return translated % data
    except (KeyError, ValueError):  # a translation that does not fit: English, as Django does
        return message % data


def _note(event: Any) -> str:
    return f": {linebreaksbr(event.note, autoescape=True)}" if event.note else ""


def _money(value: Any) -> str:
    return format_money(value)


OPENED = gettext_noop("<strong>Case opened</strong>: %(subject)s")
STATUS = gettext_noop("Status: %(old)s → <strong>%(new)s</strong>")
ASSIGNEE = gettext_noop("Reassigned from %(old)s to <strong>%(new)s</strong>")
PRIORITY = gettext_noop("Priority: %(old)s → <strong>%(new)s</strong>")
DEMEANOUR = gettext_noop("Demeanour: %(old)s → <strong>%(new)s</strong>")
RESOLVED = gettext_noop("<strong>Resolved: %(outcome)s</strong>. %(note)s")
REOPENED = gettext_noop("<strong>Reopened</strong>: %(note)s")
POLICY = gettext_noop("Policy attached: <strong>%(policy)s</strong>")
REQUESTED = gettext_noop("<strong>Exception requested</strong> (%(value)s): %(note)s")
GRANTED = gettext_noop(
    "<strong>Exception granted at once</strong> (%(value)s, within discretion): %(note)s"
)
APPROVED = gettext_noop("<strong>Exception approved</strong> (asked %(asked)s): %(note)s")
COUNTERED = gettext_noop(
    "<strong>Exception counter-offered at %(granted)s</strong> (asked %(asked)s): %(note)s"
)
DENIED = gettext_noop("<strong>Exception denied</strong> (asked %(asked)s): %(note)s")
WITHDRAWN_WHY = gettext_noop("<strong>Exception request withdrawn</strong>: %(note)s")
WITHDRAWN = gettext_noop("Exception request withdrawn")
TASK_ADDED = gettext_noop("<strong>Follow-up added</strong>: %(title)s — %(due)s")
TASK_MOVED = gettext_noop("<strong>Follow-up moved</strong>: %(title)s — %(due)s")
TASK_DONE = gettext_noop("<strong>Follow-up done</strong>: %(note)s")
TASK_CANCELLED = gettext_noop("<strong>Follow-up cancelled</strong>: %(note)s")
EMAILED = gettext_noop("<strong>Customer emailed</strong> (%(address)s):")
FILE_REMOVED = gettext_noop("<strong>File removed</strong>: %(name)s — %(reason)s")
RATED_WHY = gettext_noop("<strong>Customer rated %(rating)s/5</strong>: “%(comment)s”")
RATED = gettext_noop("<strong>Customer rated %(rating)s/5</strong>")
HAPPENED = gettext_noop("happened %(when)s")


def _change(message: str) -> Callable[[Writer, Any], str]:
    """Status, priority and demeanour: from one label to another."""

    def write(page: Writer, event: Any) -> str:
        old, new = (event_label(v, event.kind) for v in (event.from_value, event.to_value))
        return f"<div>{page.fill(message, old=old, new=new)}</div>"

    return write


def _assignee(page: Writer, e: Any) -> str:
    old, new = (v if v else page.nobody for v in (e.from_value, e.to_value))
    return f"<div>{page.fill(ASSIGNEE, old=old, new=new)}</div>"


def _resolved(page: Writer, e: Any) -> str:
    outcome = event_label(e.to_value, "resolved")
    note = linebreaksbr(e.note, autoescape=True)
    return f"<div>{page.fill(RESOLVED, outcome=outcome, note=note)}</div>"


def _decided(page: Writer, e: Any) -> str:
    asked = _money(e.from_value)
    if e.to_value == "approved":
        text = page.fill(APPROVED, asked=asked, note=e.note)
    elif e.to_value == "countered":
        granted = _money(e.exception_request.granted_value)
        text = page.fill(COUNTERED, granted=granted, asked=asked, note=e.note)
    else:
        text = page.fill(DENIED, asked=asked, note=e.note)
    return f"<div>{text}</div>"


def _withdrawn(page: Writer, e: Any) -> str:
    if e.note:
        return f"<div>{page.fill(WITHDRAWN_WHY, note=e.note)}</div>"
    return f"<div><strong>{esc(gettext(WITHDRAWN))}</strong></div>"


def _emailed(page: Writer, e: Any) -> str:
    text = linebreaksbr(truncatechars(e.note, 300), autoescape=True)
    return f'<div>{page.fill(EMAILED, address=e.to_value)} <span class="small">{text}</span></div>'


def _feedback(page: Writer, e: Any) -> str:
    if e.note:
        return f"<div>{page.fill(RATED_WHY, rating=e.to_value, comment=e.note)}</div>"
    return f"<div>{page.fill(RATED, rating=e.to_value)}</div>"


def _sentence(message: str, **fields: str) -> Callable[[Writer, Any], str]:
    """A kind whose sentence takes event fields as they are: {"subject": "to_value"}."""

    def write(page: Writer, event: Any) -> str:
        values = {name: getattr(event, attribute) for name, attribute in fields.items()}
        return f"<div>{page.fill(message, **values)}</div>"

    return write


def _with_money(message: str) -> Callable[[Writer, Any], str]:
    def write(page: Writer, event: Any) -> str:
        return f"<div>{page.fill(message, value=_money(event.to_value), note=event.note)}</div>"

    return write


def _reopened(page: Writer, e: Any) -> str:
    return f"<div>{page.fill(REOPENED, note=linebreaksbr(e.note, autoescape=True))}</div>"


_KINDS: dict[str, Callable[[Writer, Any], str]] = {
    "interaction": Writer.interaction,
    "opened": _sentence(OPENED, subject="to_value"),
    "status": _change(STATUS),
    "assignee": _assignee,
    "priority": _change(PRIORITY),
    "demeanour": _change(DEMEANOUR),
    "resolved": _resolved,
    "reopened": _reopened,
    "policy": _sentence(POLICY, policy="to_value"),
    "exc_requested": _with_money(REQUESTED),
    "exc_granted": _with_money(GRANTED),
    "exc_decided": _decided,
    "exc_withdrawn": _withdrawn,
    "task_added": _sentence(TASK_ADDED, title="note", due="to_value"),
    "task_changed": _sentence(TASK_MOVED, title="note", due="to_value"),
    "task_done": _sentence(TASK_DONE, note="note"),
    "task_cancelled": _sentence(TASK_CANCELLED, note="note"),
    "customer_emailed": _emailed,
    "file_removed": _sentence(FILE_REMOVED, name="to_value", reason="note"),
    "feedback": _feedback,
}
