"""The case table (lists, home, search, profiles) is written in Python: it must still
escape, truncate, label and localise as the template did."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import engines

from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db

TABLE = engines["django"].from_string(
    "{% load casedesk %}{% case_table cases empty=empty hide_customer=hide "
    "date_field=date_field date_label=label %}"
)


def render(cases, *, empty="No cases.", hide=False, date_field="created", label="Created"):
    return TABLE.render(
        {"cases": cases, "empty": empty, "hide": hide, "date_field": date_field, "label": label}
    )


def test_a_row_shows_the_case_as_the_lists_did(team, staff, category, settings):
    settings.TIME_ZONE = "Europe/London"
    customer = CustomerFactory(
        team=team, created_by=staff, name="Ann <Smith>", flags=["two_staff", "vip"]
    )
    case = CaseFactory(
        team=team,
        customer=customer,
        category=category,
        assignee=staff,
        subject="Broken & bent " + "x" * 80,
        status="pending_approval",
        priority="urgent",
    )
    case.created_at = datetime(2026, 7, 4, 9, 5, tzinfo=ZoneInfo("UTC"))
    html = render([case])
    assert f'<a href="/cases/{case.reference}/">{case.reference}</a>' in html
    # Escaped, and cut at 70 characters with an ellipsis, as |truncatechars:70.
    assert f'<td class="case-subject">Broken &amp; bent {"x" * 55}…<div' in html
    assert "Ann &lt;Smith&gt;" in html
    assert (
        'text-bg-danger me-1"><i class="bi bi-flag-fill" aria-hidden="true"></i> Two staff' in html
    )
    assert 'text-bg-warning me-1"><i class="bi bi-flag-fill" aria-hidden="true"></i> Valued' in html
    assert '<span class="badge status-pending_approval">Pending approval</span>' in html
    assert '<span class="priority-urgent">Urgent</span>' in html
    assert f'<td class="case-assignee" data-label="Assignee">{staff}</td>' in html
    assert "4 Jul 2026 10:05" in html  # London summer time, not UTC
    assert '<th scope="col">Customer</th>' in html
    # What a phone's stacked row labels and keeps: status and priority by name.
    assert 'class="case-status" data-label="Status"' in html
    assert 'class="case-priority" data-label="Priority"' in html


def test_the_profile_leaves_out_the_customer_and_shows_last_activity(team, staff, category):
    case = CaseFactory(team=team, category=category, assignee=None)
    case.last_activity_at = datetime(2026, 1, 15, 23, 30, tzinfo=ZoneInfo("UTC"))
    html = render([case], hide=True, date_field="activity", label="Last activity")
    assert '<th scope="col">Customer</th>' not in html
    assert '<th scope="col">Last activity</th>' in html
    assert "15 Jan 2026 23:30" in html
    assert '<td class="case-assignee" data-label="Assignee">—</td>' in html  # nobody assigned
    assert 'data-label="Last activity">15 Jan 2026 23:30</td>' in html


def test_no_cases_shows_the_message_escaped():
    html = render([], empty="Nothing <here>")
    assert '<td colspan="7" class="text-muted">Nothing &lt;here&gt;</td>' in html


def test_no_cases_spans_the_six_columns_when_the_customer_is_hidden():
    html = render([], empty="No cases yet.", hide=True)
    assert html.count('<th scope="col">') == 6
    assert '<td colspan="6" class="text-muted">No cases yet.</td>' in html


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en-gb", "4 Jul 2026 10:05"), ("de", "4. Juli 2026 10:05"), ("fr", "4 juillet 2026 10:05")],
)
def test_dates_follow_the_locales_date_format(team, staff, category, settings, language, shown):
    """As {{ when|date:"DATE_FORMAT" }} would write them: the month named in the reader's
    language, in the order their locale uses."""
    from django.utils import translation

    settings.TIME_ZONE = "Europe/London"
    case = CaseFactory(team=team, category=category, assignee=staff)
    case.created_at = datetime(2026, 7, 4, 9, 5, tzinfo=ZoneInfo("UTC"))
    with translation.override(language):
        html = render([case])
        by_filter = (
            engines["django"]
            .from_string('{{ when|date:"DATE_FORMAT" }} {{ when|time:"H:i" }}')
            .render({"when": case.created_at})
        )
    assert by_filter == shown
    assert f'<td class="case-when small text-nowrap" data-label="Created">{shown}</td>' in html


def _catalogue(directory, language: str, messages: dict[str, str]) -> None:
    """A compiled gettext catalogue (GNU .mo) for `language` under `directory`."""
    import struct

    entries = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(key.encode() for key in entries)
    values = [entries[key.decode()].encode() for key in keys]
    ids = strs = b""
    index = []
    for key, value in zip(keys, values, strict=True):
        index.append((len(key), len(ids), len(value), len(strs)))
        ids += key + b"\0"
        strs += value + b"\0"
    start = 7 * 4 + 16 * len(keys)
    table = [n for klen, kpos, _, _ in index for n in (klen, start + kpos)]
    table += [n for _, _, vlen, vpos in index for n in (vlen, start + len(ids) + vpos)]
    magic = struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    path = directory / language / "LC_MESSAGES"
    path.mkdir(parents=True)
    (path / "django.mo").write_bytes(magic + struct.pack(f"<{len(table)}I", *table) + ids + strs)


def test_the_table_speaks_the_readers_language(team, staff, category, settings, tmp_path):
    """Headers, the labels a phone shows beside each cell, the checkbox names and the
    empty message come from the catalogue of the active language, not the English."""
    from django.utils import translation

    _catalogue(
        tmp_path,
        "pl",
        {
            "Case": "Sprawa",
            "Customer": "Klient",
            "Status": "Stan",
            "Priority": "Priorytet",
            "Assignee": "Przypisana osoba",
            "Created": "Utworzono",
            "Select %(reference)s": "Zaznacz %(reference)s",
            "Select every case on this page": "Zaznacz wszystkie sprawy na tej stronie",
            "No cases.": "Brak spraw.",
        },
    )
    settings.LOCALE_PATHS = [tmp_path]
    case = CaseFactory(team=team, category=category, assignee=staff)
    table = engines["django"].from_string(
        "{% load casedesk %}{% case_table cases select_form='bulk' %}"
    )
    with translation.override("pl"):
        html = table.render({"cases": [case]})
        empty = table.render({"cases": []})
    assert '<th scope="col">Sprawa</th>' in html and '<th scope="col">Utworzono</th>' in html
    for cell, label in [("customer", "Klient"), ("status", "Stan"), ("assignee", "Przypisana")]:
        assert f'class="case-{cell}" data-label="{label}' in html
    assert 'data-label="Utworzono"' in html
    assert f'aria-label="Zaznacz {case.reference}"' in html
    assert 'aria-label="Zaznacz wszystkie sprawy na tej stronie"' in html
    assert "Brak spraw." in empty
    english = table.render({"cases": [case]})  # the next reader's language, not the last one's
    assert (
        '<th scope="col">Case</th>' in english
        and f'aria-label="Select {case.reference}"' in english
    )
