"""Who on a team can take work: shared by cases, follow-ups and feedback."""

from __future__ import annotations

from django.utils.translation import gettext

from ..models import Role, Team, User
from .errors import NotAllowed


def not_a_member(person: User, team: Team) -> str:
    """Why `person` cannot take work on `team`'s cases."""
    return gettext("%(person)s is not a member of %(team)s.") % {"person": person, "team": team}


def can_assign(case_team: Team, user: User) -> bool:
    """May `user` own work on this team's cases (an active member)?"""
    return user.is_active and case_team.members.filter(pk=user.pk).exists()


def recovery_owner(team: Team) -> User:
    """Who takes a follow-up nobody else can: a manager of the team, else any member."""
    members = team.members.filter(is_active=True)
    owner = (
        members.filter(role__in=[Role.MANAGER, Role.ADMIN]).order_by("id").first()
        or members.order_by("id").first()
    )
    if owner is None:
        raise NotAllowed(gettext("%(team)s has nobody to follow up.") % {"team": team})
    return owner
