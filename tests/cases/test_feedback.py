"""The customer's feedback link: private, single-use, expiring; a low rating starts
service recovery; the page shows nothing of the case."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    CaseEvent,
    EventKind,
    FeedbackRequest,
    FollowUpTask,
    Reminder,
    ReminderKind,
    Role,
    Status,
    TaskKind,
)
from cases.services.followups import feedback_token, hash_token
from tests.threads import race

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(request):
    """Tests run at NOW; the thread races run in real time."""
    if request.node.get_closest_marker("postgres"):
        yield None
        return
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def feedback(case):
    return services.schedule_feedback(case, send_at=timezone.now())


@pytest.fixture
def link(feedback):
    return reverse("feedback", args=[feedback_token(feedback)])


def rate(client, link, rating, comment=""):
    data = {"comment": comment}
    if rating is not None:
        data["rating"] = rating
    return client.post(link, data)


# The token ---------------------------------------------------------------------------------


def test_only_a_hash_of_the_link_token_is_stored(feedback):
    token = feedback_token(feedback)
    assert len(token) >= 32  # at least 128 bits of hex
    int(token, 16)  # hex
    stored = FeedbackRequest.objects.filter(pk=feedback.pk).values().get()
    for name, value in stored.items():
        assert token not in str(value), f"the token is stored in {name}"
    assert stored["token_hash"] == hash_token(token)
    for reminder in Reminder.objects.filter(feedback=feedback).values():
        assert token not in str(reminder)


def test_each_request_gets_its_own_token(case):
    first = services.schedule_feedback(case, send_at=timezone.now())
    second = services.schedule_feedback(case, send_at=timezone.now())
    assert first and second
    assert feedback_token(first) != feedback_token(second)
    assert first.token_hash != second.token_hash


def test_scheduling_feedback_queues_the_email_at_send_time(case, settings):
    settings.CASEDESK_FEEDBACK_LINK_DAYS = 9
    send_at = NOW + timedelta(days=3)
    feedback = services.schedule_feedback(case, send_at=send_at)
    assert (feedback.email, feedback.expires_at) == ("dana@example.com", send_at + timedelta(9))
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.feedback, reminder.due_at) == (
        ReminderKind.FEEDBACK,
        feedback,
        send_at,
    )


def test_no_feedback_request_without_an_email(case, customer):
    customer.email = ""
    customer.save()
    case.refresh_from_db()
    assert services.schedule_feedback(case, send_at=timezone.now()) is None
    assert not FeedbackRequest.objects.exists()
    assert not Reminder.objects.exists()


# The page --------------------------------------------------------------------------------


def test_the_link_shows_the_form_without_sign_in_and_nothing_about_the_case(
    client, case, link, staff, colleague, manager, customer, settings
):
    services.reassign_case(case, by=manager, assignee=colleague)
    response = client.get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert settings.CASEDESK_BUSINESS_NAME in html
    local_created = timezone.localtime(case.created_at)
    assert local_created.strftime("%-d %B %Y") in html
    assert 'name="rating"' in html and 'name="comment"' in html
    for secret in [
        case.subject,
        case.reference,
        str(case.pk).zfill(6),
        customer.name,
        "Dana",
        "Whitfield",
        customer.email,
        customer.phone,
        str(staff),
        str(colleague),
        str(manager),
        "Colleague",
        case.team.name,
        case.category.name,
    ]:
        assert secret not in html, f"the feedback page shows {secret!r}"


def test_looking_at_the_link_does_not_use_it(client, link, feedback):
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200
    feedback.refresh_from_db()
    assert feedback.used_at is None


def other_tokens(feedback, other):
    token = feedback_token(feedback)
    other_token = feedback_token(other)
    flipped = other_token[:-1] + ("0" if other_token[-1] != "0" else "1")
    return {
        "random": secrets.token_hex(32),
        "truncated": token[:-1],
        "half": token[:32],
        "extended": token + "0",
        "upper-case": token.upper(),
        "other-case-one-char-changed": flipped,
        "the-stored-hash": feedback.token_hash,
        "the-salt": feedback.salt,
        "very-long": "a" * 500,
        "not-hex": "z" * 64,
    }


@pytest.mark.parametrize(
    "kind",
    [
        "random",
        "truncated",
        "half",
        "extended",
        "upper-case",
        "other-case-one-char-changed",
        "the-stored-hash",
        "the-salt",
        "very-long",
        "not-hex",
    ],
)
def test_any_other_token_is_not_found(client, feedback, staff, customer, category, kind):
    other_case = services.open_case(
        by=staff,
        customer=customer,
        team=customer.team,
        subject="Another matter",
        category=category,
        channel="phone",
    )
    other = services.schedule_feedback(other_case, send_at=timezone.now())
    assert other
    bad = other_tokens(feedback, other)[kind]
    url = reverse("feedback", args=[bad])
    assert client.get(url).status_code == 404
    assert client.post(url, {"rating": "1"}).status_code == 404
    assert not FeedbackRequest.objects.filter(used_at__isnull=False).exists()
    # The genuine links still work.
    assert client.get(reverse("feedback", args=[feedback_token(other)])).status_code == 200


def test_an_expired_link_says_it_expired(client, feedback, link):
    with time_machine.travel(feedback.expires_at + timedelta(seconds=1), tick=False):
        response = client.get(link)
        posted = client.post(link, {"rating": "1", "comment": "Too late?"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert posted.status_code == 410
    feedback.refresh_from_db()
    assert (feedback.used_at, feedback.rating) == (None, None)
    assert not FollowUpTask.objects.exists()


def test_the_link_works_once(client, case, manager, feedback, link):
    first = rate(client, link, "5", "Lovely")
    assert first.status_code == 200
    assert "Thank you" in first.content.decode()
    again = client.get(link)
    assert again.status_code == 410
    assert "already" in again.content.decode()
    second = rate(client, link, "1", "Changed my mind")
    assert second.status_code == 410
    assert "already" in second.content.decode()
    feedback.refresh_from_db()
    assert (feedback.rating, feedback.comment) == (5, "Lovely")
    assert case.events.filter(kind=EventKind.FEEDBACK).count() == 1
    assert not FollowUpTask.objects.exists()


def test_submitting_twice_through_the_service_is_refused(feedback):
    services.submit_feedback(feedback, rating=4, comment="")
    stale = FeedbackRequest.objects.get(pk=feedback.pk)
    stale.used_at = None  # a copy read before the first submit
    with pytest.raises(services.FeedbackClosed):
        services.submit_feedback(stale, rating=1, comment="")
    feedback.refresh_from_db()
    assert feedback.rating == 4


# Ratings -----------------------------------------------------------------------------------


def test_a_rating_is_recorded_and_shown_on_the_case_and_the_customer(
    client, signed_in, case, customer, staff, feedback, link
):
    response = rate(client, link, "4", "  Quick and friendly  ")
    assert response.status_code == 200
    feedback.refresh_from_db()
    assert (feedback.rating, feedback.comment, feedback.used_at) == (4, "Quick and friendly", NOW)
    event = case.events.get(kind=EventKind.FEEDBACK)
    assert (event.actor, event.to_value, event.note) == (None, "4", "Quick and friendly")
    assert not FollowUpTask.objects.exists()

    staff_client = signed_in(staff)
    case_page = staff_client.get(case.get_absolute_url()).content.decode()
    assert "Customer rated 4/5" in case_page
    assert "Quick and friendly" in case_page
    profile = staff_client.get(customer.get_absolute_url()).content.decode()
    assert "Latest rating" in profile
    assert '<strong id="latest-rating">4/5</strong>' in profile


@pytest.mark.parametrize("rating", [1, 2])
def test_a_low_rating_starts_service_recovery_with_a_team_manager(
    client, case, staff, manager, team, feedback, link, rating
):
    response = rate(client, link, str(rating), "Nobody called me back")
    assert "a manager will be in touch" in response.content.decode()
    task = FollowUpTask.objects.get()
    assert task.case == case
    assert task.kind == TaskKind.SERVICE_RECOVERY
    assert task.assignee.role == Role.MANAGER
    assert team.members.filter(pk=task.assignee.pk).exists()
    assert task.assignee == manager
    assert task.due_at == NOW + timedelta(days=1)
    assert f"{rating}/5" in task.title
    assert {r.kind for r in Reminder.objects.filter(task=task)} == {
        ReminderKind.DUE_SOON,
        ReminderKind.OVERDUE,
    }


def test_the_recovery_task_skips_managers_of_other_teams(
    client, case, staff, manager, other_team_manager, feedback, link
):
    rate(client, link, "1")
    assert FollowUpTask.objects.get().assignee == manager


@pytest.mark.parametrize("rating", [3, 4, 5])
def test_an_ok_rating_starts_no_service_recovery(client, case, manager, feedback, link, rating):
    rate(client, link, str(rating))
    feedback.refresh_from_db()
    assert feedback.rating == rating
    assert not FollowUpTask.objects.exists()


def test_a_low_rating_after_the_case_closed_still_reaches_a_manager(
    client, case, staff, manager, link, settings
):
    # Feedback often arrives after the quiet period has closed the case.
    settings.CASEDESK_AUTO_CLOSE_DAYS = 3
    services.resolve_case(case, by=staff, outcome="compromise", summary="Credit")
    with time_machine.travel(NOW + timedelta(days=5), tick=False):
        services.close_quiet_cases()
        case.refresh_from_db()
        assert case.status == Status.CLOSED
        rate(client, link, "1", "Still unhappy")
    assert FollowUpTask.objects.get().assignee == manager


@pytest.mark.parametrize(
    "rating", ["0", "6", "abc", "-1", "4.5", None, ""], ids=repr
)  # None: missing
def test_an_invalid_rating_re_renders_with_a_message_and_keeps_the_comment(
    client, case, manager, feedback, link, rating
):
    response = rate(client, link, rating, "The delivery man was rude")
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert response.context["form"].errors["rating"]
    assert "invalid-feedback" in html or "alert" in html
    assert "The delivery man was rude" in html
    feedback.refresh_from_db()
    assert (feedback.used_at, feedback.rating) == (None, None)
    assert not case.events.filter(kind=EventKind.FEEDBACK).exists()
    assert not FollowUpTask.objects.exists()
    # The link still works afterwards.
    assert rate(client, link, "5").status_code == 200


@pytest.mark.parametrize("rating", [0, 6, -3])
def test_the_service_refuses_a_rating_outside_1_to_5(feedback, rating):
    with pytest.raises(services.NotAllowed):
        services.submit_feedback(feedback, rating=rating, comment="")
    feedback.refresh_from_db()
    assert feedback.used_at is None


def test_a_comment_with_html_is_escaped_on_the_case_page(client, signed_in, case, staff, link):
    rate(client, link, "3", '<script>alert("x")</script><b>bold</b>')
    page = signed_in(staff).get(case.get_absolute_url()).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page


def test_a_very_long_comment_is_refused_politely(client, feedback, link):
    response = rate(client, link, "4", "x" * 4001)
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["comment"]
    feedback.refresh_from_db()
    assert feedback.used_at is None


# Two submissions at once -------------------------------------------------------------------


ROUNDS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_link_at_once_record_one_rating(case, manager):
    for round_ in range(ROUNDS):
        feedback = services.schedule_feedback(case, send_at=timezone.now())
        assert feedback
        url = reverse("feedback", args=[feedback_token(feedback)])

        def submit(rating, comment, url=url):
            return lambda: Client().post(url, {"rating": rating, "comment": comment}).status_code

        results = race(submit("1", f"first {round_}"), submit("2", f"second {round_}"))
        assert sorted(results) == [200, 410], results
        feedback.refresh_from_db()
        assert feedback.rating in (1, 2)
        assert feedback.comment in (f"first {round_}", f"second {round_}")
        events = CaseEvent.objects.filter(case=case, kind=EventKind.FEEDBACK)
        assert events.count() == round_ + 1
        assert events.order_by("-id").first().to_value == str(feedback.rating)
        recovery = FollowUpTask.objects.filter(case=case, kind=TaskKind.SERVICE_RECOVERY)
        assert recovery.count() == round_ + 1  # exactly one per link


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_through_the_service_at_once_record_one_rating(case, manager):
    for _ in range(ROUNDS):
        feedback = services.schedule_feedback(case, send_at=timezone.now())

        def submit(rating, pk=feedback.pk):
            return lambda: services.submit_feedback(
                FeedbackRequest.objects.get(pk=pk), rating=rating, comment=""
            )

        results = race(submit(1), submit(5))
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], services.FeedbackClosed), results
    assert FeedbackRequest.objects.filter(rating__isnull=False).count() == ROUNDS
    assert FollowUpTask.objects.filter(kind=TaskKind.SERVICE_RECOVERY).count() <= ROUNDS
    lows = FeedbackRequest.objects.filter(rating=1).count()
    assert FollowUpTask.objects.filter(kind=TaskKind.SERVICE_RECOVERY).count() == lows
