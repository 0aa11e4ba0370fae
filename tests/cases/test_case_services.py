"""The case life through the services: what staff can and cannot do to a case."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    EventKind,
    Interaction,
    Status,
    format_reference,
    parse_reference,
)

pytestmark = pytest.mark.django_db


def kinds(case: Case) -> list[str]:
    return list(case.events.order_by("id").values_list("kind", flat=True))


def log(case, by, **overrides):
    fields: dict[str, Any] = {
        "channel": "phone",
        "direction": "inbound",
        "summary": "Called about the fridge",
        "demeanour": "calm",
        "minutes": 4,
    }
    fields.update(overrides)
    return services.log_interaction(case, by=by, **fields)


def test_opening_a_case_records_who_opened_it(case, staff):
    assert case.status == Status.NEW
    event = case.events.get()
    assert (event.kind, event.actor, event.to_value) == (EventKind.OPENED, staff, case.subject)


def test_reference_is_derived_from_the_id_and_parses_back(case):
    assert case.reference == format_reference(case.pk) == f"CD-{case.pk:06d}"
    assert parse_reference(case.reference) == case.pk
    assert parse_reference(" cd123 ") == 123
    assert parse_reference("CD-") is None
    assert parse_reference("hello") is None


def test_first_interaction_opens_the_case(case, staff):
    log(case, staff)
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert kinds(case) == [EventKind.OPENED, EventKind.INTERACTION, EventKind.STATUS]


def test_case_demeanour_follows_the_latest_interaction(case, staff):
    log(case, staff, demeanour="angry")
    case.refresh_from_db()
    assert case.demeanour == "angry"
    # An older contact logged late does not override the latest demeanour.
    log(case, staff, demeanour="calm", occurred_at=timezone.now() - timedelta(hours=2))
    case.refresh_from_db()
    assert case.demeanour == "angry"
    event = case.events.filter(kind=EventKind.DEMEANOUR).get()
    assert (event.from_value, event.to_value) == ("calm", "angry")


def test_opening_with_a_first_summary_logs_it(staff, customer, category):
    case = services.open_case(
        by=staff,
        customer=customer,
        team=customer.team,
        subject="Charged twice",
        category=category,
        channel="phone",
        demeanour="angry",
        first_summary="Two charges on the statement",
        first_minutes=7,
    )
    assert case.status == Status.OPEN
    interaction = case.interactions.get()
    assert (interaction.summary, interaction.minutes, interaction.demeanour) == (
        "Two charges on the statement",
        7,
        "angry",
    )


def test_cannot_assign_someone_outside_the_team(case, staff, other_team_staff):
    with pytest.raises(services.NotAllowed):
        services.reassign_case(case, by=staff, assignee=other_team_staff)
    case.refresh_from_db()
    assert case.assignee == staff


def test_reassign_records_from_and_to(case, staff, colleague):
    services.reassign_case(case, by=staff, assignee=colleague)
    event = case.events.get(kind=EventKind.ASSIGNEE)
    assert (event.from_value, event.to_value) == (str(staff), str(colleague))
    services.reassign_case(case, by=staff, assignee=colleague)  # no change, no new event
    assert case.events.filter(kind=EventKind.ASSIGNEE).count() == 1


def test_triage_writes_one_event_per_changed_field(case, staff):
    services.update_triage(case, by=staff, priority="urgent", demeanour="calm")
    assert list(case.events.exclude(kind=EventKind.OPENED).values_list("kind", "to_value")) == [
        (EventKind.PRIORITY, "urgent")
    ]


def test_resolve_needs_outcome_and_summary(case, staff):
    log(case, staff)
    with pytest.raises(services.NotAllowed):
        services.resolve_case(case, by=staff, outcome="", summary="Done")
    with pytest.raises(services.NotAllowed):
        services.resolve_case(case, by=staff, outcome="compromise", summary="   ")
    case.refresh_from_db()
    assert case.status == Status.OPEN


def test_resolving_a_new_case_passes_through_open(case, staff):
    services.resolve_case(case, by=staff, outcome="within_policy", summary="Explained the policy")
    case.refresh_from_db()
    assert (case.status, case.outcome) == (Status.RESOLVED, "within_policy")
    assert case.resolved_at is not None
    assert kinds(case) == [EventKind.OPENED, EventKind.STATUS, EventKind.RESOLVED]


def test_reopen_needs_a_reason_and_clears_the_outcome(case, staff):
    services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit")
    with pytest.raises(services.NotAllowed):
        services.reopen_case(case, by=staff, reason=" ")
    services.reopen_case(case, by=staff, reason="Customer called back unhappy")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.resolved_at) == (Status.OPEN, "", None)
    assert case.events.get(kind=EventKind.REOPENED).note == "Customer called back unhappy"


def test_only_a_resolved_case_can_be_reopened(case, staff):
    with pytest.raises(services.InvalidTransition):
        services.reopen_case(case, by=staff, reason="why not")


def test_a_resolved_case_cannot_be_resolved_again(case, staff):
    services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit")
    with pytest.raises(services.InvalidTransition):
        services.resolve_case(case, by=staff, outcome="within_policy", summary="Again")
    assert case.events.filter(kind=EventKind.RESOLVED).count() == 1


def test_a_pending_case_cannot_be_resolved(case, staff):
    log(case, staff)
    Case.objects.filter(pk=case.pk).update(status=Status.PENDING_APPROVAL)
    case.refresh_from_db()
    with pytest.raises(services.InvalidTransition):
        services.resolve_case(case, by=staff, outcome="compromise", summary="x")


def test_quiet_resolved_cases_close_once(case, staff, settings):
    settings.CASEDESK_AUTO_CLOSE_DAYS = 14
    services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit")
    later = timezone.now() + timedelta(days=15)
    assert services.close_quiet_cases(now=timezone.now() + timedelta(days=13)) == 0
    assert services.close_quiet_cases(now=later) == 1
    assert services.close_quiet_cases(now=later) == 0
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.events.filter(kind=EventKind.CLOSED).count() == 1


def test_a_closed_case_takes_no_more_interactions(case, staff):
    services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit")
    services.close_quiet_cases(now=timezone.now() + timedelta(days=60))
    case.refresh_from_db()
    with pytest.raises(services.NotAllowed):
        log(case, staff)


def test_timeline_events_cannot_be_edited(case):
    event = case.events.get()
    event.note = "rewritten history"
    with pytest.raises(TypeError):
        event.save()


def test_database_refuses_a_promise_without_a_date(case, staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.create(
            case=case,
            author=staff,
            occurred_at=timezone.now(),
            channel="phone",
            direction="inbound",
            summary="x",
            demeanour="calm",
            promise="Call back",
        )


def test_database_refuses_a_resolved_case_without_outcome(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED, resolved_at=timezone.now())


def test_promise_is_kept_with_its_date(case, staff):
    due = timezone.now() + timedelta(days=2)
    interaction = log(case, staff, promise="Call back Friday", promise_due_at=due)
    assert (interaction.promise, interaction.promise_due_at) == ("Call back Friday", due)
    assert CaseEvent.objects.filter(interaction=interaction).exists()


def test_services_refuse_values_no_form_offers(case, staff, customer, category):
    with pytest.raises(services.NotAllowed, match="demeanour"):
        log(case, staff, demeanour="frustrated")
    with pytest.raises(services.NotAllowed, match="priority"):
        services.update_triage(case, by=staff, priority="whenever")
    with pytest.raises(services.NotAllowed, match="channel"):
        services.open_case(
            by=staff,
            customer=customer,
            team=customer.team,
            subject="x",
            category=category,
            channel="pigeon",
        )
    assert not case.interactions.exists()
