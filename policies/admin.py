from django.contrib import admin

from . import services
from .models import (
    AllowedException,
    Category,
    DemeanourGuidance,
    FollowUpRule,
    MessageTemplate,
    Policy,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active"]
    list_filter = ["active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(DemeanourGuidance)
class DemeanourGuidanceAdmin(admin.ModelAdmin):
    list_display = ["demeanour", "headline", "updated_at"]


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "outcome", "task_due_days", "feedback_after_days", "active"]
    list_filter = ["active"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "subject", "updated_at"]


class AllowedExceptionInline(admin.TabularInline):
    model = AllowedException
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """Edits here go through the same service as the app, so each save makes a version."""

    list_display = ["code", "title", "category", "active"]
    readonly_fields = ["current_version"]
    inlines = [AllowedExceptionInline]

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        # After the inline exceptions are saved, so the version includes them.
        super().save_related(request, form, formsets, change)
        services.snapshot(form.instance, by=request.user, note="Edited in the Django admin")
