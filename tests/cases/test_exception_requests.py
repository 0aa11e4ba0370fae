"""Exception requests: discretion limits, deciding once, never your own, with a reason."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services
from cases.models import CaseEvent, EventKind, ExceptionRequest, Level, RequestStatus, Status

pytestmark = pytest.mark.django_db

STAFF_OK, MANAGER_OK, ADMIN_ONLY = Decimal("20.00"), Decimal("80.00"), Decimal("150.00")


def ask(case, by, allowed, value, **extra):
    return services.request_exception(
        case,
        by=by,
        allowed=allowed,
        value=value,
        customer_ask="Refund of the diagnostic fee",
        justification="Repair was declined because the part is discontinued",
        **extra,
    )


# The limit matrix: role × value against each limit × on/off policy -----------------------

MATRIX = [
    # role, value, on_policy, expected status, level needed
    ("staff", STAFF_OK, True, RequestStatus.GRANTED, Level.STAFF),
    ("staff", Decimal("25.00"), True, RequestStatus.GRANTED, Level.STAFF),  # at the limit
    ("staff", Decimal("25.01"), True, RequestStatus.PENDING, Level.MANAGER),
    ("staff", MANAGER_OK, True, RequestStatus.PENDING, Level.MANAGER),
    ("staff", ADMIN_ONLY, True, RequestStatus.PENDING, Level.ADMIN),
    ("manager", STAFF_OK, True, RequestStatus.GRANTED, Level.STAFF),
    ("manager", Decimal("100.00"), True, RequestStatus.GRANTED, Level.MANAGER),
    ("manager", Decimal("100.01"), True, RequestStatus.PENDING, Level.ADMIN),
    ("admin", ADMIN_ONLY, True, RequestStatus.GRANTED, Level.ADMIN),
    ("staff", STAFF_OK, False, RequestStatus.PENDING, Level.MANAGER),
    ("manager", STAFF_OK, False, RequestStatus.PENDING, Level.MANAGER),
    ("admin", Decimal("500.00"), False, RequestStatus.GRANTED, Level.MANAGER),
]


@pytest.mark.parametrize(("role", "value", "on_policy", "status", "level"), MATRIX)
def test_limit_matrix(request, case, allowed, policy, role, value, on_policy, status, level):
    user = request.getfixturevalue({"admin": "admin_user"}.get(role, role))
    created = ask(case, user, allowed if on_policy else None, value, policy=policy)
    assert (created.status, created.required_level) == (status, level)
    case.refresh_from_db()
    if status == RequestStatus.GRANTED:
        assert created.granted_value == value
        assert case.events.filter(kind=EventKind.EXCEPTION_GRANTED).count() == 1
        assert case.status != Status.PENDING_APPROVAL
    else:
        assert created.granted_value is None
        assert case.status == Status.PENDING_APPROVAL
        assert case.events.filter(kind=EventKind.EXCEPTION_REQUESTED).count() == 1


def test_request_above_the_maximum_is_refused(case, staff, allowed):
    with pytest.raises(services.NotAllowed, match="200"):
        ask(case, staff, allowed, Decimal("200.01"))
    assert not ExceptionRequest.objects.exists()


def test_request_keeps_the_limits_and_version_in_force(case, staff, allowed, policy, admin_user):
    from policies import services as policy_services

    created = ask(case, staff, allowed, MANAGER_OK)
    policy_services.save_allowed_exception(
        policy, by=admin_user, allowed=allowed, staff_limit=Decimal("90.00")
    )
    created.refresh_from_db()
    assert created.staff_limit == Decimal("25.00")
    assert created.policy_version.number == 1
    assert policy.versions.count() == 2
    # The case's attached policy still reads as version 1.
    assert case.case_policies.get().policy_version.number == 1


def test_manager_approves_and_case_goes_back_to_open(case, staff, manager, allowed):
    pending = ask(case, staff, allowed, MANAGER_OK)
    decided = services.decide_exception(
        pending, by=manager, decision="approve", reason="Fair: the part is discontinued"
    )
    assert (decided.status, decided.granted_value, decided.decided_by) == (
        RequestStatus.APPROVED,
        MANAGER_OK,
        manager,
    )
    case.refresh_from_db()
    assert case.status == Status.OPEN
    event = case.events.get(kind=EventKind.EXCEPTION_DECIDED)
    assert (event.actor, event.to_value, event.note) == (
        manager,
        "approved",
        "Fair: the part is discontinued",
    )


def test_counter_offer_grants_less_with_a_reason(case, staff, manager, allowed):
    pending = ask(case, staff, allowed, MANAGER_OK)
    with pytest.raises(services.NotAllowed):
        services.decide_exception(
            pending, by=manager, decision="counter", reason="x", counter_value=MANAGER_OK
        )
    decided = services.decide_exception(
        pending, by=manager, decision="counter", reason="Half", counter_value=Decimal("40")
    )
    assert (decided.status, decided.granted_value) == (RequestStatus.COUNTERED, Decimal("40.00"))


def test_a_decision_needs_a_reason(case, staff, manager, allowed):
    pending = ask(case, staff, allowed, MANAGER_OK)
    with pytest.raises(services.NotAllowed, match="reason"):
        services.decide_exception(pending, by=manager, decision="deny", reason="  ")


def test_a_decision_is_final(case, staff, manager, admin_user, allowed):
    pending = ask(case, staff, allowed, MANAGER_OK)
    services.decide_exception(pending, by=manager, decision="deny", reason="Policy stands")
    stale = ExceptionRequest.objects.get(pk=pending.pk)
    stale.status = RequestStatus.PENDING  # a second decider working from an old page
    with pytest.raises(services.AlreadyDecided, match="denied by Mo Manager"):
        services.decide_exception(stale, by=admin_user, decision="approve", reason="Overrule")
    assert CaseEvent.objects.filter(kind=EventKind.EXCEPTION_DECIDED).count() == 1


def test_nobody_decides_their_own_request(case, manager, allowed):
    pending = ask(case, manager, None, STAFF_OK)  # off-policy: needs someone else
    with pytest.raises(services.NotAllowed, match="own"):
        services.decide_exception(pending, by=manager, decision="approve", reason="Mine")


def test_manager_cannot_decide_above_their_limit(case, staff, manager, admin_user, allowed):
    pending = ask(case, staff, allowed, ADMIN_ONLY)
    with pytest.raises(services.NotAllowed):
        services.decide_exception(pending, by=manager, decision="approve", reason="ok")
    services.decide_exception(pending, by=admin_user, decision="approve", reason="ok")


def test_manager_of_another_team_cannot_decide(case, staff, other_team_manager, allowed):
    pending = ask(case, staff, allowed, MANAGER_OK)
    with pytest.raises(services.NotAllowed):
        services.decide_exception(pending, by=other_team_manager, decision="approve", reason="x")


def test_staff_cannot_decide(case, staff, colleague, allowed):
    pending = ask(case, staff, allowed, MANAGER_OK)
    with pytest.raises(services.NotAllowed):
        services.decide_exception(pending, by=colleague, decision="approve", reason="x")


def test_requester_withdraws_and_case_reopens(case, staff, colleague, allowed):
    pending = ask(case, staff, allowed, MANAGER_OK)
    with pytest.raises(services.NotAllowed):
        services.withdraw_exception(pending, by=colleague)
    services.withdraw_exception(pending, by=staff)
    case.refresh_from_db()
    assert case.status == Status.OPEN
    pending.refresh_from_db()
    assert pending.status == RequestStatus.WITHDRAWN


def test_case_waits_until_every_request_is_decided(case, staff, manager, allowed):
    first = ask(case, staff, allowed, MANAGER_OK)
    second = ask(case, staff, allowed, Decimal("20.00"))  # the total stays a manager's
    services.decide_exception(first, by=manager, decision="approve", reason="ok")
    case.refresh_from_db()
    assert case.status == Status.PENDING_APPROVAL
    services.decide_exception(second, by=manager, decision="deny", reason="one is enough")
    case.refresh_from_db()
    assert case.status == Status.OPEN


def test_no_request_on_a_resolved_case(case, staff, allowed):
    services.resolve_case(case, by=staff, outcome="within_policy", summary="done")
    with pytest.raises(services.NotAllowed):
        ask(case, staff, allowed, STAFF_OK)


def test_attaching_a_policy_pins_its_version_once(case, staff, policy):
    services.attach_policy(case, by=staff, policy=policy)
    services.attach_policy(case, by=staff, policy=policy)
    assert case.case_policies.count() == 1
    assert case.events.filter(kind=EventKind.POLICY).get().to_value == "DIAG-FEE v1"


# The database refuses what the rules forbid -----------------------------------------------


def _row(case, staff, **fields):
    base = {
        "case": case,
        "exception_name": "x",
        "kind": "other",
        "value": Decimal("10"),
        "customer_ask": "x",
        "justification": "x",
        "required_level": Level.MANAGER,
        "requested_by": staff,
        "status": RequestStatus.PENDING,
    }
    base.update(fields)
    return ExceptionRequest.objects.create(**base)


NOW = timezone.now()
DECIDED = {"decided_at": NOW, "decision_reason": "because"}


@pytest.mark.parametrize(
    ("fields", "with_decider"),
    [
        pytest.param({"value": Decimal("0")}, False, id="value-zero"),
        pytest.param({"value": Decimal("-5")}, False, id="value-negative"),
        pytest.param(
            {"status": "approved", "granted_value": Decimal("10"), **DECIDED},
            False,
            id="no-decider",
        ),
        pytest.param(
            {"status": "denied", "decided_at": NOW, "decision_reason": ""}, True, id="no-reason"
        ),
        pytest.param(
            {"status": "countered", "granted_value": Decimal("12"), **DECIDED},
            True,
            id="counter-above-request",
        ),
        pytest.param(
            {"status": "countered", "granted_value": Decimal("10"), **DECIDED},
            True,
            id="counter-equal-to-request",
        ),
        pytest.param(
            {"status": "denied", "granted_value": Decimal("5"), **DECIDED},
            True,
            id="denied-with-value",
        ),
        pytest.param({"status": "granted"}, False, id="granted-without-value"),
    ],
)
def test_database_refuses_forbidden_states(case, staff, manager, fields, with_decider):
    if with_decider:
        fields = {**fields, "decided_by": manager}
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(case, staff, **fields)


def test_the_same_row_with_valid_fields_is_accepted(case, staff, manager):
    """The control for the test above: a well-formed decided row goes in."""
    _row(case, staff, status="countered", granted_value=Decimal("5"), decided_by=manager, **DECIDED)


def test_database_refuses_a_decision_by_the_requester(case, staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(
            case,
            staff,
            status="approved",
            granted_value=Decimal("10"),
            decided_by=staff,
            decided_at=timezone.now(),
            decision_reason="I approve my own",
        )
