from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Customer data rights: subject-access exports, erasure, retention, the access log."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Data protection"
