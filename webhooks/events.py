"""What each webhook event says: the payload builders, reading cases.models only.

The payload follows the Standard Webhooks shape, `{"type", "timestamp", "data"}`. It is
built once per event, inside the transaction that made the change (so it reads what that
transaction wrote), serialised once, and that exact text is stored on every delivery of
the event: a retry, a recovery or "send again" posts the same bytes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from cases.models import Case, CaseEvent, ExceptionRequest, FollowUpTask, Interaction, User

from .models import EventType

# Timeline event kind → the webhook types it raises. A request granted at once within the
# asker's discretion is both asked and decided, so it raises both.
TYPES_BY_KIND: dict[str, tuple[str, ...]] = {
    "opened": (EventType.CASE_CREATED,),
    "assignee": (EventType.CASE_ASSIGNED,),
    "resolved": (EventType.CASE_RESOLVED,),
    "reopened": (EventType.CASE_REOPENED,),
    "interaction": (EventType.INTERACTION_LOGGED,),
    "exc_requested": (EventType.EXCEPTION_REQUESTED,),
    "exc_granted": (EventType.EXCEPTION_REQUESTED, EventType.EXCEPTION_DECIDED),
    "exc_decided": (EventType.EXCEPTION_DECIDED,),
    "task_added": (EventType.TASK_CREATED,),
    "task_done": (EventType.TASK_COMPLETED,),
    "feedback": (EventType.FEEDBACK_RECEIVED,),
}


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": str(user)}


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def case_data(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "reference": case.reference,
        "url": settings.CASEDESK_BASE_URL.rstrip("/") + case.get_absolute_url(),
        "subject": case.subject,
        "status": case.status,
        "team": {"id": case.team_id, "name": case.team.name},
        "customer": {"id": case.customer_id, "name": case.customer.name},
        "category": case.category.name,
        "channel": case.channel,
        "priority": case.priority,
        "demeanour": case.demeanour,
        "assignee": _person(case.assignee),
        "outcome": case.outcome or None,
        "resolution_summary": case.resolution_summary or None,
        "created_at": _when(case.created_at),
        "resolved_at": _when(case.resolved_at),
    }


def interaction_data(interaction: Interaction) -> dict[str, Any]:
    return {
        "id": interaction.pk,
        "occurred_at": _when(interaction.occurred_at),
        "author": _person(interaction.author),
        "channel": interaction.channel,
        "direction": interaction.direction,
        "summary": interaction.summary,
        "demeanour": interaction.demeanour,
        "minutes": interaction.minutes,
        "promise": interaction.promise or None,
        "promise_due_at": _when(interaction.promise_due_at),
    }


def request_data(request: ExceptionRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "exception_name": request.exception_name,
        "kind": request.kind,
        "off_policy": request.off_policy,
        "value": request.value,
        "currency": settings.CASEDESK_CURRENCY,
        "status": request.status,
        "granted_value": request.granted_value,
        "customer_ask": request.customer_ask,
        "justification": request.justification,
        "requested_by": _person(request.requested_by),
        "requested_at": _when(request.requested_at),
        "decided_by": _person(request.decided_by),
        "decided_at": _when(request.decided_at),
        "decision_reason": request.decision_reason or None,
    }


def task_data(task: FollowUpTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "kind": task.kind,
        "status": task.status,
        "due_at": _when(task.due_at),
        "assignee": _person(task.assignee),
        "outcome_note": task.outcome_note or None,
        "completed_at": _when(task.completed_at),
        "completed_by": _person(task.completed_by),
    }


def _load_case(case_id: int) -> Case:
    # Read afresh inside the change's transaction: the caller's instance may predate the
    # update that raised the event (a reassignment updates the row, then writes the event).
    return Case.objects.select_related("customer", "team", "category", "assignee").get(pk=case_id)


def _load_task(task_id: int) -> FollowUpTask:
    task: FollowUpTask = FollowUpTask.objects.select_related("assignee", "completed_by").get(
        pk=task_id
    )
    return task


def event_data(event: CaseEvent) -> dict[str, Any]:
    """The `data` of the webhook(s) a timeline event raises."""
    data: dict[str, Any] = {"case": case_data(_load_case(event.case_id))}
    data["actor"] = _person(event.actor)
    if event.kind == "interaction" and event.interaction is not None:
        data["interaction"] = interaction_data(event.interaction)
    elif event.exception_request_id is not None:
        request = ExceptionRequest.objects.select_related("requested_by", "decided_by").get(
            pk=event.exception_request_id
        )
        data["exception_request"] = request_data(request)
    elif event.task_id is not None:
        data["task"] = task_data(_load_task(event.task_id))
    elif event.kind == "feedback":
        data["feedback"] = {"rating": int(event.to_value), "comment": event.note or None}
    if event.kind == "reopened":
        data["reason"] = event.note
    return data


def overdue_data(task: FollowUpTask) -> dict[str, Any]:
    """`task.overdue`: the task as it stands when the escalation goes out."""
    task = _load_task(task.pk)
    return {"case": case_data(_load_case(task.case_id)), "actor": None, "task": task_data(task)}


def body(*, event_type: str, timestamp: datetime, data: dict[str, Any]) -> str:
    """The exact JSON text posted (compact; money as strings, times in ISO 8601)."""
    payload = {"type": event_type, "timestamp": _when(timestamp), "data": data}
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
