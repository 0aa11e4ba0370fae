from django.apps import AppConfig
from django.utils.translation import gettext_lazy

# Imported before any model is made, so that its get_FOO_display methods are the fast ones.
from casedesk import fast_gettext


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = gettext_lazy("Cases")

    def ready(self) -> None:
        fast_gettext.install()
