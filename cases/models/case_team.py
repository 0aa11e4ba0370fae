"""The case's team, copied onto the rows that hang off a case.

Insights sum one team's interactions, requests, tasks, reminders and feedback over a
period. Reached through the case, each of those reads joined all of the team's cases to
the period's rows: 0.56–1.3 s afresh for a manager's 30 days at 1M cases, 52 ms with the
team on the row and a (team, time) index on each table
(bench/results/insights-sections-*-2026-11-30-1920.json).

A case never changes team (no form, service or admin action moves it). `save()` fills the
copy from the case; bulk inserts (the data generator, the benchmarks) set it themselves,
and the column is NOT NULL, so a path that forgets fails loudly instead of hiding rows
from a team's insights. On PostgreSQL a foreign key on (case, team) refuses a copy that
disagrees with its case and carries the rows along if a case is ever moved (0022).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .people import Team


class OnCaseTeam(models.Model):
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )  # the (team, time) index of each model leads with it

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.team_id is None:
            # The case is usually loaded already (services create rows from it).
            self.team_id = self.case.team_id
        super().save(*args, **kwargs)
