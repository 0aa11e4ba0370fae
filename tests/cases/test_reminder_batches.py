"""The sweep claims reminders a batch at a time: disjoint batches for concurrent sweeps, each
row recorded right after its send, a dead sender's unsent rows recovered unsent, and no
write from a batch that is no longer the row's owner."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import emails, services
from cases.models import FollowUpTask, Reminder, ReminderKind, ReminderState, TaskStatus
from cases.services import reminders
from cases.services.reminders import BATCH_SIZE, claim_batch, send_batch, send_due_reminders
from tests.factories import add_due_tasks
from tests.threads import WAIT_LIMIT_SECONDS


def due_soon(task: FollowUpTask) -> Reminder:
    return Reminder.objects.get(task=task, kind=ReminderKind.DUE_SOON)


class SenderDied(BaseException):
    """Stands in for SIGKILL: nothing in the sweep catches it, so nothing is recorded."""


@pytest.mark.django_db
def test_a_sender_dying_mid_batch_leaves_one_duplicate_and_the_unsent_rest_recoverable(
    smtp_sink, case, staff, monkeypatch, settings
):
    settings.CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS = 60
    tasks = add_due_tasks(case, staff, 12)
    send = emails.send
    calls = []

    def dies_after_the_fifth_is_accepted(*args, **kwargs):
        accepted = send(*args, **kwargs)
        calls.append(kwargs["message_id"])
        if len(calls) == 5:
            raise SenderDied  # the server has it; the row is never marked sent
        return accepted

    monkeypatch.setattr(emails, "send", dies_after_the_fifth_is_accepted)
    with pytest.raises(SenderDied):
        send_due_reminders()
    rows = [due_soon(task) for task in tasks]
    # Each row sent before the death was recorded at once; the rest of the batch is held.
    assert [row.state for row in rows] == [ReminderState.SENT] * 4 + [ReminderState.SENDING] * 8
    assert len(smtp_sink.messages) == 5

    monkeypatch.setattr(emails, "send", send)
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        assert send_due_reminders() == 8  # recovered after the claim timeout, then sent
    counts = Counter(smtp_sink.message_ids())
    assert set(counts) == {row.message_id for row in rows}
    # Only the message in flight at the death went twice, with the same Message-ID.
    assert {mid: n for mid, n in counts.items() if n > 1} == {rows[4].message_id: 2}
    assert {row.state for row in Reminder.objects.filter(kind=ReminderKind.DUE_SOON)} == {
        ReminderState.SENT
    }


@pytest.mark.django_db
def test_a_row_that_breaks_the_sweep_gives_the_rest_of_its_batch_back_at_once(
    smtp_sink, case, staff, monkeypatch, settings
):
    settings.CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS = 60
    tasks = add_due_tasks(case, staff, 5)
    compose = reminders.compose

    def breaks_on_the_second(reminder, **kwargs):
        if reminder.task_id == tasks[1].pk:
            raise RuntimeError("a bug")
        return compose(reminder, **kwargs)

    monkeypatch.setattr(reminders, "compose", breaks_on_the_second)
    with pytest.raises(RuntimeError):
        send_due_reminders()
    rows = [due_soon(task) for task in tasks]
    assert [(row.state, row.attempts) for row in rows] == [
        (ReminderState.SENT, 1),
        (ReminderState.SENDING, 1),  # it broke mid-way: it waits for the claim timeout
        *[(ReminderState.PENDING, 0)] * 3,  # never sent, and not counted as tried
    ]
    monkeypatch.setattr(reminders, "compose", compose)
    assert send_due_reminders() == 3  # at once, not after the claim timeout
    assert len(smtp_sink.messages) == 4


@pytest.mark.django_db
def test_a_task_closed_while_its_reminder_was_held_is_cancelled_and_the_batch_goes_on(
    smtp_sink, case, staff, settings
):
    settings.CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS = 60
    tasks = add_due_tasks(case, staff, 6)
    # A sweep claims the batch and dies before sending anything.
    held = claim_batch(now=timezone.now())
    assert len(held) == 6
    # Meanwhile the third task is done; its reminder, held by the dead sweep, stays claimed.
    services.complete_task(tasks[2], by=staff, outcome_note="Called early")
    assert due_soon(tasks[2]).state == ReminderState.SENDING

    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        assert send_due_reminders() == 6
    closed = due_soon(tasks[2])
    assert closed.state == ReminderState.CANCELLED and "closed" in closed.last_error
    others = [due_soon(task) for i, task in enumerate(tasks) if i != 2]
    assert {row.state for row in others} == {ReminderState.SENT}
    assert Counter(smtp_sink.message_ids()) == {row.message_id: 1 for row in others}


@pytest.mark.django_db
def test_a_batch_held_too_long_by_a_slow_server_gives_back_its_unsent_rows(
    smtp_sink, case, staff, monkeypatch, caplog
):
    monkeypatch.setattr(reminders, "BATCH_HOLD_SECONDS", 0.05)
    smtp_sink.delay = 0.1  # every send outlasts the hold
    tasks = add_due_tasks(case, staff, 4)
    assert send_due_reminders() == 4
    rows = [due_soon(task) for task in tasks]
    assert Counter(smtp_sink.message_ids()) == {row.message_id: 1 for row in rows}
    # Given back unsent, so the rows were tried once each, not once per claim.
    assert [(row.state, row.attempts) for row in rows] == [(ReminderState.SENT, 1)] * 4
    released = [r for r in caplog.records if r.getMessage() == "reminder.batch_released"]
    # Each claim sends its first row and gives the rest back: 3, then 2, then 1.
    assert [record.released for record in released] == [3, 2, 1]


@pytest.mark.django_db
def test_a_batch_that_lost_its_claim_does_not_record_over_the_new_owner(smtp_sink, case, staff):
    (task,) = add_due_tasks(case, staff, 1)
    stale = claim_batch(now=timezone.now())
    # The task is moved while the batch waits: a new generation, due at once, claimed anew.
    services.reschedule_task(task, by=staff, due_at=timezone.now() + timedelta(minutes=5))
    fresh = claim_batch(now=timezone.now())
    assert [row.generation for row in fresh] == [2]

    send_batch(stale)  # the old message goes out, but its outcome is not written
    row = due_soon(task)
    assert (row.state, row.claimed_at) == (ReminderState.SENDING, fresh[0].claimed_at)
    send_batch(fresh)
    row.refresh_from_db()
    assert row.state == ReminderState.SENT and row.generation == 2
    first, second = smtp_sink.message_ids()
    assert first.endswith(".1@casedesk>") and second == row.message_id


@pytest.mark.django_db
def test_a_sweep_kept_to_one_case_touches_no_other_reminder(
    smtp_sink, case, staff, customer, category, settings
):
    settings.CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS = 60
    other = services.open_case(
        by=staff,
        customer=customer,
        team=customer.team,
        subject="Another matter",
        category=category,
        channel="phone",
    )
    (mine,) = add_due_tasks(case, staff, 1)
    waiting, left_sending = add_due_tasks(other, staff, 2)
    long_ago = timezone.now() - timedelta(hours=1)
    Reminder.objects.filter(pk=due_soon(left_sending).pk).update(
        state=ReminderState.SENDING, claimed_at=long_ago
    )
    assert send_due_reminders(case_id=case.pk) == 1
    assert due_soon(mine).state == ReminderState.SENT
    assert due_soon(waiting).state == ReminderState.PENDING
    assert due_soon(left_sending).state == ReminderState.SENDING  # not even recovered
    assert smtp_sink.message_ids() == [due_soon(mine).message_id]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_sweep_costs_two_statements_a_batch_and_one_a_row(smtp_sink, case, staff):
    add_due_tasks(case, staff, BATCH_SIZE + 5)
    with CaptureQueriesContext(connection) as queries:
        assert send_due_reminders() == BATCH_SIZE + 5
    # Recover 1; per batch a claim and a load (2 batches); a record per row; a last claim
    # that finds nothing. Composing and sending a due-soon reminder asks nothing more.
    assert len(queries) == 1 + 2 * 2 + (BATCH_SIZE + 5) + 1, [q["sql"] for q in queries]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_claim_disjoint_batches_without_waiting(case, staff):
    add_due_tasks(case, staff, 2 * BATCH_SIZE + 10)
    claimed_first = threading.Event()
    done = threading.Event()
    first: list[int] = []

    def first_sweep() -> None:
        # Claims inside a transaction it keeps open: its rows stay locked until `done`.
        try:
            with transaction.atomic():
                first.extend(row.pk for row in claim_batch(now=timezone.now()))
                claimed_first.set()
                done.wait(timeout=WAIT_LIMIT_SECONDS)
        finally:
            connection.close()

    thread = threading.Thread(target=first_sweep)
    thread.start()
    try:
        assert claimed_first.wait(timeout=WAIT_LIMIT_SECONDS)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Waiting on the first sweep's locked rows would fail here, not hang the
                # run; a lock timeout, so that a slow (busy) machine is not a failure.
                cursor.execute("SET LOCAL lock_timeout = 5000")
            second = [row.pk for row in claim_batch(now=timezone.now())]
    finally:
        done.set()
        thread.join(timeout=WAIT_LIMIT_SECONDS)
    assert len(first) == len(second) == BATCH_SIZE
    assert not set(first) & set(second)
    oldest = Reminder.objects.filter(kind=ReminderKind.DUE_SOON).order_by("due_at", "id")
    # Between them, the oldest rows: the second skipped the locked ones, took the next.
    assert set(first) | set(second) == set(oldest.values_list("pk", flat=True)[: 2 * BATCH_SIZE])
    assert Reminder.objects.filter(state=ReminderState.SENDING).count() == 2 * BATCH_SIZE


@pytest.mark.django_db
def test_a_closed_task_found_in_a_batch_is_cancelled_and_the_rest_are_sent(smtp_sink, case, staff):
    tasks = add_due_tasks(case, staff, 5)
    # Closed behind the services' back (no cancellation of its reminders): the sweep decides.
    FollowUpTask.objects.filter(pk=tasks[1].pk).update(
        status=TaskStatus.DONE, completed_at=timezone.now()
    )
    assert send_due_reminders() == 5
    assert due_soon(tasks[1]).state == ReminderState.CANCELLED
    assert len(smtp_sink.messages) == 4
