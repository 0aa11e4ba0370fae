"""Building a subject-access export: everything held about one customer, as JSON and as a
readable HTML summary, with their attachments, in one ZIP.

Each section is one query (or two) over the customer's cases, whatever their number;
progress is written after each section so the page can show it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from cases.models import (
    Case,
    CaseEvent,
    CaseStudy,
    Customer,
    CustomerFlag,
    CustomerFlagNote,
    ExceptionRequest,
    FeedbackRequest,
    FollowUpTask,
    Interaction,
    Reminder,
    ReminderKind,
)

from . import copies, hooks, services
from .models import AccessLogEntry, ExportState, PrivacyEvent, SubjectAccessExport
from .storage import delete_export_file, export_storage

CUSTOMER_EMAILS = (ReminderKind.FEEDBACK, ReminderKind.CUSTOMER_UPDATE)


def _person(user: Any) -> str:
    return str(user) if user is not None else ""


def _row(obj: Model, fields: list[str], **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"id": obj.pk}
    values.update({name: getattr(obj, name) for name in fields})
    for name in fields:
        display = getattr(obj, f"get_{name}_display", None)
        if display is not None:
            values[f"{name}_label"] = display()
    values.update(extra)
    return values


def profile(customer: Customer) -> dict[str, Any]:
    """The profile and flags, each flag with who set it, when and why; then the flags
    taken off since, with who took them off and why (one query for the notes)."""
    labels = {code: str(label) for code, label in CustomerFlag.choices}
    notes = list(
        CustomerFlagNote.objects.filter(customer=customer).select_related("set_by", "cleared_by")
    )
    current = {n.flag: n for n in notes if n.cleared_at is None}
    return {
        **_row(
            customer,
            [
                "id",
                "name",
                "email",
                "phone",
                "preferred_channel",
                "preferred_language",
                "preferences",
            ],
        ),
        "registered_by_team": str(customer.team),
        "registered_by": _person(customer.created_by),
        "registered_at": customer.created_at,
        "last_changed_at": customer.updated_at,
        "flags": [_flag(code, labels, current.get(code)) for code in customer.flags],
        "flags_cleared": [
            _flag(n.flag, labels, n)
            | {
                "cleared_by": _person(n.cleared_by),
                "cleared_at": n.cleared_at,
                "cleared_reason": n.cleared_reason,
            }
            for n in notes
            if n.cleared_at is not None
        ],
    }


def _flag(code: str, labels: dict[str, str], note: CustomerFlagNote | None) -> dict[str, Any]:
    if note is None:  # set before CaseDesk recorded who set a flag: say so, never guess
        unknown = gettext("not recorded (set before CaseDesk recorded it)")
        return {
            "code": code,
            "label": labels.get(code, code),
            "set_by": unknown,
            "set_at": None,
            "reason": unknown,
        }
    return {
        "code": code,
        "label": labels.get(code, code),
        "set_by": _person(note.set_by),
        "set_at": note.set_at,
        "reason": note.reason,
    }


def cases(case_ids: list[int]) -> list[dict[str, Any]]:
    rows = (
        Case.objects.filter(pk__in=case_ids)
        .select_related("team", "category", "assignee", "created_by")
        .prefetch_related("case_policies__policy_version")
    )
    fields = ["subject", "channel", "priority", "demeanour", "status", "outcome"]
    fields += ["resolution_summary", "reflection", "created_at", "resolved_at", "closed_at"]
    return [
        _row(
            case,
            fields,
            reference=case.reference,
            team=str(case.team),
            category=str(case.category),
            assignee=_person(case.assignee),
            opened_by=_person(case.created_by),
            policies=[str(cp.policy_version) for cp in case.case_policies.all()],
        )
        for case in rows.order_by("created_at", "id")
    ]


def _ref(case_id: int) -> str:
    return Case(pk=case_id).reference


def interactions(case_ids: list[int]) -> list[dict[str, Any]]:
    rows = Interaction.objects.filter(case_id__in=case_ids).select_related("author")
    fields = ["occurred_at", "channel", "direction", "summary", "demeanour", "minutes"]
    fields += ["promise", "promise_due_at"]
    return [
        _row(i, fields, case=_ref(i.case_id), logged_by=_person(i.author))
        for i in rows.order_by("occurred_at", "id")
    ]


def exception_requests(case_ids: list[int]) -> list[dict[str, Any]]:
    rows = ExceptionRequest.objects.filter(case_id__in=case_ids).select_related(
        "requested_by", "decided_by"
    )
    fields = ["exception_name", "kind", "value", "customer_ask", "justification", "status"]
    fields += ["granted_value", "requested_at", "decided_at", "decision_reason"]
    return [
        _row(
            r,
            fields,
            case=_ref(r.case_id),
            off_policy=r.off_policy,
            requested_by=_person(r.requested_by),
            decided_by=_person(r.decided_by),
        )
        for r in rows.order_by("requested_at", "id")
    ]


def tasks(case_ids: list[int]) -> list[dict[str, Any]]:
    rows = FollowUpTask.objects.filter(case_id__in=case_ids).select_related("assignee")
    fields = ["title", "kind", "due_at", "status", "outcome_note", "completed_at"]
    return [
        _row(t, fields, case=_ref(t.case_id), assignee=_person(t.assignee))
        for t in rows.order_by("due_at", "id")
    ]


def feedback(case_ids: list[int]) -> list[dict[str, Any]]:
    rows = FeedbackRequest.objects.filter(case_id__in=case_ids)
    fields = ["email", "send_at", "expires_at", "used_at", "rating", "comment"]
    return [_row(f, fields, case=_ref(f.case_id)) for f in rows.order_by("send_at", "id")]


def emails(case_ids: list[int], customer: Customer) -> list[dict[str, Any]]:
    """Emails to the customer: feedback requests and "what happens next" messages, with
    the address each went (or goes) to and, for the latter, the text."""
    rows = Reminder.objects.filter(case_id__in=case_ids, kind__in=CUSTOMER_EMAILS).select_related(
        "feedback"
    )
    result = []
    for r in rows.order_by("due_at", "id"):
        to = r.feedback.email if r.feedback is not None else customer.email
        subject, _, body = r.note.partition("\n\n")
        result.append(
            _row(r, ["kind", "state", "due_at", "sent_at"], case=_ref(r.case_id), to=to)
            | {"subject": subject, "body": body}
        )
    return result


def timeline(case_ids: list[int]) -> list[dict[str, Any]]:
    rows = CaseEvent.objects.filter(case_id__in=case_ids).select_related("actor")
    fields = ["created_at", "kind", "from_value", "to_value", "note"]
    return [
        _row(e, fields, case=_ref(e.case_id), by=_person(e.actor))
        for e in rows.order_by("case_id", "created_at", "id")
    ]


def case_studies(case_ids: list[int]) -> list[dict[str, Any]]:
    rows = CaseStudy.objects.filter(case_id__in=case_ids)
    return [
        _row(s, ["kind", "title", "write_up", "created_at"], case=_ref(s.case_id)) for s in rows
    ]


def access_log(customer: Customer) -> list[dict[str, Any]]:
    rows = AccessLogEntry.objects.filter(customer_id=customer.pk).select_related("user")
    return [
        _row(a, ["at", "object_type", "object_id", "address"], user=_person(a.user))
        for a in rows.order_by("-at", "-id")
    ]


def privacy_events(customer: Customer) -> list[dict[str, Any]]:
    rows = PrivacyEvent.objects.filter(customer_id=customer.pk).select_related("actor")
    return [_row(e, ["at", "kind", "note"], by=_person(e.actor)) for e in rows]


@dataclass
class Built:
    data: dict[str, Any]
    files: list[hooks.ExportFile]


def collect(export: SubjectAccessExport, *, progress: Callable[[int], None]) -> Built:
    """Every section, in order, reporting progress (percent) after each."""
    customer = Customer.objects.select_related("team", "created_by").get(pk=export.customer_id)
    case_ids = list(Case.objects.filter(customer=customer).values_list("pk", flat=True))
    sections: list[tuple[str, Callable[[], Any]]] = [
        ("customer", lambda: profile(customer)),
        ("cases", lambda: cases(case_ids)),
        ("interactions", lambda: interactions(case_ids)),
        ("exception_requests", lambda: exception_requests(case_ids)),
        ("tasks", lambda: tasks(case_ids)),
        ("feedback", lambda: feedback(case_ids)),
        ("emails", lambda: emails(case_ids, customer)),
        ("timeline", lambda: timeline(case_ids)),
        ("case_studies", lambda: case_studies(case_ids)),
        ("webhook_deliveries", lambda: copies.webhook_disclosures(case_ids)),
        ("access_log", lambda: access_log(customer)),
        ("data_protection_events", lambda: privacy_events(customer)),
    ]
    data: dict[str, Any] = {
        "export": {
            "id": export.pk,
            "generated_at": timezone.now(),
            "requested_by": _person(export.requested_by),
            "business": settings.CASEDESK_BUSINESS_NAME,
        }
    }
    files: list[hooks.ExportFile] = []
    for index, (name, build) in enumerate(sections, start=1):
        data[name] = build()
        progress(int(80 * index / len(sections)))
    for hook in hooks.customer_hooks():
        part = hook.export(customer)
        data[hook.name] = part.rows
        files.extend(part.files)
    return Built(data=data, files=files)


def write_zip(built: Built) -> bytes:
    """data.json, summary.html and the files, in a ZIP held in memory (an export is one
    customer's data: kilobytes, or megabytes with photos)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(built.data, cls=DjangoJSONEncoder, indent=2))
        html = render_to_string("privacy/export_summary.html", {"data": built.data})
        archive.writestr("summary.html", html)
        for file in built.files:
            with file.open() as handle:
                archive.writestr(file.path, handle.read())
    return buffer.getvalue()


def build(export_id: int) -> bool:
    """Build one queued export (claimed first, so two workers never build it twice);
    returns whether this call built it. A failure marks it failed with the error's type
    (never its text: it could quote the customer's data)."""
    if not services.claim_build(export_id):
        return False
    export = SubjectAccessExport.objects.select_related("requested_by").get(pk=export_id)
    building = SubjectAccessExport.objects.filter(pk=export_id, state=ExportState.BUILDING)

    def progress(percent: int) -> None:
        building.update(progress=percent)

    try:
        payload = write_zip(collect(export, progress=progress))
        progress(90)
        name = export_storage().save(services.new_file_name(), ContentFile(payload))
    except Exception as error:
        building.update(state=ExportState.FAILED, error=f"{type(error).__name__}"[:500])
        raise
    if not services.finish_build(export_id, file_name=name, size=len(payload)):
        delete_export_file(name)  # erased meanwhile: the file must not outlive the data
        return False
    return True
