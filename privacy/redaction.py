"""Redacting a customer's personal data where it is copied, keeping what insights count.

What goes: names, emails, phone numbers (and their normalised copies), notes on
preferences, flags and the reasons they were set or cleared for, the preferred language
(back to the default), and every free-text field on their cases — subjects, interaction
summaries and promises, resolution summaries and reflections, what the customer asked for
and the reasons around it, task titles and outcome notes, feedback comments, the text of
emails to them, case studies, timeline notes and the timeline values that copied a subject
or an address; and the copies other apps keep of these (webhook bodies, the API's stored
responses: `copies.py`). Free text is redacted whole: a summary that names the customer,
their partner or their address cannot be cleaned word by word.

What stays: ids, times, statuses, categories, channels, demeanours, minutes, amounts,
outcomes, ratings, who on the staff did what — so insights and the exception ledger add
up as before. The full-text and trigram indexes are expressions over these columns, so
PostgreSQL drops the old entries with the old row versions (VACUUM reclaims them).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case as SqlCase
from django.db.models import Q, QuerySet, Value, When
from django.utils import timezone

from casedesk import languages
from cases.models import (
    Case,
    CaseEvent,
    CaseStudy,
    Customer,
    CustomerFlagNote,
    EventKind,
    ExceptionRequest,
    FeedbackRequest,
    FollowUpTask,
    Interaction,
    Reminder,
    ReminderKind,
    ReminderState,
)

from . import copies

REDACTED = copies.REDACTED

# Per model: the free-text fields to redact on a customer's cases (empty ones stay empty).
CASE_TEXT: dict[type, tuple[str, ...]] = {
    Case: ("subject", "resolution_summary", "reflection"),
    Interaction: ("summary", "promise"),
    ExceptionRequest: ("customer_ask", "justification", "decision_reason"),
    FollowUpTask: ("title", "outcome_note"),
    Reminder: ("note",),
    FeedbackRequest: ("comment",),
    CaseStudy: ("title", "write_up"),
    CaseEvent: ("note",),
}
# Timeline events whose values copied personal data: the subject when the case opened,
# the address a customer email went to, a file's name. Other values are statuses, amounts,
# staff names.
# File events (from the attachments app) name the file, which may name the customer.
EVENTS_WITH_PERSONAL_VALUES = (
    EventKind.OPENED,
    EventKind.CUSTOMER_EMAILED,
    "file_added",
    "file_removed",
)
# Reminders addressed to the customer rather than to staff.
CUSTOMER_REMINDERS = (ReminderKind.FEEDBACK, ReminderKind.CUSTOMER_UPDATE)


def _redacted(field: str) -> SqlCase:
    """The field's value replaced by the marker, unless it was empty (so that "no promise"
    and "no resolution summary" stay what they were, and check constraints still hold)."""
    return SqlCase(When(**{field: ""}, then=Value("")), default=Value(REDACTED))


def _by_case(model: type, case_ids: Sequence[int]) -> QuerySet:
    if model is Case:
        return Case.objects.filter(pk__in=case_ids)
    return model._default_manager.filter(case_id__in=case_ids)  # type: ignore[attr-defined]


def redact_cases(case_ids: Sequence[int], *, customer_ids: Sequence[int] = ()) -> None:
    """Redact the free text of these cases and everything on them, in a handful of UPDATEs
    (one per table), and the copies other apps keep of them (and of `customer_ids`' own
    records). Idempotent: a second run writes the same markers again."""
    if case_ids or customer_ids:
        copies.scrub_deliveries(case_ids)
        copies.scrub_idempotency(case_ids, customer_ids)
    if not case_ids:
        return
    now = timezone.now()
    for model, fields in CASE_TEXT.items():
        _by_case(model, case_ids).update(**{field: _redacted(field) for field in fields})
    CaseEvent.objects.filter(case_id__in=case_ids, kind__in=EVENTS_WITH_PERSONAL_VALUES).update(
        from_value="", to_value=""
    )
    # Emails to the customer: not sent yet → cancelled; sent → the copy of the address and
    # any error (an SMTP refusal quotes the address) removed.
    to_customer = Reminder.objects.filter(case_id__in=case_ids, kind__in=CUSTOMER_REMINDERS)
    to_customer.filter(state__in=[ReminderState.PENDING, ReminderState.SENDING]).update(
        state=ReminderState.CANCELLED, last_error="Customer's personal data erased."
    )
    to_customer.exclude(last_error="Customer's personal data erased.").update(last_error="")
    # Feedback links: the address goes, an unused link stops working; the rating stays.
    FeedbackRequest.objects.filter(case_id__in=case_ids).update(email="")
    FeedbackRequest.objects.filter(
        case_id__in=case_ids, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    scrub_admin_log(Case, case_ids)


def erase_profile(customer_id: int, *, now: object) -> int:
    """Replace the customer's own fields; returns the rows changed (1, or 0 when the
    customer is already erased — the conditional update that makes erasure happen once)."""
    from .models import Erasure

    already = Erasure.objects.filter(customer_id=customer_id)
    changed = (
        Customer.objects.filter(pk=customer_id, erased_at__isnull=True)
        .exclude(Q(pk__in=already.values("customer_id")))
        .update(
            name=f"Erased customer #{customer_id}",
            email="",
            phone="",
            email_normalised="",
            phone_normalised="",
            phone_reversed="",  # the search-as-you-type keys are personal data too
            surname_key="",
            preferences="",
            # A language can hint at where someone is from: back to the default.
            preferred_language=languages.customer_default(),
            flags=[],
            updated_at=now,
            erased_at=now,
        )
    )
    if changed:
        redact_flag_notes(customer_id, now=now)
        scrub_admin_log(Customer, [customer_id])
    return changed


def redact_flag_notes(customer_id: int, *, now: object) -> None:
    """The flags go with the profile: their open notes are closed, and every reason given
    for setting or clearing one is replaced. Which flag, who on the staff and when stay,
    as a case's demeanour does."""
    notes = CustomerFlagNote.objects.filter(customer_id=customer_id)
    notes.filter(cleared_at__isnull=True).update(cleared_at=now)
    notes.update(reason=_redacted("reason"), cleared_reason=_redacted("cleared_reason"))


def scrub_admin_log(model: type, ids: Sequence[int]) -> None:
    """The Django admin's history copies an object's name (a customer's name, a case's
    subject) and what changed: keep that an admin changed it, drop the copy."""
    content_type = ContentType.objects.get_for_model(model)
    LogEntry.objects.filter(
        content_type=content_type, object_id__in=[str(pk) for pk in ids]
    ).update(object_repr=REDACTED, change_message="")
