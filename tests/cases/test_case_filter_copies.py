"""Each case list's filters are copies of the declared ones (cases/filters.py copies them
shallowly, not with deepcopy): what one person's list sets on its filters (their teams,
the people in them) must never reach the declared filters or another person's list."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from cases.filters import CaseFilter
from cases.models import Case

pytestmark = pytest.mark.django_db


def choices(filterset: CaseFilter, name: str) -> set[str]:
    return {str(label) for value, label in filterset.form.fields[name].choices if value}


def test_one_persons_teams_and_people_stay_in_their_own_list(
    staff, other_team_staff, team, other_team
):
    data = QueryDict("status=open")
    mine = CaseFilter(data, queryset=Case.objects.all(), user=staff)
    theirs = CaseFilter(data, queryset=Case.objects.all(), user=other_team_staff)
    assert choices(mine, "team") == {team.name}
    assert choices(theirs, "team") == {other_team.name}
    assert str(staff) in choices(mine, "assignee")
    assert str(staff) not in choices(theirs, "assignee")
    # Built once more after the other's, the first list's choices have not moved.
    assert choices(CaseFilter(data, queryset=Case.objects.all(), user=staff), "team") == {team.name}
    for name in ("team", "assignee"):
        declared = CaseFilter.base_filters[name]
        assert declared.queryset is None and declared.extra.get("queryset") is None


def test_a_list_s_form_widgets_are_its_own(staff):
    first = CaseFilter(QueryDict(), queryset=Case.objects.all(), user=staff)
    second = CaseFilter(QueryDict(), queryset=Case.objects.all(), user=staff)
    first.form.fields["status"].widget.attrs["data-mark"] = "first"
    assert "data-mark" not in second.form.fields["status"].widget.attrs
