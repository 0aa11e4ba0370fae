"""Queries compiled once per shape (cases/selectors/compiled.py): each request still gets
its own rows, its own user's and teams', at its own time; a build that would freeze a value
into the SQL is refused."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db.models import QuerySet
from django.utils import timezone

from cases import services
from cases.models import Case, Role, Status, TaskKind, User
from cases.selectors import compiled as compiled_module
from cases.selectors.combined import (
    compiled_in_one_query,
    compiled_rows_in_one_query,
    in_one_query,
)
from cases.selectors.compiled import compiled
from cases.selectors.home import _case_cards, _request_cards, _task_cards, home_for
from cases.selectors.table_rows import table_case
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def cases_of(user: User, status: str) -> QuerySet[Case]:
    return Case.objects.visible_to(user).filter(status=status).order_by("id")


def pks(rows) -> list[int]:
    return [row.pk for row in rows]


def test_each_user_gets_their_own_teams_rows_from_the_same_sql(
    staff, other_team_staff, customer, category
):
    mine = CaseFactory(team=staff.teams.get(), customer=customer, category=category)
    theirs = CaseFactory(team=other_team_staff.teams.get(), category=category)
    for _ in range(2):  # the second round runs on the SQL the first one made
        assert pks(compiled("t.cases", cases_of, (), user=staff, status=Status.NEW)) == [mine.pk]
        assert pks(compiled("t.cases", cases_of, (), user=other_team_staff, status=Status.NEW)) == [
            theirs.pk
        ]
    assert list(compiled("t.cases", cases_of, (), user=staff, status=Status.CLOSED)) == []


def test_a_user_in_more_teams_gets_sql_with_room_for_them(staff, other_team, customer, category):
    theirs = CaseFactory(team=other_team, category=category)
    assert list(compiled("t.cases", cases_of, (), user=staff, status=Status.NEW)) == []
    staff.teams.add(other_team)
    again = User.objects.get(pk=staff.pk)  # a new request: its team ids read afresh
    assert pks(compiled("t.cases", cases_of, (), user=again, status=Status.NEW)) == [theirs.pk]


def test_a_user_in_no_team_sees_nothing_and_no_error(client, category, team):
    loner = UserFactory(role=Role.MANAGER)
    CaseFactory(team=team, category=category, assignee=loner)
    assert pks(compiled("t.cases", cases_of, (), user=loner, status=Status.NEW)) == []
    client.force_login(loner)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["home"].my_cases == []


def test_a_signed_out_user_gets_nothing_and_no_error(case):
    from django.contrib.auth.models import AnonymousUser

    assert pks(compiled("t.cases", cases_of, (), user=AnonymousUser(), status=Status.NEW)) == []


def newest_since(since):
    return Case.objects.filter(created_at__gte=since).order_by("id")


def test_a_time_is_a_parameter_not_frozen_into_the_sql(case):
    since = case.created_at - timedelta(minutes=1)
    assert list(compiled("t.since", newest_since, (), since=since)) == [case]
    later = case.created_at + timedelta(minutes=1)
    assert list(compiled("t.since", newest_since, (), since=later)) == []


def opened_lately():
    return Case.objects.filter(created_at__gte=timezone.now() - timedelta(days=1))


def test_a_build_that_reads_the_clock_is_refused(db):
    with pytest.raises(ValueError, match="read a value it was not given"):
        compiled("t.clock", opened_lately, ())


def test_a_build_that_closes_over_a_value_is_refused(staff):
    def by(author):
        return Case.objects.filter(created_by=staff, assignee=author)

    with pytest.raises(TypeError, match="must not close over"):
        compiled("t.closure", by, (), author=staff.pk)


def test_a_settings_change_forgets_the_compiled_sql(settings, case):
    compiled("t.since", newest_since, (), since=case.created_at)
    assert compiled_module._cache
    settings.CASEDESK_STALE_DAYS = 3
    assert not compiled_module._cache


def test_a_case_turns_stale_on_the_managers_home_as_time_passes(manager, customer, category):
    """The home's stale card on the SQL compiled days before: the cut-off moves with now."""
    case = CaseFactory(team=customer.team, customer=customer, category=category)
    Case.objects.filter(pk=case.pk).update(status=Status.OPEN, last_activity_at=timezone.now())
    assert home_for(User.objects.get(pk=manager.pk)).stale == []
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert [c.pk for c in home_for(User.objects.get(pk=manager.pk)).stale] == [case.pk]


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, Role.ADMIN])
def test_the_home_cards_are_those_of_the_union_compiled_afresh(
    role, team, other_team, staff, other_team_staff, category
):
    """Every card kind has rows in both teams: the kept SQL returns the rows compiling
    afresh returns, for the user's own team only (the admin: both)."""
    made = UserFactory(role=role, teams=[team])
    due = timezone.now() + timedelta(hours=1)
    for owner_team, member in ((team, staff), (other_team, other_team_staff)):
        for assignee in (made, None):
            case: Any = CaseFactory(team=owner_team, category=category, assignee=assignee)
        for person in {member, made} if owner_team == team else {member}:
            services.add_task(
                case, by=person, title="Call back", kind=TaskKind.CALL_BACK, assignee=person,
                due_at=due,
            )  # fmt: skip
        for person in {member, made} if owner_team == team else {member}:
            services.request_exception(
                case, by=person, allowed=None, value=Decimal("40.00"), customer_ask="A refund",
                justification="Faulty twice",
            )  # fmt: skip
    user = User.objects.get(pk=made.pk)
    manages = role != Role.STAFF
    now = timezone.now()
    cards: list[tuple[str, Callable[..., Any], dict[str, Any]]] = [
        ("home.cases", _case_cards, {"stale_before": now + timedelta(days=1)}),
        ("home.tasks", _task_cards, {"due_by": now + timedelta(days=1)}),
        ("home.requests", _request_cards, {}),
    ]
    for name, branches, values in cards:
        # Each branch on its own, no union, nothing kept: the truth.
        afresh = [
            [_pk(row) for row in queryset[:limit]]
            for queryset, limit in branches(manages, user=user, **values)
        ]
        assert any(afresh), name  # something to compare
        if name != "home.cases":
            assert [
                [row.pk for row in card]
                for card in in_one_query(branches(manages, user=user, **values))
            ] == afresh
        for _ in range(2):  # as the home calls it: compiled, then the same SQL again
            got: list[list[Any]] = (
                compiled_rows_in_one_query(name, table_case, branches, manages, user=user, **values)
                if name == "home.cases"
                else compiled_in_one_query(name, branches, manages, user=user, **values)
            )
            assert [[row.pk for row in card] for card in got] == afresh
    home = home_for(user)
    names = {team.pk: team.name, other_team.pk: other_team.name}
    seen = {row.team for row in [*home.my_cases, *home.unassigned, *home.stale]}
    seen |= {names[row.team_id] for row in [*home.tasks.today, *home.awaiting_me]}
    assert seen == ({team.name, other_team.name} if role == Role.ADMIN else {team.name})


def _pk(row: Any) -> int:
    return row[0] if isinstance(row, tuple) else row.pk
