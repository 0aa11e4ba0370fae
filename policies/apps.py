from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = gettext_lazy("Policy library")

    def ready(self) -> None:
        # Imported here: models cannot be imported before the app registry is ready.
        from django.core.cache import cache
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from casedesk import cache_keys, languages

        from .models import DemeanourGuidance, QuickLog

        def forget(sender: type, instance: DemeanourGuidance, **_: object) -> None:
            # The case page caches guidance cards, in a cache every process shares: an
            # edit must show at once everywhere. Cleared now and again after commit, so a
            # page that read the old row meanwhile cannot keep it cached.
            keys = cache_keys.every_guidance_language(instance.demeanour, languages.codes())
            cache.delete_many(keys)
            transaction.on_commit(lambda: cache.delete_many(keys))

        post_save.connect(forget, sender=DemeanourGuidance, weak=False)
        post_delete.connect(forget, sender=DemeanourGuidance, weak=False)

        def forget_quick_logs(sender: type, instance: QuickLog, **_: object) -> None:
            # Every case page shows the quick logs, cached the same way as guidance.
            cache.delete(cache_keys.QUICK_LOGS)
            transaction.on_commit(lambda: cache.delete(cache_keys.QUICK_LOGS))

        post_save.connect(forget_quick_logs, sender=QuickLog, weak=False)
        post_delete.connect(forget_quick_logs, sender=QuickLog, weak=False)
