from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from cases.limits import ExplainedTextLimits
from cases.models import Channel

from . import quick_logs, services, texts
from .models import (
    AllowedException,
    Category,
    DemeanourGuidance,
    FollowUpRule,
    MessageTemplate,
    Policy,
    QuickLog,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active"]
    list_filter = ["active"]
    prepopulated_fields = {"slug": ["name"]}


class GuidanceAdminForm(forms.ModelForm):
    """The service's rule (a language's version needs the default one), said on the form."""

    class Meta:
        model = DemeanourGuidance
        fields = ["demeanour", "language", *texts.GUIDANCE_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        demeanour = data.get("demeanour", self.instance.demeanour)
        language = data.get("language", self.instance.language)
        if not self.errors:
            try:
                texts.check_guidance_version(demeanour=demeanour, language=language)
            except texts.TextError as error:
                self.add_error("language", str(error))
        return data


@admin.register(DemeanourGuidance)
class DemeanourGuidanceAdmin(admin.ModelAdmin):
    """Saved through the same service as the guidance page; a card's demeanour and language
    are fixed once written (another language is another row)."""

    form = GuidanceAdminForm
    list_display = ["demeanour", "language", "headline", "updated_at"]
    list_filter = ["language"]

    def get_readonly_fields(self, request, obj=None):
        return ["demeanour", "language"] if obj else []

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in texts.GUIDANCE_FIELDS}
        saved = texts.save_guidance(demeanour=obj.demeanour, language=obj.language, **fields)
        obj.pk = saved.pk


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "outcome", "task_due_days", "feedback_after_days", "active"]
    list_filter = ["active"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """One row per key and language; a customer gets theirs, else the default version."""

    list_display = ["key", "language", "subject", "updated_at"]
    list_filter = ["language"]


class AllowedExceptionAdminForm(ExplainedTextLimits, forms.ModelForm):
    """The library's own rule for limits (services.check_limits), said next to the row."""

    class Meta:
        model = AllowedException
        fields = list(services.EXCEPTION_FIELDS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        staff, manager, most = (data.get(n) for n in ("staff_limit", "manager_limit", "max_value"))
        if staff is not None and manager is not None and most is not None:
            try:
                services.check_limits(staff_limit=staff, manager_limit=manager, max_value=most)
            except services.PolicyError as error:
                raise forms.ValidationError(str(error)) from error
        return data


class AllowedExceptionInline(admin.TabularInline):
    """Saved with the policy, then one version snapshots both (PolicyAdmin.save_related)."""

    model = AllowedException
    form = AllowedExceptionAdminForm
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """Edits here go through the same service as the app, so each save makes a version."""

    list_display = ["code", "title", "category", "active"]
    readonly_fields = ["current_version"]
    inlines = [AllowedExceptionInline]

    def save_related(self, request, form, formsets, change):
        # After the inline exceptions are saved, so the version includes them.
        super().save_related(request, form, formsets, change)
        with translation.override(settings.LANGUAGE_CODE):  # kept in the version history
            note = gettext("Edited in the Django admin")
        services.snapshot(form.instance, by=request.user, note=note)


class QuickLogAdminForm(ExplainedTextLimits, forms.ModelForm):
    """The service's rules, said next to the field at fault."""

    channel = forms.ChoiceField(
        choices=[("", gettext_lazy("The case's channel")), *Channel.choices],
        required=False,
        label=gettext_lazy("Channel"),
    )

    class Meta:
        model = QuickLog
        fields = list(quick_logs.FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                quick_logs.check_quick_log(fields=data)
            except quick_logs.QuickLogError as error:
                self.add_error(error.field, str(error))
        return data


@admin.register(QuickLog)
class QuickLogAdmin(admin.ModelAdmin):
    """Saved through the service; switched off (active) rather than deleted."""

    form = QuickLogAdminForm
    list_display = ["label", "channel", "minutes", "demeanour", "order", "active"]
    list_filter = ["active"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in quick_logs.FIELDS if name in form.cleaned_data
        }
        saved = quick_logs.save_quick_log(
            by=request.user, quick_log=obj if change else None, **fields
        )
        obj.pk = saved.pk
