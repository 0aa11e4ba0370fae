"""Heartbeat: proof that background processes run."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last time a background process proved it runs (one row per process kind)."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
