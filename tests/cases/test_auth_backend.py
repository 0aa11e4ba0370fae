"""The signed-in user is loaded with their team ids in one query, on every request; an
account switched off, or a session naming no such user, is signed out."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.auth import TeamAwareBackend

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_their_team_ids_in_one_query(staff, team, other_team):
    staff.teams.add(other_team)
    with CaptureQueriesContext(connection) as ctx:
        user = TeamAwareBackend().get_user(str(staff.pk))  # as the session holds it
        assert user.team_ids() == sorted([team.pk, other_team.pk])
        assert (user.username, user.role, user.password) == (
            staff.username,
            staff.role,
            staff.password,
        )
    assert len(ctx.captured_queries) == 1


def test_a_user_in_no_team_has_no_team_ids(staff):
    staff.teams.clear()
    assert TeamAwareBackend().get_user(staff.pk).team_ids() == []


@pytest.mark.parametrize("user_id", ["abc", "", "99999999", str(2**63), "-1"])
def test_a_session_naming_no_such_user_loads_nobody(user_id):
    assert TeamAwareBackend().get_user(user_id) is None


def test_an_account_switched_off_is_signed_out_on_its_next_page(client, staff):
    client.force_login(staff)
    assert client.get(reverse("my_tasks")).status_code == 200
    staff.is_active = False
    staff.save()
    response = client.get(reverse("my_tasks"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_password_changed_elsewhere_ends_the_session(client, staff):
    client.force_login(staff)
    assert client.get(reverse("my_tasks")).status_code == 200
    staff.set_password("a-new-password-for-sam")
    staff.save()
    response = client.get(reverse("my_tasks"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
