"""Operators' way to run the reminder sweep: once, or in a loop beside (or instead of) beat."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from cases import services


class Command(BaseCommand):
    help = "Send due reminders (the same sweep Celery beat runs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sweeping until stopped.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between sweeps.")
        parser.add_argument("--limit", type=int, default=500, help="Rows per sweep at most.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            handled = services.send_due_reminders(limit=options["limit"])
            self.stdout.write(f"{handled} reminder(s) handled")
            if not options["loop"]:
                return
            if handled < options["limit"]:
                time.sleep(options["interval"])
