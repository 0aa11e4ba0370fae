"""The managers' Insights page in a real browser (Chromium), against live_server.

The acceptance of the insights issue: a manager opens Insights from the navigation, the
Chart.js charts render (no console error, no CSP violation), the period changes through
the URL (last 7 days, then a custom range), and a table downloads as CSV with the same
figures. A complaint surge (≥ 5 cases of a category in the last 7 days and more than twice
its trailing 8-week weekly average) shows on the manager's home and on the insights page;
staff have neither the link nor the page.

Cases are opened through the services and then back-dated with `.update(created_at=…)`
to noon (local time) of a past day, so that the counts per period are known exactly:

    Refund dispute  days ago 1, 2, 12, 18, 20   → 30 days: 5 · 7 days: 2 · days 28–10: 3
    Late delivery   days ago 3, 15, 25, 40      → 30 days: 3 · 7 days: 1 · days 28–10: 2
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every chart the page draws (canvas[data-chart]), each of which has data in the fixture.
CHARTS = [
    "exceptions_by_policy",
    "exception_share",
    "follow_through",
    "satisfaction",
    "complaints_weekly",
    "demeanour_outcomes",
]


def _at_noon(days: int) -> datetime:
    """Noon, local time, `days` days ago: unambiguous whatever the time of the run."""
    day = timezone.localdate() - timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12, 0))


def _open_cases(*, by, customer, category, days_ago: list[int], subject: str) -> list:
    """One case per entry of `days_ago`, back-dated to noon of that day."""
    from cases import services
    from cases.models import Case

    opened = []
    for n, days in enumerate(days_ago, start=1):
        case = services.open_case(
            by=by,
            customer=customer,
            team=customer.team,
            subject=f"{subject} #{n}",
            category=category,
            channel="phone",
        )
        Case.objects.filter(pk=case.pk).update(created_at=_at_noon(days))
        opened.append(case)
    return opened


def _nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def _rows(table: Locator) -> list[list[str]]:
    """A table's body as text, cell by cell."""
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]


def _long(day: date) -> str:
    """A day as the period line shows it (`j M Y`), e.g. "3 Feb 2026"."""
    return f"{day.day} {day:%b %Y}"


def _expect_charts_drawn(page: Page, names: list[str]) -> None:
    for name in names:
        expect(page.locator(f'canvas[data-chart="{name}"]')).to_have_attribute(
            "data-rendered", "true"
        )


# 1. Open insights, see the charts, change the period, download a CSV ------------------


