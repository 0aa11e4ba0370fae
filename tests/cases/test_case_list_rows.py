"""The case list's rows are plain rows, not model instances (cases/selectors/table_rows.py):
each shows what a case's own model would have shown in the table of cases."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.models import Case, CustomerFlag
from tests.factories import CaseFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def row_of(html: str, reference: str) -> str:
    match = re.search(rf"<tr>(?:(?!</tr>).)*>{reference}</a>.*?</tr>", html, re.S)
    assert match, f"{reference} is not listed"
    return match.group(0)


def test_each_row_shows_the_customer_flags_team_category_and_assignee(
    signed_in, staff, team, category
):
    flagged = CustomerFactory(
        team=team, name="Ann <Lee>", flags=[CustomerFlag.DISENGAGE, CustomerFlag.VIP]
    )
    nameless = UserFactory(username="till-3", first_name="", last_name="", teams=[team])
    named = CaseFactory(team=team, customer=flagged, category=category, assignee=staff)
    by_username = CaseFactory(team=team, category=category, assignee=nameless)
    nobody = CaseFactory(team=team, category=category, assignee=None, subject="x" * 90)
    html = signed_in(staff).get(reverse("case_list")).content.decode()

    row = row_of(html, named.reference)
    assert "Ann &lt;Lee&gt;" in row
    assert "text-bg-danger" in row and "Abusive: disengage" in row
    assert "text-bg-warning" in row and "Valued customer" in row
    assert f"{category.name} · {team.name}" in row
    assert f">{staff.get_full_name()}</td>" in row
    assert f'href="{named.get_absolute_url()}"' in row
    assert ">till-3</td>" in row_of(html, by_username.reference)
    unassigned = row_of(html, nobody.reference)
    assert ">—</td>" in unassigned
    assert "x" * 69 + "…" in unassigned and "x" * 70 not in unassigned


def test_rows_come_in_the_lists_order_and_sort(signed_in, manager, team, category):
    cases = [CaseFactory(team=team, category=category) for _ in range(3)]
    Case.objects.filter(pk=cases[0].pk).update(priority="urgent", priority_rank=4)
    html = signed_in(manager).get(reverse("case_list"), {"o": "-priority"}).content.decode()
    shown = re.findall(r">(CD-\d+)</a></td>", html)
    assert shown[0] == cases[0].reference
    assert shown[1:] == [cases[2].reference, cases[1].reference]
