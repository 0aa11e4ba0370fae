"""The policy library: complaint categories and guidance per customer demeanour."""

from django.db import models


class Demeanour(models.TextChoices):
    CALM = "calm", "Calm"
    ANGRY = "angry", "Angry"
    INDECISIVE = "indecisive", "Indecisive"
    UNREASONABLE = "unreasonable", "Unreasonable demands"
    PASSIVE_AGGRESSIVE = "passive_aggressive", "Passive-aggressive"
    ABUSIVE = "abusive", "Abusive"


class Category(models.Model):
    """A kind of complaint or request; admins keep the list."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class DemeanourGuidance(models.Model):
    """What staff read on a case when the customer shows this demeanour."""

    demeanour = models.CharField(max_length=24, choices=Demeanour.choices, unique=True)
    headline = models.CharField(max_length=120)
    listen = models.TextField("How to listen")
    de_escalate = models.TextField("How to de-escalate")
    boundaries = models.TextField("Setting boundaries")
    escalate = models.TextField("When to involve a manager or disengage")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["demeanour"]
        verbose_name = "demeanour guidance"
        verbose_name_plural = "demeanour guidance"

    def __str__(self) -> str:
        return f"Guidance: {self.get_demeanour_display()}"
