"""Operators' way to run the webhook sweep: once, or in a loop beside (or instead of) beat."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from webhooks import delivery


class Command(BaseCommand):
    help = "Post due webhook deliveries (the same sweep Celery beat runs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sweeping until stopped.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between sweeps.")
        parser.add_argument("--limit", type=int, default=500, help="Rows per sweep at most.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            handled = delivery.send_due_webhooks(limit=options["limit"])
            self.stdout.write(f"{handled} webhook deliver{'y' if handled == 1 else 'ies'} handled")
            if not options["loop"]:
                return
            if handled < options["limit"]:
                time.sleep(options["interval"])
