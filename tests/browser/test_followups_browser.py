"""Follow-up tasks and customer feedback in a real browser (Chromium), against live_server.

Staff add a task on the case page, find it on their Tasks page in the right section, move
it and mark it done; a customer rates the service through the emailed link (no sign-in)
and a low rating becomes a service-recovery task for the team's manager; a promise made
in an interaction becomes a follow-up task.

`watch` (and `new_window` for a second person) asserts no console error, no uncaught
script error, no CSP violation and no request off the live server.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local_input(moment: datetime) -> str:
    """What a person types into a due-time box: the business's (en-gb) format, local time."""
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def _row_time(moment: datetime) -> str:
    """A due time as a task row shows it (`D j M H:i`), e.g. "Fri 27 Nov 10:00"."""
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _next_friday_at_ten() -> datetime:
    now = timezone.localtime()
    days = (4 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=10, minute=0, second=0, microsecond=0)


def _section(page: Page, name: str) -> Locator:
    """A card of the Tasks page ("Overdue", "Due today", "Upcoming"); its name ends with a count."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(name)}\b"))


def _task_card(page: Page) -> Locator:
    return page.get_by_role("region", name="Follow-up tasks")


def _task_row(container: Locator, title: str) -> Locator:
    return container.get_by_role("listitem").filter(has_text=title)


# a. Add a task on the case, find it on Tasks, move it, mark it done ------------------


def test_staff_adds_a_task_finds_it_on_tasks_moves_it_and_marks_it_done(
    page: Page, live_server, staff, colleague, case, guidance, watch, sign_in, shot
) -> None:
    title = "Ring back once the warehouse has checked the stock"
    outcome = "Spoke to Dana: a smaller fridge arrives on Tuesday; she is happy with that."
    now = timezone.localtime()
    due = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    # Later today when there is still room in the day; late in the evening, tomorrow.
    first_section = "Due today" if due.date() == now.date() else "Upcoming"
    moved_to = (due + timedelta(days=1)).replace(hour=10, minute=30)

    sign_in(staff)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    card = _task_card(page)
    expect(card).to_contain_text("No follow-ups yet.")

    card.get_by_text("Add a task").click()
    card.get_by_label("Title").fill(title)
    card.get_by_label("Kind").select_option(label="Call back")
    assignee = card.get_by_label("Assignee")
    # The case's team is offered; the case's assignee is preselected.
    expect(assignee.locator("option")).to_have_text(["Cleo Colleague", "Sam Staff"])
    expect(assignee).to_have_value(str(staff.pk))
    assignee.select_option(label="Sam Staff")
    card.get_by_label(re.compile(r"^\s*Due\b")).fill(_local_input(due))
    shot("add-task-form")
    card.get_by_role("button", name="Add task").click()

    expect(page.locator("#messages")).to_contain_text("Task added; reminders are scheduled.")
    card = _task_card(page)
    row = _task_row(card, title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Call back")
    expect(row).to_contain_text(f"Sam Staff · due {_row_time(due)}")
    expect(row.locator(".badge")).to_have_text("Open")
    expect(page.locator("#timeline .event-task_added")).to_contain_text(f"Follow-up added: {title}")
    shot("task-on-case")

    # Tasks → the task sits in the section for its due time, with a link to its case.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    expect(page).to_have_url(f"{live_server.url}/tasks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    section = _section(page, first_section)
    row = _task_row(section, title)
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name=case.reference)).to_have_attribute(
        "href", case.get_absolute_url()
    )
    expect(row).to_contain_text(case.customer.name)
    expect(_section(page, "Overdue")).to_contain_text("Nothing overdue.")
    if first_section == "Due today":
        expect(_section(page, "Upcoming")).to_contain_text("Nothing upcoming.")
    shot("tasks-page")

    # A slip of the keyboard (year 9999): the page comes back with the row open, the
    # message beside the time and the typed time still in it; nothing moved.
    watch.allow_console(r"status of 400 .*/tasks/\d+/reschedule/\]")  # the refusal
    row.get_by_text("Complete, move or cancel").click()
    row.get_by_label("New due time").fill("9999-12-31T23:59")
    row.get_by_role("button", name="Move").click()
    row = _task_row(_section(page, first_section), title)
    new_time = row.get_by_label("New due time")
    expect(new_time).to_have_value("9999-12-31T23:59")
    expect(new_time).to_have_attribute("aria-invalid", "true")
    expect(new_time).to_have_accessible_description(re.compile(r"^Choose a time within two"))
    expect(row).to_contain_text(f"due {_row_time(due)}")
    expect(page.locator("#messages")).not_to_contain_text("New due time")
    shot("move-refused")

    # Move it to tomorrow morning (the row is still open): it goes to Upcoming.
    new_time.fill(_local_input(moved_to))
    row.get_by_role("button", name="Move").click()
    expect(page.locator("#messages")).to_contain_text(f"Moved: {title}.")
    expect(page).to_have_url(f"{live_server.url}/tasks/")
    upcoming = _section(page, "Upcoming")
    row = _task_row(upcoming, title)
    expect(row).to_contain_text(f"due {_row_time(moved_to)}")
    expect(_section(page, "Due today")).not_to_contain_text(title)

    # Mark it done with what came of it: it leaves the open list.
    row.get_by_text("Complete, move or cancel").click()
    row.get_by_label("What came of it").fill(outcome)
    shot("mark-done")
    row.get_by_role("button", name="Mark done").click()
    expect(page.locator("#messages")).to_contain_text(f"Done: {title}.")
    expect(page).to_have_url(f"{live_server.url}/tasks/")
    for name in ("Overdue", "Due today", "Upcoming"):
        expect(_section(page, name)).not_to_contain_text(title)
    expect(_section(page, "Upcoming")).to_contain_text("Nothing upcoming.")
    shot("tasks-after-done")

    # The case keeps the story: moved, then done with the outcome.
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    timeline = page.locator("#timeline")
    expect(timeline.locator(".event-task_changed")).to_contain_text(f"Follow-up moved: {title}")
    done = timeline.locator(".event-task_done")
    expect(done).to_have_count(1)
    expect(done).to_contain_text("Follow-up done")
    expect(done).to_contain_text(f"{title}: {outcome}")
    row = _task_row(_task_card(page), title)
    expect(row.locator(".badge")).to_have_text("Done")
    expect(row).to_contain_text(f"by Sam Staff: {outcome}")
    expect(row.get_by_text("Complete, move or cancel")).to_have_count(0)
    shot("case-after-done")

    watch.assert_clean()


# b. The customer's feedback link; a low rating starts service recovery ----------------


def test_customer_rates_2_and_the_manager_gets_a_service_recovery_task(
    page: Page, live_server, staff, manager, case, guidance, watch, sign_in, shot, new_window
) -> None:
    from cases.services.followups import feedback_token, schedule_feedback

    feedback = schedule_feedback(case, send_at=timezone.now())
    assert feedback is not None
    link = f"{live_server.url}/feedback/{feedback_token(feedback)}/"
    comment = "Nobody called me back when they said they would."

    # The customer: a browser of their own, never signed in.
    customer = new_window("customer")
    response = customer.page.goto(link)
    assert response is not None and response.status == 200
    body = customer.page.locator("body")
    expect(customer.page.get_by_role("heading", level=1)).to_have_text(
        "How did CaseDesk Retail do?"
    )
    expect(customer.page.get_by_role("button", name="Sign out")).to_have_count(0)
    # Nothing of the case beyond the business and the date.
    for private in (case.reference, case.subject, case.customer.name, staff.get_full_name()):
        expect(body).not_to_contain_text(private)
    customer.page.get_by_label("2 — poor").check()
    customer.page.get_by_label("Anything you would like to tell us?").fill(comment)
    customer.shot("feedback-form")
    customer.page.get_by_role("button", name="Send feedback").click()

    expect(customer.page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(customer.page.get_by_role("main")).to_contain_text("a manager will be in touch")
    customer.shot("thanks")

    # The manager of the team sees the rating on the case and the recovery task.
    sign_in(manager)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.locator("#case-header")).to_contain_text("Customer rated 2/5")
    rated = page.locator("#timeline .event-feedback")
    expect(rated).to_contain_text(f"Customer rated 2/5: “{comment}”")
    expect(rated).to_contain_text("CaseDesk")  # no person did this
    title = "Service recovery: customer rated 2/5"
    row = _task_row(_task_card(page), title)
    expect(row).to_contain_text("Service recovery")
    expect(row).to_contain_text("Mo Manager · due")
    shot("case-rated")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    # Due a day after the rating: upcoming.
    row = _task_row(_section(page, "Upcoming"), title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Mo Manager")
    expect(row.get_by_role("link", name=case.reference)).to_be_visible()
    shot("manager-tasks")

    # The link works once.
    customer.watch.allow_console(rf"status of 410 .*\[{re.escape(link)}\]")
    response = customer.page.goto(link)
    assert response is not None and response.status == 410
    expect(customer.page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, we already have your feedback"
    )
    expect(customer.page.get_by_role("button", name="Send feedback")).to_have_count(0)
    customer.shot("already-given")

    watch.assert_clean()
    customer.watch.assert_clean()


# c. A promise in an interaction becomes a follow-up task -----------------------------


PROMISE = "I will call you back Friday"


def _log_interaction_with_promise(page: Page, due: datetime) -> None:
    panel = page.locator("#interaction-panel")
    panel.get_by_label("Channel").select_option(label="Phone")
    panel.get_by_label("Direction").select_option(label="Outbound")
    panel.get_by_label("Summary").fill("Rang Dana: the smaller model needs checking with supply.")
    panel.get_by_label("Promise made").fill(PROMISE)
    panel.get_by_label("Promised by").fill(_local_input(due))
    panel.get_by_role("button", name="Log interaction").click()
    expect(panel.get_by_role("status")).to_have_text("Interaction logged.")


def test_a_promise_in_an_interaction_becomes_a_follow_up_task(
    page: Page, live_server, staff, case, guidance, watch, sign_in, shot
) -> None:
    due = _next_friday_at_ten()
    sign_in(staff)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    _log_interaction_with_promise(page, due)

    # The htmx swap refreshes the timeline: the promise and the task it created show.
    timeline = page.locator("#timeline")
    expect(timeline.locator(".event-interaction")).to_contain_text(
        f"Promise {PROMISE} — by {_row_time(due)}"
    )
    expect(timeline.locator(".event-task_added")).to_contain_text(
        f"Follow-up added: {PROMISE} — Sam Staff, due"
    )
    shot("promise-logged")

    # And it is still there after a reload.
    page.reload()
    row = _task_row(_task_card(page), PROMISE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Deliver what was promised")
    expect(row).to_contain_text(f"Sam Staff · due {_row_time(due)}")
    shot("promise-task-after-reload")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    expect(_task_row(_section(page, "Upcoming"), PROMISE)).to_have_count(1)

    watch.assert_clean()


def test_the_promise_task_shows_in_the_task_card_without_a_reload(
    page: Page, live_server, staff, case, guidance, watch, sign_in, shot
) -> None:
    sign_in(staff)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    _log_interaction_with_promise(page, _next_friday_at_ten())
    expect(page.locator("#timeline .event-task_added")).to_contain_text(PROMISE)
    shot("task-card-after-swap")
    expect(_task_row(_task_card(page), PROMISE)).to_have_count(1)