def test_manager_opens_insights_changes_the_period_and_downloads_a_csv(
    page: Page,
    live_server,
    staff,
    manager,
    customer,
    category,
    allowed,
    guidance,
    watch,
    sign_in,
    shot,
) -> None:
    from cases import services
    from cases.models import Case, FollowUpTask
    from tests.factories import CategoryFactory

    late = CategoryFactory(name="Late delivery", slug="late-delivery")
    refunds = _open_cases(
        by=staff,
        customer=customer,
        category=category,
        days_ago=[1, 2, 12, 18, 20],
        subject="Refund for the returned kettle",
    )
    deliveries = _open_cases(
        by=staff,
        customer=customer,
        category=late,
        days_ago=[3, 15, 25, 40],
        subject="Sofa delivery missed",
    )
    # Exceptions (requested now): 20.00 granted at once; 80.00 denied by the manager.
    services.request_exception(
        refunds[0],
        by=staff,
        allowed=allowed,
        value=Decimal("20"),
        customer_ask="The diagnostic fee back.",
        justification="The engineer came three hours late.",
    )
    waiting = services.request_exception(
        deliveries[0],
        by=staff,
        allowed=allowed,
        value=Decimal("80"),
        customer_ask="The whole fee back as credit.",
        justification="Second visit for the same fault.",
    )
    services.decide_exception(
        waiting, by=manager, decision=services.Decision.DENY, reason="The fault was new."
    )
    # Time spent (cost to serve) and a resolved case (demeanour and outcomes).
    services.log_interaction(
        refunds[1],
        by=staff,
        channel="phone",
        direction="inbound",
        summary="Long call about the refund.",
        demeanour="angry",
        minutes=30,
    )
    services.resolve_case(
        Case.objects.get(pk=refunds[1].pk),
        by=staff,
        outcome="compromise",
        summary="Half refunded as store credit.",
    )
    # A follow-up done on time: due an hour ago, completed half an hour before that.
    now = timezone.now()
    task = services.add_task(
        refunds[0],
        by=staff,
        title="Ring back about the refund",
        kind="call_back",
        assignee=staff,
        due_at=now - timedelta(hours=1),
    )
    services.complete_task(task, by=staff, outcome_note="Refund confirmed by phone.")
    FollowUpTask.objects.filter(pk=task.pk).update(completed_at=now - timedelta(minutes=90))
    # Feedback: a 4 and a 2 (the 2 is a low rating, with a link to its case).
    for case, rating in ((refunds[0], 4), (deliveries[0], 2)):
        feedback = services.schedule_feedback(case, send_at=now - timedelta(days=1))
        assert feedback is not None
        services.submit_feedback(feedback, rating=rating, comment=f"Rated {rating}.")

    today = timezone.localdate()
    sign_in(manager)
    expect(page.locator("#surge-alert")).to_have_count(0)  # two refunds in 7 days is no surge
    insights_link = _nav(page).get_by_role("link", name="Insights", exact=True)
    insights_link.click()

    # The default period: the last 30 days, every chart drawn by Chart.js.
    expect(page).to_have_url(f"{live_server.url}/insights/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    expect(_nav(page).get_by_role("link", name="Insights", exact=True)).to_have_class(
        re.compile(r"\bactive\b")
    )
    period = page.get_by_label("Period", exact=True)
    expect(period).to_have_value("30")
    shown = page.locator("#period-shown")
    expect(shown).to_have_text(f"{_long(today - timedelta(days=29))} – {_long(today)} · 30 days")
    _expect_charts_drawn(page, CHARTS)
    expect(page.locator("canvas[data-chart]")).to_have_count(len(CHARTS))
    expect(page.get_by_text("Nothing to chart in this period.")).to_have_count(0)
    # A drawn chart has pixels: Chart.js sized the canvas to its column.
    for name in ("exception_share", "complaints_weekly"):
        box = page.locator(f'canvas[data-chart="{name}"]').bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100, (name, box)
    expect(page.locator("#surge-alert")).to_have_count(0)

    top = page.locator("#table-top_categories")
    assert _rows(top) == [["Refund dispute", "5"], ["Late delivery", "3"]]
    # Ties in count are ordered by status value: "denied" before "granted".
    assert _rows(page.locator("#table-exception_share")) == [
        ["Denied", "1"],
        ["Granted at once (within discretion)", "1"],
    ]
    expect(page.locator("#table-exceptions_by_policy")).to_contain_text("DIAG-FEE")
    expect(page.locator("#table-exceptions_by_policy")).to_contain_text("20.00")
    expect(page.locator("#table-follow_through")).to_contain_text("Sam Staff")
    low = page.locator("#table-low_ratings")
    expect(low.get_by_role("link", name=deliveries[0].reference)).to_have_attribute(
        "href", deliveries[0].get_absolute_url()
    )
    expect(page.locator("#table-cost_to_serve")).to_contain_text(customer.name)
    shot("insights-30-days")

    # Last 7 days: the URL carries it, the period line and the figures follow.
    period.select_option(label="Last 7 days")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/insights/\?(.*&)?period=7(&|$)"))
    expect(shown).to_have_text(f"{_long(today - timedelta(days=6))} – {_long(today)} · 7 days")
    expect(page.get_by_label("Period", exact=True)).to_have_value("7")
    _expect_charts_drawn(page, ["exceptions_by_policy", "exception_share", "complaints_weekly"])
    assert _rows(top) == [["Refund dispute", "2"], ["Late delivery", "1"]]
    shot("insights-7-days")

    # A custom range, 28 to 10 days ago: before every exception of the fixture.
    first, last = today - timedelta(days=28), today - timedelta(days=10)
    page.get_by_label("Period", exact=True).select_option(label="Custom")
    page.get_by_label("From (custom)").fill(first.isoformat())
    page.get_by_label("To (custom)").fill(last.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"period=custom"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["period"] == ["custom"]
    assert query["start"] == [first.isoformat()]
    assert query["end"] == [last.isoformat()]
    expect(shown).to_have_text(f"{_long(first)} – {_long(last)} · 19 days")
    expect(page.get_by_label("From (custom)")).to_have_value(first.isoformat())
    expect(page.get_by_label("To (custom)")).to_have_value(last.isoformat())
    _expect_charts_drawn(page, ["complaints_weekly"])
    # No exception in the range: the exception charts say so instead of drawing nothing.
    expect(page.locator('canvas[data-chart="exception_share"]')).to_have_count(0)
    expect(page.get_by_text("Nothing to chart in this period.").first).to_be_visible()
    assert _rows(top) == [["Refund dispute", "3"], ["Late delivery", "2"]]
    shot("insights-custom")

    # The CSV of "Top complaint categories", for the same custom range.
    csv_link = page.get_by_role("link", name="CSV of Top complaint categories")
    expect(csv_link).to_have_attribute(
        "href", re.compile(r"^/insights/export/top_categories\.csv\?")
    )
    with page.expect_download() as download_info:
        csv_link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == f"top_categories_{first}_{last}.csv"
    with open(download.path(), encoding="utf-8", newline="") as handle:
        text = handle.read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["Category", "Cases"], ["Refund dispute", "3"], ["Late delivery", "2"]]
    # The page is still there after the download.
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")

    watch.assert_clean()


