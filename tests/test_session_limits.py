"""Sessions end after 30 idle minutes and 12 hours in all, and say so calmly.

Designed for a shared counter terminal: whoever sits down after a colleague walked away
finds the sign-in page, not the colleague's cases.
"""

from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from casedesk.middleware import LAST_SEEN

pytestmark = pytest.mark.django_db

IDLE_MESSAGE = "signed out after 30 minutes without activity"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def login_with_next(path: str) -> str:
    return f"{reverse('login')}?next={quote(path, safe='/')}"


def test_an_idle_session_signs_out_and_returns_to_the_same_page_after_sign_in(
    client, staff, case, clock
):
    page = case.get_absolute_url()
    client.force_login(staff)
    assert client.get(page).status_code == 200
    clock.shift(timedelta(minutes=29))
    assert client.get(page).status_code == 200, "29 minutes idle is still signed in"
    clock.shift(timedelta(minutes=29))
    assert client.get(page).status_code == 200, "the clock restarts with each visit"
    old_session = client.session.session_key

    clock.shift(timedelta(minutes=30))
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == login_with_next(page)
    assert not Session.objects.filter(session_key=old_session).exists()

    sign_in_page = client.get(response["Location"]).content.decode()
    assert IDLE_MESSAGE in sign_in_page
    assert staff.first_name not in sign_in_page, "the next person sees nobody's name"
    assert 'name="next" value="' + page + '"' in sign_in_page

    back = client.post(
        reverse("login"),
        {"username": "staff", "password": "correct-horse-battery", "next": page},
    )
    assert back.status_code == 302 and back["Location"] == page
    assert client.get(page).status_code == 200


def test_any_request_after_the_idle_limit_finds_the_session_gone(client, staff, clock):
    client.force_login(staff)
    assert client.get(reverse("home")).status_code == 200
    clock.shift(timedelta(minutes=31))
    assert client.get(reverse("my_tasks")).status_code == 302
    # Not a one-off: the colleague's session is gone, not merely refused once.
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == login_with_next(reverse("home"))
    assert "_auth_user_id" not in client.session


def test_last_activity_is_written_at_most_once_a_minute(client, staff, clock):
    client.force_login(staff)
    client.get(reverse("home"))
    first = client.session[LAST_SEEN]
    clock.shift(timedelta(seconds=50))
    client.get(reverse("home"))
    assert client.session[LAST_SEEN] == first, "no session write within the minute"
    clock.shift(timedelta(seconds=20))
    client.get(reverse("home"))
    assert client.session[LAST_SEEN] == first + 70


def test_a_session_ends_after_twelve_hours_however_busy(client, staff, clock):
    client.force_login(staff)
    for _ in range(36):  # a request every 20 minutes, the last at 11 h 40 min
        assert client.get(reverse("home")).status_code == 200
        clock.shift(timedelta(minutes=20))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "a sign-in lasts at most 12 hours" in client.get(response["Location"]).content.decode()


def test_the_limits_are_settings(client, staff, clock, settings):
    settings.CASEDESK_SESSION_IDLE_MINUTES = 5
    settings.CASEDESK_SESSION_MAX_HOURS = 1
    client.force_login(staff)
    client.get(reverse("home"))
    clock.shift(timedelta(minutes=4))
    assert client.get(reverse("home")).status_code == 200
    clock.shift(timedelta(minutes=5))
    response = client.get(reverse("home"))
    assert "after 5 minutes without activity" in client.get(response["Location"]).content.decode()


def test_signing_in_again_restarts_both_clocks(client, staff, clock):
    client.force_login(staff)
    client.get(reverse("home"))
    clock.shift(timedelta(hours=11, minutes=50))
    client.force_login(staff)
    clock.shift(timedelta(minutes=20))
    assert client.get(reverse("home")).status_code == 200


def test_an_htmx_call_after_the_limit_loads_the_sign_in_page_whole(client, staff, case, clock):
    page = case.get_absolute_url()
    client.force_login(staff)
    client.get(page)
    clock.shift(timedelta(minutes=31))
    response = client.post(
        reverse("case_log_interaction", args=[case.reference]),
        {"channel": "phone", "direction": "inbound", "summary": "Rang", "minutes": "3"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
    )
    # Not a 302 that htmx would follow and swap into the timeline: HX-Redirect.
    assert response.status_code == 200
    assert response["HX-Redirect"] == login_with_next(page)
    assert response.content == b""
    assert case.interactions.count() == 0


def test_a_form_post_after_the_limit_returns_to_the_page_it_came_from(client, staff, case, clock):
    page = case.get_absolute_url()
    client.force_login(staff)
    client.get(page)
    clock.shift(timedelta(minutes=31))
    response = client.post(
        reverse("case_log_interaction", args=[case.reference]),
        {"channel": "phone", "direction": "inbound", "summary": "Rang", "minutes": "3"},
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert response.status_code == 302
    assert response["Location"] == login_with_next(page)
    # A referer from another site is not a place to send anyone back to.
    client.force_login(staff)
    client.get(page)
    clock.shift(timedelta(minutes=31))
    response = client.post(
        reverse("case_log_interaction", args=[case.reference]),
        {"summary": "Rang"},
        HTTP_REFERER="https://evil.example/phish",
    )
    assert response["Location"] == reverse("login")
