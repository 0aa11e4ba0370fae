"""Case studies: resolved cases kept as worked examples for coaching."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from policies.models import Category, Demeanour

from .cases import Case, CaseScopedQuerySet


class StudyKind(models.TextChoices):
    WENT_WELL = "went_well", gettext_lazy("Went well")
    LESSON = "lesson", gettext_lazy("Lesson learned")


class CaseStudy(models.Model):
    """A resolved case a manager marked as a worked example for coaching."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="study")
    kind = models.CharField(max_length=12, choices=StudyKind.choices)
    title = models.CharField(max_length=200)
    write_up = models.TextField(max_length=10000)
    # Copied from the case so that browsing by them needs no join and stays stable.
    demeanour = models.CharField(max_length=24, choices=Demeanour.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = gettext_lazy("case studies")
        indexes = [
            models.Index(fields=["category", "demeanour"], name="study_match_idx"),
        ]

    def __str__(self) -> str:
        return self.title
