"""Dates and due times have a window (cases/limits.py): a clear message beside the field,
what was typed kept, never a server error, and no year-1000 task mailing the managers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import FollowUpTask, Reminder
from tests.cases.test_views_forms import (
    assert_kept,
    field_error,
    form_on,
    interaction,
    post_interaction,
)
from tests.factories import add_due_tasks

pytestmark = pytest.mark.django_db

TOO_LATE = ["9999-12-31T23:59", "2100-01-01T09:00"]
TOO_EARLY = ["0001-01-01T00:00", "1000-01-01T09:00", "1900-06-01T09:00"]


def task_form(staff, due_at):
    return {"title": "Call back", "kind": "call_back", "assignee": str(staff.pk), "due_at": due_at}


@pytest.mark.parametrize("due_at", TOO_LATE + TOO_EARLY)
def test_adding_a_task_due_out_of_range_is_refused_beside_the_field(
    due_at, signed_in, staff, case, smtp_sink
):
    typed = task_form(staff, due_at)
    response = signed_in(staff).post(reverse("case_add_task", args=[case.reference]), typed)
    assert response.status_code in {200, 400}
    form = form_on(response, 'name="due_at"')
    expected = "within two years" if due_at in TOO_LATE else "Choose a time from"
    assert expected in field_error(form, "due_at")
    assert_kept(form, typed)
    assert not FollowUpTask.objects.exists() and not Reminder.objects.exists()


@pytest.mark.parametrize("due_at", TOO_LATE + TOO_EARLY)
def test_rescheduling_out_of_range_is_refused_beside_the_field(due_at, signed_in, staff, case):
    (task,) = add_due_tasks(case, staff, 1)
    before = task.due_at
    field = f"t{task.pk}-due_at"
    url = reverse("task_reschedule", args=[task.pk])
    response = signed_in(staff).post(url, {"next": "my_tasks", field: due_at})
    assert response.status_code == 400
    form = form_on(response, f'name="{field}"')
    expected = "within two years" if due_at in TOO_LATE else "Choose a time from"
    assert expected in field_error(form, field)
    assert_kept(form, {field: due_at})
    task.refresh_from_db()
    assert task.due_at == before


@pytest.mark.parametrize("due_at", TOO_LATE + TOO_EARLY)
def test_a_promise_due_out_of_range_is_refused_beside_the_field(due_at, signed_in, staff, case):
    typed = interaction(promise="Call back with the part number", promise_due_at=due_at)
    response = post_interaction(signed_in(staff), case, typed, False)
    assert response.status_code in {200, 400}
    form = form_on(response, 'id="interaction-form"')
    assert field_error(form, "promise_due_at").startswith("Choose a time")
    assert_kept(form, typed)
    assert not case.interactions.exists() and not FollowUpTask.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02"), ("1999-12-31", "2000-01-05")],
)
def test_an_insights_range_out_of_bounds_is_refused_on_the_page_and_the_export(
    start, end, signed_in, manager
):
    params = {"period": "custom", "start": start, "end": end}
    client = signed_in(manager)
    page = client.get(reverse("insights"), params)
    assert page.status_code in {200, 400}
    html = page.content.decode()
    assert "Choose a day from 01 Jan 2000" in html
    assert f'value="{start}"' in html
    export = client.get(reverse("insights_export", args=["cost_to_serve"]), params)
    assert export.status_code == 400


def test_the_case_list_date_filters_refuse_years_out_of_range(signed_in, staff, case):
    response = signed_in(staff).get(
        reverse("case_list"), {"created_after": "0001-01-01", "created_before": "9999-12-31"}
    )
    assert response.status_code == 200
    assert "Choose a day from 01 Jan 2000" in response.content.decode()
