"""Exception requests: granted at once within the requester's discretion, otherwise
decided once by someone else with the authority, with a reason.

Deciding is a conditional update on `status=pending`; the case row is locked first so
that the case's own status (pending approval ↔ open) follows its requests exactly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from policies.models import AllowedException, Policy

from ..models import (
    GRANTED_STATUSES,
    ROLE_LEVEL,
    Case,
    CasePolicy,
    Customer,
    EventKind,
    ExceptionRequest,
    Level,
    Reminder,
    ReminderKind,
    RequestStatus,
    Role,
    Status,
    User,
)
from .badges import approvals_changed
from .dispatch import kick_sweep
from .errors import CaseError, NotAllowed
from .followups import cancel_approval_escalation, schedule_approval_escalation
from .outcomes import already_decided_message
from .timeline import move_status, open_if_new, record_event

CENT = Decimal("0.01")
ZERO = Decimal(0)


class AlreadyDecided(CaseError):
    """Someone else decided (or the requester withdrew) first."""

    def __init__(self, request: ExceptionRequest) -> None:
        self.request = request
        super().__init__(already_decided_message(request))


class Decision:
    APPROVE = "approve"
    COUNTER = "counter"
    DENY = "deny"
    CHOICES = [
        (APPROVE, gettext_lazy("Approve")),
        (COUNTER, gettext_lazy("Approve a lower value")),
        (DENY, gettext_lazy("Deny")),
    ]


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def required_level(*, allowed: AllowedException | None, value: Decimal) -> Level:
    """Who must grant this value of this exception: off-policy always needs a manager."""
    if allowed is None:
        return Level.MANAGER
    if value <= allowed.staff_limit:
        return Level.STAFF
    if value <= allowed.manager_limit:
        return Level.MANAGER
    return Level.ADMIN


def within_discretion(user: User, *, level: int, off_policy: bool) -> bool:
    """May `user` grant this alone? Admins may grant anything; off-policy needs a second
    person unless an admin asks."""
    user_level = ROLE_LEVEL[Role(user.role)]
    if off_policy:
        return user_level == Level.ADMIN
    return user_level >= level


def can_decide(user: User, request: ExceptionRequest) -> bool:
    """Someone else, with the level the request needs, in the case's team (admins: any)."""
    if user.pk == request.requested_by_id or user.role == Role.STAFF:
        return False
    if ROLE_LEVEL[Role(user.role)] < request.required_level:
        return False
    return user.role == Role.ADMIN or request.case.team_id in user.team_ids()


def _lock_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


# What counts against a limit: granted (at the value granted) and still waiting (at the
# value asked). Denied and withdrawn asks give nothing away.
_COUNTED = Q(status=RequestStatus.PENDING) | Q(status__in=GRANTED_STATUSES)


def running_total(
    case: Case, *, allowed: AllowedException, value: Decimal, now: datetime
) -> Decimal:
    """`value` plus what is granted or waiting for `allowed` on this case and, within the
    exception's customer window, for this customer — whichever is more.

    Call with the case row locked (and the customer row, when the window is on) in the
    transaction that inserts the request: a second ask at the same moment waits for the
    first to commit and then counts it, so two asks cannot each fit the limit alone."""
    counted = ExceptionRequest.objects.filter(_COUNTED, allowed_exception=allowed)
    amount = Sum(Coalesce("granted_value", "value"))
    on_case: Decimal = counted.filter(case_id=case.pk).aggregate(total=amount)["total"] or ZERO
    for_customer: Decimal = Decimal(0)
    if allowed.customer_window_days:
        since = now - timedelta(days=allowed.customer_window_days)
        for_customer = (
            counted.filter(case__customer_id=case.customer_id, requested_at__gte=since).aggregate(
                total=amount
            )["total"]
            or ZERO
        )
    return money(value + max(on_case, for_customer))


def _locked_running_total(
    case: Case, *, allowed: AllowedException | None, value: Decimal, now: datetime
) -> Decimal | None:
    """The running total for an ask under `allowed` (None off-policy), with the customer
    row locked first when the exception counts per customer: asks on the customer's other
    cases serialise here, always after the case lock, so no two wait for each other."""
    if allowed is None:
        return None
    if allowed.customer_window_days:
        Customer.objects.select_for_update().filter(pk=case.customer_id).first()
    return running_total(case, allowed=allowed, value=value, now=now)


