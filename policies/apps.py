from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policy library"

    def ready(self) -> None:
        from django.core.cache import cache
        from django.db.models.signals import post_delete, post_save

        from .models import DemeanourGuidance

        def forget(sender: type, instance: DemeanourGuidance, **_: object) -> None:
            # The case page caches guidance cards; an edit must show at once.
            cache.delete(f"casedesk:guidance:{instance.demeanour}")

        post_save.connect(forget, sender=DemeanourGuidance, weak=False)
        post_delete.connect(forget, sender=DemeanourGuidance, weak=False)
