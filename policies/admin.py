from django.contrib import admin

from .models import Category, DemeanourGuidance


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active"]
    list_filter = ["active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(DemeanourGuidance)
class DemeanourGuidanceAdmin(admin.ModelAdmin):
    list_display = ["demeanour", "headline", "updated_at"]
