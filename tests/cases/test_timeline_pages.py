"""A long case shows its latest events; older ones come a page at a time, none lost."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent, EventKind
from cases.selectors import TIMELINE_ROWS
from tests.factories import CaseFactory, CustomerFactory, add_timeline_events

pytestmark = pytest.mark.django_db

EVENT = re.compile(r'<li class="list-group-item event-(\w+)">.*?<div>(?:<strong>)?([^<]*)', re.S)
NOTE = re.compile(r"Case opened</strong>: ([^<]+)<")


def steps(html: str) -> list[str]:
    return NOTE.findall(html)


def more_link(html: str) -> str | None:
    found = re.search(r'hx-get="([^"]+)"[^>]*>Show earlier events', html)
    return found.group(1).replace("&amp;", "&") if found else None


def read_whole_timeline(client, case) -> list[str]:
    """The case page, then every "Show earlier events" as htmx would fetch it."""
    page = client.get(case.get_absolute_url()).content.decode()
    seen = steps(page)
    link = more_link(page)
    for _ in range(50):  # bounded: a loop here would be the bug
        if not link:
            break
        part = client.get(link, headers={"HX-Request": "true"})
        assert part.status_code == 200
        html = part.content.decode()
        assert "<html" not in html  # a fragment, appended in place
        seen += steps(html)
        link = more_link(html)
    return seen


@pytest.mark.parametrize("same_time", [False, True], ids=["spread", "one-instant"])
def test_every_event_shows_once_newest_first_a_page_at_a_time(signed_in, staff, case, same_time):
    add_timeline_events(case, staff, 2 * TIMELINE_ROWS + 7, same_time=same_time)
    client = signed_in(staff)

    first = client.get(case.get_absolute_url()).content.decode()
    assert len(EVENT.findall(first)) == TIMELINE_ROWS
    assert steps(first)[0] == f"Step {2 * TIMELINE_ROWS + 6}"

    seen = read_whole_timeline(client, case)
    expected = [f"Step {i}" for i in reversed(range(2 * TIMELINE_ROWS + 7))]
    # The case's own "opened" event (subject as its note) is among them, in time order.
    assert [s for s in seen if s.startswith("Step ")] == expected
    assert len(seen) == len(set(seen)) == 2 * TIMELINE_ROWS + 8


def test_without_htmx_earlier_events_are_the_case_page_from_that_point(signed_in, staff, case):
    add_timeline_events(case, staff, TIMELINE_ROWS + 10)
    client = signed_in(staff)
    first = client.get(case.get_absolute_url()).content.decode()
    plain = re.search(r'href="([^"]+)"[^>]*hx-get="[^"]+"[^>]*>Show earlier events', first)
    assert plain, "the button is a real link too"
    older = client.get(plain.group(1).replace("&amp;", "&").split("#")[0])
    html = older.content.decode()
    assert older.status_code == 200
    assert steps(html)[0] == "Step 9"  # continues where the first page stopped
    assert "Back to the latest events" in html
    assert "Show earlier events" not in html


def test_the_header_shows_ratings_that_are_no_longer_on_the_first_page(signed_in, staff, case):
    CaseEvent.objects.create(case=case, actor=None, kind=EventKind.FEEDBACK, to_value="2")
    add_timeline_events(case, staff, TIMELINE_ROWS + 5)
    CaseEvent.objects.filter(kind=EventKind.FEEDBACK).update(
        created_at=timezone.now() - timedelta(days=60)
    )
    html = signed_in(staff).get(case.get_absolute_url()).content.decode()
    assert "Customer rated <strong>2/5</strong>" in html
    assert "event-feedback" not in html  # the event itself is pages further down


@pytest.mark.parametrize("before", ["abc", "-1", "99999999999", "1" * 40, "", "²", "1²"])
def test_a_bad_anchor_shows_the_latest_events(signed_in, staff, case, before):
    add_timeline_events(case, staff, 5)
    response = signed_in(staff).get(case.get_absolute_url(), {"before": before})
    assert response.status_code == 200
    assert steps(response.content.decode())[0] == "Step 4"


def test_an_anchor_from_another_case_shows_the_latest_events(
    signed_in, staff, case, team, category
):
    other = CaseFactory.create(
        team=team,
        customer=CustomerFactory(team=team, created_by=staff),
        created_by=staff,
        category=category,
    )
    foreign = CaseEvent.objects.create(case=other, actor=staff, kind=EventKind.OPENED)
    add_timeline_events(case, staff, 5)
    url = reverse("case_timeline", args=[case.reference])
    html = (
        signed_in(staff)
        .get(url, {"before": foreign.pk}, headers={"HX-Request": "true"})
        .content.decode()
    )
    assert steps(html)[0] == "Step 4"
