from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = gettext_lazy("Cases")

    def ready(self) -> None:
        from casedesk import fast_gettext

        fast_gettext.install()
