from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Case, CaseEvent, Customer, FollowUpTask, Interaction, Reminder, Team, User


@admin.register(User)
class CaseDeskUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("CaseDesk", {"fields": ("role", "teams")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("CaseDesk", {"fields": ("role", "teams")}))
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "teams", "is_active"]
    filter_horizontal = ["teams", "groups", "user_permissions"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "team"]
    search_fields = ["name", "email_normalised", "phone_normalised"]
    list_select_related = ["team"]
    raw_id_fields = ["created_by"]


class InteractionInline(admin.TabularInline):
    model = Interaction
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["id", "subject", "team", "status", "priority", "created_at"]
    list_filter = ["status", "priority", "team"]
    list_select_related = ["team"]
    raw_id_fields = ["customer", "assignee", "created_by"]
    inlines = [InteractionInline]
    show_full_result_count = False


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    """Read-only: the timeline is append-only, in the admin too."""

    list_display = ["case", "kind", "actor", "created_at"]
    raw_id_fields = ["case", "actor", "interaction"]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "case", "assignee", "due_at", "status"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["case", "assignee", "created_by", "completed_by"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Operators look here for failed reminders; "Send again" puts them back in the queue."""

    list_display = ["id", "kind", "case", "due_at", "state", "attempts", "last_error"]
    list_filter = ["state", "kind"]
    raw_id_fields = ["case", "task", "exception_request", "feedback"]
    actions = ["send_again"]

    @admin.action(description="Send again (back to pending, due now)")
    def send_again(self, request, queryset):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        from .models import ReminderState

        count = queryset.filter(state=ReminderState.FAILED).update(
            state=ReminderState.PENDING, due_at=timezone.now(), attempts=0
        )
        self.message_user(request, f"{count} reminder(s) queued again.")
