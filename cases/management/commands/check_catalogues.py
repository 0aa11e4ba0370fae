"""CI's translation check (`python3 dev.py i18n-check`): fails when makemessages would add
or drop a string, or a shipped language has an untranslated or fuzzy entry."""

from django.core.management.base import BaseCommand, CommandError

from casedesk import catalogues


class Command(BaseCommand):
    help = "Check the translation catalogues against the source (needs GNU gettext)."
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        problems = catalogues.check()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} problem(s) with the translation catalogues. Run "
                "`python3 dev.py messages`, translate what it adds, and clear the fuzzy flags "
                '(README, "Languages").'
            )
        self.stdout.write("The translation catalogues match the source and are complete.")
