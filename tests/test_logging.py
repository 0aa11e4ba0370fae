"""Operators can follow what the background work did from its log lines: an event name and
the facts (ids, counts, milliseconds), one line each."""

from __future__ import annotations

import logging
import socket

import pytest

from casedesk.celery import app
from casedesk.logfmt import KeyValueFormatter
from cases import tasks
from cases.models import Reminder, ReminderKind
from cases.services import dispatch
from tests.factories import add_due_tasks

pytestmark = pytest.mark.django_db


def events(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.getMessage() == name]


def test_a_sweep_that_sends_logs_each_send_with_its_ids(smtp_sink, case, staff, caplog):
    caplog.set_level(logging.INFO)
    due = add_due_tasks(case, staff, 2)
    assert tasks.send_due_reminders() == 2

    reminders = Reminder.objects.filter(task__in=due, kind=ReminderKind.DUE_SOON)
    sent = events(caplog, "reminder.sent")
    assert sorted(record.reminder_id for record in sent) == sorted(r.pk for r in reminders)
    assert {(record.case_id, record.kind, record.attempt) for record in sent} == {
        (case.pk, ReminderKind.DUE_SOON, 1)
    }
    assert all(record.recipients == 1 and record.ms >= 0 for record in sent)
    (sweep,) = events(caplog, "reminder.sweep")
    assert (sweep.handled, sweep.recovered) == (2, 0)
    (task,) = events(caplog, "task.send_due_reminders")
    assert task.handled == 2 and task.ms >= 0


def test_a_refused_send_logs_the_retry_with_the_servers_answer(smtp_sink, case, staff, caplog):
    caplog.set_level(logging.INFO)
    smtp_sink.refuse_next = 1
    (task,) = add_due_tasks(case, staff, 1)
    tasks.send_due_reminders()
    (retry,) = events(caplog, "reminder.retry")
    assert retry.levelno == logging.WARNING
    assert retry.reminder_id == Reminder.objects.get(task=task, kind=ReminderKind.DUE_SOON).pk
    assert "451" in retry.error and "Try again later" in retry.error


def test_a_permanent_refusal_logs_the_failure(smtp_sink, case, staff, caplog):
    smtp_sink.permanent = True
    add_due_tasks(case, staff, 1)
    tasks.send_due_reminders()
    (failed,) = events(caplog, "reminder.failed")
    assert failed.levelno == logging.ERROR and "550" in failed.error


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: nothing listens there


def test_a_publish_that_fails_is_logged_with_the_exception(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(app.conf, "broker_write_url", f"redis://127.0.0.1:{_dead_port()}/0")
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.kick_sweep()  # what every exception request and customer update does
    (failed,) = events(caplog, "task.publish_failed")
    assert failed.levelno == logging.WARNING
    assert failed.task == "cases.tasks.send_due_reminders"
    assert failed.exc_info is not None  # the traceback says why


def test_log_lines_carry_the_event_facts_as_key_value_pairs():
    record = logging.makeLogRecord(
        {
            "name": "cases.services.reminders",
            "levelno": logging.ERROR,
            "levelname": "ERROR",
            "msg": "reminder.failed",
            "reminder_id": 7,
            "error": 'SMTPDataError: 550 "no such user"',
        }
    )
    line = KeyValueFormatter().format(record)
    assert line.endswith(
        "ERROR cases.services.reminders reminder.failed reminder_id=7 "
        'error="SMTPDataError: 550 \\"no such user\\""'
    )
