from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import services
from .models import AccessLogEntry, Erasure, PrivacyEvent, RetentionProgress, RetentionSettings


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Append-only records: visible to admins, never edited or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLogEntry)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "object_type", "object_id", "customer_id", "address"]
    list_filter = ["object_type"]
    show_full_result_count = False


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ["customer_id", "erased_by", "erased_at", "reason"]


@admin.register(PrivacyEvent)
class PrivacyEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "customer_id", "kind", "actor"]
    list_filter = ["kind"]


@admin.register(RetentionProgress)
class RetentionProgressAdmin(ReadOnlyAdmin):
    list_display = ["phase", "cursor", "last_run_at", "last_pass_at", "cases_anonymised"]


@admin.register(RetentionSettings)
class RetentionSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """One row; saved through the service (which checks the admin role and the bounds)."""

    fields = ["enabled", "closed_case_years", "inactive_customer_years"]
    list_display = ["__str__", "enabled", "updated_at", "updated_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        services.retention_settings()  # the row exists from the first look on
        return super().get_object(request, object_id, from_field)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.update_retention_settings(
            by=request.user,  # type: ignore[arg-type]
            enabled=obj.enabled,
            closed_case_years=obj.closed_case_years,
            inactive_customer_years=obj.inactive_customer_years,
        )