def _notify(request: ExceptionRequest, kind: str) -> None:
    """The notice is a row in the reminder outbox, written with the change itself: it is
    sent by the sweep (nudged right after commit), so a broker outage delays it at most."""
    Reminder.objects.create(
        kind=kind,
        case_id=request.case_id,
        team_id=request.team_id,
        exception_request=request,
        due_at=timezone.now(),
    )
    kick_sweep()


@transaction.atomic
def attach_policy(case: Case, *, by: User, policy: Policy) -> CasePolicy:
    """Record that a policy is involved, pinned to its current version (once per case)."""
    if not policy.active or policy.current_version_id is None:
        raise NotAllowed(gettext("That policy is not in force."))
    if case.status == Status.CLOSED:
        raise NotAllowed(gettext("This case is closed."))
    attached, created = CasePolicy.objects.get_or_create(
        case=case,
        policy=policy,
        defaults={"policy_version_id": policy.current_version_id, "attached_by": by},
    )
    if created:
        version = attached.policy_version
        record_event(
            case, actor=by, kind=EventKind.POLICY, to_value=f"{policy.code} v{version.number}"
        )
    return attached


def _off_policy_name() -> str:
    """The name kept on an off-policy request: kept text, so in the business's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Off-policy exception")


def _offered_policy(
    *, allowed: AllowedException | None, policy: Policy | None, value: Decimal
) -> Policy | None:
    """The policy an ask falls under, once the value fits what the exception offers."""
    if value <= 0:
        raise NotAllowed(gettext("The value must be more than zero."))
    if allowed is not None:
        policy = allowed.policy
        if not allowed.active or not policy.active:
            raise NotAllowed(gettext("That exception is no longer offered."))
        if value > allowed.max_value:
            raise NotAllowed(
                gettext("The most this exception allows is %(max)s; ask off-policy for more.")
                % {"max": allowed.max_value}
            )
    if policy is not None and policy.current_version_id is None:
        raise NotAllowed(gettext("That policy is not in force."))
    return policy


def _await_decision(case: Case, *, by: User, request: ExceptionRequest, now: datetime) -> None:
    """A request beyond the asker's discretion holds the case (pending approval) and tells
    the deciders now, and again if nobody has decided after the escalation time."""
    open_if_new(case, by=by, now=now)
    if case.status == Status.OPEN:
        move_status(case, from_=Status.OPEN, to=Status.PENDING_APPROVAL, now=now)
        record_event(
            case,
            actor=by,
            kind=EventKind.STATUS,
            from_value=Status.OPEN,
            to_value=Status.PENDING_APPROVAL,
        )
    schedule_approval_escalation(request)
    _notify(request, ReminderKind.EXCEPTION_REQUESTED)


@transaction.atomic
def request_exception(
    case: Case,
    *,
    by: User,
    allowed: AllowedException | None,
    policy: Policy | None = None,
    value: Decimal,
    customer_ask: str,
    justification: str,
) -> ExceptionRequest:
    """Ask to grant an exception on a case; granted at once when within `by`'s discretion."""
    case = _lock_case(case)
    if case.status not in {Status.NEW, Status.OPEN, Status.PENDING_APPROVAL}:
        raise NotAllowed(gettext("Exceptions can only be requested on an active case."))
    value = money(value)
    if not customer_ask.strip() or not justification.strip():
        raise NotAllowed(gettext("Say what the customer asked for and why it is justified."))
    policy = _offered_policy(allowed=allowed, policy=policy, value=value)
    now = timezone.now()
    total = _locked_running_total(case, allowed=allowed, value=value, now=now)
    level = required_level(allowed=allowed, value=value if total is None else total)
    granted = within_discretion(by, level=level, off_policy=allowed is None)
    request = ExceptionRequest.objects.create(
        case=case,
        policy_version_id=policy.current_version_id if policy else None,
        allowed_exception=allowed,
        exception_name=allowed.name if allowed else _off_policy_name(),
        kind=allowed.kind if allowed else "other",
        staff_limit=allowed.staff_limit if allowed else None,
        manager_limit=allowed.manager_limit if allowed else None,
        max_value=allowed.max_value if allowed else None,
        value=value,
        running_total=total,
        customer_ask=customer_ask.strip(),
        justification=justification.strip(),
        required_level=level,
        requested_by=by,
        status=RequestStatus.GRANTED if granted else RequestStatus.PENDING,
        granted_value=value if granted else None,
    )
    if policy is not None:
        attach_policy(case, by=by, policy=policy)
    record_event(
        case,
        actor=by,
        kind=EventKind.EXCEPTION_GRANTED if granted else EventKind.EXCEPTION_REQUESTED,
        to_value=str(value),
        note=f"{request.exception_name}: {request.customer_ask}",
        exception_request=request,
    )
    if not granted:
        _await_decision(case, by=by, request=request, now=now)
        approvals_changed()
    else:
        Case.objects.filter(pk=case.pk).update(last_activity_at=now, updated_at=now)
    return request


