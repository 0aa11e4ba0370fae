"""Date and date-time inputs in the reader's locale (cases/forms/widgets.py): the value
and a format hint in the locale's format, the locale's format and ISO both read back."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.forms import RescheduleTaskForm
from cases.forms.common import BoundedDateField
from cases.models import TaskKind

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=LONDON)
DECEMBER_FIRST_AT_TEN = datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def by_accept_language(settings):
    """The language from the browser's Accept-Language, as issue 16's settings have it."""
    locale = "django.middleware.locale.LocaleMiddleware"
    if locale not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[: at + 1],
            locale,
            *settings.MIDDLEWARE[at + 1 :],
        ]
    settings.LANGUAGES = [("en-gb", "English"), ("pl", "Polski"), ("es", "Español")]


def task_for(case, staff):
    return services.add_task(
        case,
        by=staff,
        title="Call back about the part",
        kind=TaskKind.CALL_BACK,
        assignee=staff,
        due_at=datetime(2026, 6, 12, 15, 0, tzinfo=LONDON),
    )


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("en-gb", "01/12/2026 10:00"),
        ("pl", "01.12.2026 10:00"),
        ("es", "01/12/2026 10:00"),
        *[
            (language, iso)
            for language in ["en-gb", "pl", "es"]
            for iso in ["2026-12-01T10:00", "2026-12-01 10:00"]
        ],
    ],
)
def test_a_due_time_is_read_in_the_locales_format_and_in_iso(language, typed):
    with translation.override(language):
        form = RescheduleTaskForm({"due_at": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["due_at"] == DECEMBER_FIRST_AT_TEN


@pytest.mark.parametrize(
    ("language", "typed"),
    [("en-gb", "01/12/2026"), ("pl", "01.12.2026"), ("es", "01/12/2026"), ("pl", "2026-12-01")],
)
def test_a_day_is_read_in_the_locales_format_and_in_iso(language, typed):
    with translation.override(language):
        assert BoundedDateField().clean(typed) == date(2026, 12, 1)


def test_a_month_first_date_is_not_taken_for_a_day_first_one():
    """12/01/2026 is the 12th of January here, never the 1st of December."""
    with translation.override("en-gb"):
        assert BoundedDateField().clean("12/01/2026") == date(2026, 1, 12)
        form = RescheduleTaskForm({"due_at": "13/25/2026 10:00"})
        assert not form.is_valid()
        assert "due_at" in form.errors


def test_a_polish_reader_sees_and_types_dd_mm_yyyy(signed_in, staff, case, by_accept_language):
    task = task_for(case, staff)
    client = signed_in(staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "pl"
    html = client.get(case.get_absolute_url()).content.decode()
    # The new-task box: a text input, described by a hint in the Polish order.
    due = re.search(r'<input[^>]*name="due_at"[^>]*>', html)
    assert due and 'type="text"' in due.group(0) and 'inputmode="numeric"' in due.group(0)
    assert 'aria-describedby="id_task_due_at_helptext id_task_due_at_format"' in due.group(0)
    hint = re.search(r'<div id="id_task_due_at_format" class="form-text">([^<]+)</div>', html)
    assert hint and re.fullmatch(r"\w+\.\w+\.\w+ \w+:\w+", hint.group(1))
    # The task's "move" box holds its time the Polish way.
    assert f'name="t{task.pk}-due_at" value="12.06.2026 15:00"' in html

    response = client.post(
        reverse("task_reschedule", args=[task.pk]),
        {f"t{task.pk}-due_at": "01.12.2026 10:00", "next": "case"},
    )
    assert response.status_code in (200, 302)
    task.refresh_from_db()
    assert task.due_at == DECEMBER_FIRST_AT_TEN


def test_a_london_reader_sees_dd_mm_yyyy_and_a_refused_time_comes_back_beside_the_box(
    signed_in, staff, case
):
    task = task_for(case, staff)
    client = signed_in(staff)
    html = client.get(case.get_absolute_url()).content.decode()
    assert '<div id="id_task_due_at_format" class="form-text">dd/mm/yyyy hh:mm</div>' in html
    assert f'name="t{task.pk}-due_at" value="12/06/2026 15:00"' in html

    response = client.post(
        reverse("task_reschedule", args=[task.pk]),
        {f"t{task.pk}-due_at": "31/12/2099 10:00", "next": "case"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="31/12/2099 10:00"' in html  # typed, kept
    assert re.search(rf'id="t{task.pk}-due-error" class="invalid-feedback">Choose a time', html)
    assert f'id="t{task.pk}-due-format" class="form-text">dd/mm/yyyy hh:mm<' in html
    task.refresh_from_db()
    assert task.due_at == datetime(2026, 6, 12, 15, 0, tzinfo=LONDON)


def test_the_case_lists_date_filters_take_british_days_and_iso(signed_in, staff, case):
    client = signed_in(staff)
    for typed in ["10/06/2026", "2026-06-10"]:
        response = client.get(reverse("case_list"), {"created_after": typed})
        html = response.content.decode()
        assert response.status_code == 200
        assert case.reference in html
        box = re.search(r'<input[^>]*name="created_after"[^>]*>', html)
        assert box and 'type="text"' in box.group(0)
        assert 'aria-describedby="id_created_format"' in box.group(0)
        assert f'value="{typed}"' in box.group(0)
        assert '<div id="id_created_format" class="form-text">dd/mm/yyyy</div>' in html
    response = client.get(reverse("case_list"), {"created_after": "11/06/2026"})
    assert case.reference not in response.content.decode()
