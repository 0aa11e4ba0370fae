"""Files on a case: photos of receipts and damaged goods, letters, evidence for a request."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseScopedQuerySet, ExceptionRequest, Interaction


class StoredType(models.TextChoices):
    """What is stored and served: decided from the content, images re-encoded."""

    JPEG = "image/jpeg", _("JPEG image")
    PNG = "image/png", _("PNG image")
    WEBP = "image/webp", _("WebP image")
    PDF = "application/pdf", _("PDF document")
    TEXT = "text/plain", _("Plain text")


IMAGE_TYPES = (StoredType.JPEG, StoredType.PNG, StoredType.WEBP)


class Attachment(models.Model):
    """One file on a case, attached to an interaction or to an exception request.

    The bytes live in the "attachments" storage under random keys; the name people gave
    the file is kept, sanitised, for display only. Removing a file (by a person, or by
    retention) deletes the bytes and keeps this row: who, when and why.
    """

    # attachment_case_idx leads with the case.
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="attachments",
        db_index=False,
        verbose_name=_("case"),
    )
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("interaction"),
    )
    exception_request = models.ForeignKey(
        ExceptionRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("exception request"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    uploaded_at = models.DateTimeField(_("added at"), auto_now_add=True)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40, choices=StoredType.choices)
    # "image/heic" when a HEIC photo was converted to JPEG; empty otherwise.
    converted_from = models.CharField(_("converted from"), max_length=40, blank=True)
    size = models.PositiveBigIntegerField(_("size"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    # Random keys in the attachments storage; both empty once the file is removed.
    storage_key = models.CharField(_("storage key"), max_length=100, blank=True)
    thumbnail_key = models.CharField(_("thumbnail key"), max_length=100, blank=True)
    deleted_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )
    deleted_reason = models.TextField(_("why it was removed"), blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [
            models.Index(fields=["case", "uploaded_at"], name="attachment_case_idx"),
            # Retention and the removal sweep look only at files still stored.
            models.Index(
                fields=["case"], condition=~Q(storage_key=""), name="attachment_stored_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(interaction__isnull=False, exception_request__isnull=True)
                | Q(interaction__isnull=True, exception_request__isnull=False),
                name="attachment_one_parent",
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=StoredType.values), name="attachment_type_allowed"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
            models.CheckConstraint(
                condition=(Q(width__isnull=True) & Q(height__isnull=True))
                | (Q(width__gt=0) & Q(height__gt=0)),
                name="attachment_dimensions_together",
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=False) | ~Q(storage_key=""),
                name="attachment_live_has_file",
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | ~Q(deleted_reason=""),
                name="attachment_removal_has_reason",
            ),
            models.UniqueConstraint(
                fields=["storage_key"],
                condition=~Q(storage_key=""),
                name="attachment_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.case_id}"

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES

    @property
    def is_removed(self) -> bool:
        return self.deleted_at is not None

    @property
    def type_label(self) -> str:
        return str(StoredType(self.content_type).label)
