"""The case's team, copied onto the rows that hang off a case.

Insights sum one team's interactions, requests, tasks, reminders and feedback over a
period. Reached through the case, each of those reads joined a million cases to learn the
team (0.9–1.3 s afresh at 1M cases, bench/results/insights-sections-*); with the team on
the row, a (team, time) index hands over exactly the period's rows for the team.

A case never changes team (no form, service or admin action moves it), so the copy never
goes stale. `save()` fills it from the case; bulk inserts (the data generator, the
benchmarks) set it themselves, and the column is NOT NULL, so a path that forgets fails
loudly instead of hiding rows from a team's insights.
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