# 2. A complaint surge on the manager's home and on the insights page ------------------


def test_a_complaint_surge_shows_on_the_managers_home_and_on_insights(
    page: Page,
    live_server,
    staff,
    manager,
    customer,
    category,
    other_team,
    other_team_staff,
    guidance,
    watch,
    sign_in,
    shot,
) -> None:
    from tests.factories import CategoryFactory, CustomerFactory

    # Refund dispute: 6 in the last 7 days against 4 in the 8 weeks before (0.5 a week).
    _open_cases(
        by=staff,
        customer=customer,
        category=category,
        days_ago=[1, 2, 3, 4, 5, 6, 10, 20, 30, 50],
        subject="Refund refused",
    )
    # Late delivery: 5 in the last 7 days against 20 before (2.5 a week): exactly twice
    # the usual level, which is not *more than* twice: no surge.
    late = CategoryFactory(name="Late delivery", slug="late-delivery")
    _open_cases(
        by=staff,
        customer=customer,
        category=late,
        days_ago=[1, 2, 3, 4, 5] + [10 + 2 * n for n in range(20)],
        subject="Delivery missed",
    )
    # Another team's surge is not this manager's business.
    warranty = CategoryFactory(name="Warranty claim", slug="warranty-claim")
    elsewhere = CustomerFactory(name="Ola Airport", team=other_team, created_by=other_team_staff)
    _open_cases(
        by=other_team_staff,
        customer=elsewhere,
        category=warranty,
        days_ago=[1, 1, 2, 2, 3, 3],
        subject="Broken on arrival",
    )
    surge_text = "Refund dispute — 6 cases in the last 7 days against a usual 0.5 a week."

    sign_in(manager)
    alert = page.locator("#surge-alert")
    expect(alert).to_be_visible()
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("Complaint surge:")
    expect(alert).to_contain_text(surge_text)
    expect(alert).not_to_contain_text("Late delivery")
    expect(alert).not_to_contain_text("Warranty claim")
    shot("home-surge")

    alert.get_by_role("link", name="See insights").click()
    expect(page).to_have_url(f"{live_server.url}/insights/")
    insights_alert = page.locator("#surge-alert")
    expect(insights_alert).to_contain_text("Complaint surge:")
    expect(insights_alert).to_contain_text(surge_text)
    expect(insights_alert).not_to_contain_text("Late delivery")
    expect(insights_alert).not_to_contain_text("Warranty claim")
    _expect_charts_drawn(page, ["complaints_weekly"])
    # The surge is about now, whatever the period chosen.
    page.get_by_label("Period", exact=True).select_option(label="Last 90 days")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"period=90"))
    expect(page.locator("#surge-alert")).to_contain_text(surge_text)
    expect(page.locator("#table-top_categories")).not_to_contain_text("Warranty claim")
    shot("insights-surge")

    watch.assert_clean()


# 3. Staff: no link, and the page and its CSV are refused --------------------------------


def test_staff_have_no_insights_link_and_get_403(
    page: Page, live_server, staff, customer, category, guidance, watch, sign_in, shot
) -> None:
    # A surge in staff's own team: still, only managers are shown it.
    _open_cases(
        by=staff,
        customer=customer,
        category=category,
        days_ago=[1, 1, 2, 2, 3, 3],
        subject="Refund refused",
    )
    watch.allow_console(r"status of 403")

    sign_in(staff)
    nav = _nav(page)
    expect(nav.get_by_role("link", name="Tasks")).to_be_visible()  # the nav is there …
    expect(nav.get_by_role("link", name="Insights")).to_have_count(0)  # … without Insights
    expect(page.locator("#surge-alert")).to_have_count(0)

    response = page.goto(f"{live_server.url}/insights/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_role("main")).to_contain_text("Your role does not include this page.")
    expect(page.locator("canvas")).to_have_count(0)
    shot("insights-403")

    response = page.goto(f"{live_server.url}/insights/export/top_categories.csv?period=30")
    assert response is not None and response.status == 403
    assert response.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")

    watch.assert_clean()
