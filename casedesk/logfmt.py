"""One log line per event, machine-readable and still easy on the eye:

    2026-11-30 09:01:02,345 INFO cases.services.reminders reminder.sent reminder_id=7 case_id=3 …

Code logs an event name as the message and its facts as `extra`
(`logger.info("reminder.sent", extra={"reminder_id": …})`); this formatter appends the
extras as key=value pairs, quoting values with spaces, so `grep reminder_id=7` finds every
line about one reminder.
"""

from __future__ import annotations

import logging

# Attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def _value(value: object) -> str:
    text = str(value)
    if not text or any(ch in text for ch in ' "=\n'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


class KeyValueFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        facts = [
            f"{key}={_value(value)}"
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        ]
        if not facts:
            return line
        # The traceback (if any) stays on the lines after the facts.
        head, newline, rest = line.partition("\n")
        return f"{head} {' '.join(facts)}{newline}{rest}"
