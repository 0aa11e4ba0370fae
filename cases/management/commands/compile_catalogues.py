"""Compile the translation catalogues with polib: no GNU gettext needed (see
casedesk/catalogues.py). `dev.py run` and the test run do it; so should a deployment,
beside collectstatic."""

from django.core.management.base import BaseCommand

from casedesk import catalogues


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo (those changed since, or all with --force)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile every catalogue.")

    def handle(self, *args, force: bool = False, **options):
        for mo in catalogues.compile_catalogues(force=force):
            self.stdout.write(f"Compiled {mo.relative_to(catalogues.ROOT)}")
