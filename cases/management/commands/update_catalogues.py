"""Bring the catalogues up to date with the source (`python3 dev.py messages`): Django's
makemessages for every shipped language, always with the same options, then compile."""

import shutil

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from casedesk import catalogues


class Command(BaseCommand):
    help = "Run makemessages for every language in LANGUAGES (needs GNU gettext), then compile."
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        if shutil.which("xgettext") is None:
            raise CommandError(
                "makemessages needs GNU gettext's xgettext: apt-get install gettext (Debian, "
                "Ubuntu) or brew install gettext (macOS). Compiling needs only Python."
            )
        locales = [f"--locale={locale}" for locale in catalogues.shipped_locales()]
        call_command("makemessages", *locales, *catalogues.MAKEMESSAGES_OPTIONS)
        for locale in catalogues.shipped_locales():
            catalogues.tidy_header(catalogues.po_path(locale), locale)
        catalogues.compile_catalogues()
        self.stdout.write(
            "Catalogues updated: translate the new entries (and check the fuzzy ones), then "
            "`python3 dev.py i18n-check`."
        )
