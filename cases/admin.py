from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext, gettext_lazy, ngettext

from .models import (
    Case,
    CaseEvent,
    Customer,
    FollowUpTask,
    Interaction,
    Reminder,
    ReminderState,
    Team,
    User,
)
from .services.requeue import requeue_reminder


@admin.register(User)
class CaseDeskUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("CaseDesk", {"fields": ("role", "teams")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("CaseDesk", {"fields": ("role", "teams")}))
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "teams", "is_active"]
    filter_horizontal = ["teams", "groups", "user_permissions"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows whose every write goes through a service (an event on the timeline, a
    transition check, normalised fields): the admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    """Edited on the customer page (services.update_customer normalises email and phone)."""

    list_display = ["name", "email", "phone", "team"]
    search_fields = ["name", "email_normalised", "phone_normalised"]
    list_select_related = ["team"]
    raw_id_fields = ["created_by"]


class InteractionInline(admin.TabularInline):
    """Interactions are logged on the case page, with their timeline event."""

    model = Interaction
    extra = 0
    raw_id_fields = ["author"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Status, assignee and triage change on the case page, through the services that
    check ALLOWED_TRANSITIONS and write the timeline; here they are for looking up."""

    list_display = ["id", "subject", "team", "status", "priority", "created_at"]
    list_filter = ["status", "priority", "team"]
    list_select_related = ["team"]
    raw_id_fields = ["customer", "assignee", "created_by"]
    inlines = [InteractionInline]
    show_full_result_count = False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """The timeline is append-only, in the admin too: nothing is added, changed or deleted."""

    list_display = ["case", "kind", "actor", "created_at"]
    raw_id_fields = ["case", "actor", "interaction"]


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(ReadOnlyAdmin):
    """Tasks are completed, cancelled and moved through the services (timeline, reminders)."""

    list_display = ["title", "case", "assignee", "due_at", "status"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["case", "assignee", "created_by", "completed_by"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """Operators look here for failed reminders; "Send again" puts them back in the queue
    through the service (a conditional update: only rows still failed move)."""

    list_display = ["id", "kind", "case", "due_at", "state", "attempts", "last_error"]
    list_filter = ["state", "kind"]
    raw_id_fields = ["case", "task", "exception_request", "feedback"]
    actions = ["send_again"]

    @admin.action(description=gettext_lazy("Send again (back to pending, due now)"))
    def send_again(self, request, queryset):
        count = 0
        for reminder in queryset.filter(state=ReminderState.FAILED):
            if requeue_reminder(reminder, by=request.user):
                # In the row's admin history: who sent it again, and when.
                self.log_change(
                    request, reminder, gettext("Sent again (back to pending, due now).")
                )
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d reminder queued again.", "%(count)d reminders queued again.", count)
            % {"count": count},
        )
