"""Loading the signed-in user with their team ids in one query.

Every page scopes its data by the user's teams, so every request needed the user row and
then, in a second round trip, the team ids. This backend fetches both at once.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, OuterRef, Subquery

from .models import User


class IdList(Aggregate):
    """Comma-separated ids: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s::text, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s)"
        )


class TeamAwareBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        memberships = User.teams.through.objects.filter(user_id=OuterRef("pk"))
        team_ids = Subquery(
            # The stubs' plugin cannot see an annotation on the implicit m2m through model.
            memberships.values("user_id").annotate(ids=IdList("team_id")).values("ids")[:1]  # type: ignore[misc]
        )
        user = User._default_manager.annotate(team_id_list=team_ids).filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        # What User.team_ids() would otherwise fetch on first use.
        user._team_ids = sorted(int(i) for i in (user.team_id_list or "").split(",") if i)
        return user
