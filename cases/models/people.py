"""Roles, teams and people, and which teams a user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from casedesk import languages

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class Role(models.TextChoices):
    STAFF = "staff", pgettext_lazy("role", "Staff")
    MANAGER = "manager", pgettext_lazy("role", "Manager")
    ADMIN = "admin", pgettext_lazy("role", "Admin")


class Team(models.Model):
    """A store, branch or desk. Cases belong to one team; people to one or more."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    # Single-key shortcuts (static/js/shortcuts.js); some people, and some screen readers'
    # browse modes, want every key to themselves.
    keyboard_shortcuts = models.BooleanField(default=True)
    # Blank: whatever the browser asks for (Accept-Language). Activated for each of their
    # requests by casedesk.middleware.UserLanguageMiddleware.
    language = models.CharField(
        gettext_lazy("Language"), max_length=16, blank=True, choices=languages.choices
    )

    objects: ClassVar[UserManager[Self]] = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_manager(self) -> bool:
        return self.role in {Role.MANAGER, Role.ADMIN}

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN

    def team_ids(self) -> list[int]:
        """The user's team ids, fetched once per request object."""
        cached = getattr(self, "_team_ids", None)
        if cached is None:
            cached = list(self.teams.values_list("id", flat=True))
            self._team_ids = cached
        return cached


def visible_teams(user: User | AnonymousUser) -> models.QuerySet[Team]:
    """The teams whose data this user may see: all for admins, their own otherwise."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.role == Role.ADMIN:
        return Team.objects.all()
    return Team.objects.filter(id__in=user.team_ids())
