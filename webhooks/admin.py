"""Django admin: a read-only view of endpoints and deliveries. Changes go through the
webhook pages (webhooks/views.py) and their services, never through here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Delivery, Endpoint


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Endpoint)
class EndpointAdmin(ReadOnly):
    list_display = ["url", "active", "failing_since", "disabled_reason"]
    # The secrets are shown once, when made; never here.
    exclude = ["secret", "previous_secret"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["event_id", "event_type", "endpoint", "state", "attempts", "created_at"]
    list_filter = ["state", "event_type"]
    list_select_related = ["endpoint"]
    show_full_result_count = False