def _settle_case(case: Case, *, by: User, now: datetime) -> None:
    """Back to open once no request on the case is waiting."""
    waiting = case.exception_requests.filter(status=RequestStatus.PENDING).exists()
    if case.status == Status.PENDING_APPROVAL and not waiting:
        move_status(case, from_=Status.PENDING_APPROVAL, to=Status.OPEN, now=now)
        record_event(
            case,
            actor=by,
            kind=EventKind.STATUS,
            from_value=Status.PENDING_APPROVAL,
            to_value=Status.OPEN,
        )


@transaction.atomic
def decide_exception(
    request: ExceptionRequest,
    *,
    by: User,
    decision: str,
    reason: str,
    counter_value: Decimal | None = None,
) -> ExceptionRequest:
    """Approve, approve a lower value, or deny — once, with a reason, by someone else."""
    case = _lock_case(request.case)
    request.case = case
    if request.requested_by_id == by.pk:
        raise NotAllowed(gettext("Nobody decides their own request."))
    if not can_decide(by, request):
        raise NotAllowed(gettext("This request needs someone with a higher limit."))
    if not reason.strip():
        raise NotAllowed(gettext("Give a reason for the decision."))
    if decision == Decision.APPROVE:
        status, granted = RequestStatus.APPROVED, request.value
    elif decision == Decision.COUNTER:
        if counter_value is None or not 0 < money(counter_value) < request.value:
            raise NotAllowed(
                gettext("A counter-offer must be more than zero and less than %(value)s.")
                % {"value": request.value}
            )
        status, granted = RequestStatus.COUNTERED, money(counter_value)
    elif decision == Decision.DENY:
        status, granted = RequestStatus.DENIED, None
    else:
        raise NotAllowed(gettext("Choose approve, counter-offer or deny."))
    now = timezone.now()
    decided = ExceptionRequest.objects.filter(pk=request.pk, status=RequestStatus.PENDING).update(
        status=status,
        granted_value=granted,
        decided_by=by,
        decided_at=now,
        decision_reason=reason.strip(),
    )
    if decided != 1:
        request.refresh_from_db()
        raise AlreadyDecided(request)
    approvals_changed()
    request.refresh_from_db()
    record_event(
        case,
        actor=by,
        kind=EventKind.EXCEPTION_DECIDED,
        from_value=str(request.value),
        to_value=status,
        note=reason.strip(),
        exception_request=request,
    )
    _settle_case(case, by=by, now=now)
    Case.objects.filter(pk=case.pk).update(last_activity_at=now, updated_at=now)
    cancel_approval_escalation(request)
    _notify(request, ReminderKind.EXCEPTION_DECIDED)
    return request


@transaction.atomic
def withdraw_exception(
    request: ExceptionRequest, *, by: User, reason: str = ""
) -> ExceptionRequest:
    """The requester takes back a request that is still waiting."""
    case = _lock_case(request.case)
    if request.requested_by_id != by.pk:
        raise NotAllowed(gettext("Only the person who asked can withdraw a request."))
    now = timezone.now()
    withdrawn = ExceptionRequest.objects.filter(pk=request.pk, status=RequestStatus.PENDING).update(
        status=RequestStatus.WITHDRAWN, decided_at=now
    )
    if withdrawn != 1:
        request.refresh_from_db()
        raise AlreadyDecided(request)
    approvals_changed()
    request.refresh_from_db()
    record_event(
        case,
        actor=by,
        kind=EventKind.EXCEPTION_WITHDRAWN,
        note=reason.strip(),
        exception_request=request,
    )
    cancel_approval_escalation(request)
    _settle_case(case, by=by, now=now)
    return request
