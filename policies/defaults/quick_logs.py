"""The quick logs a new install starts with (admins edit, reorder or switch them off)."""

QUICK_LOGS: list[dict[str, object]] = [
    {
        "label": "Explained the returns policy",
        "channel": "in_person",
        "minutes": 5,
        "summary": "Explained {policy} to {customer}; they understood what we can offer.",
        "demeanour": "",
        "order": 10,
    },
    {
        "label": "Refund processed at the till",
        "channel": "in_person",
        "minutes": 5,
        "summary": "Refund processed at the till for {customer} by {agent}; receipt given.",
        "demeanour": "calm",
        "order": 20,
    },
    {
        "label": "Called back, no answer",
        "channel": "phone",
        "minutes": 2,
        "summary": "Called {customer} back about {reference}; no answer. Will try again.",
        "demeanour": "",
        "order": 30,
    },
    {
        "label": "Emailed an update",
        "channel": "email",
        "minutes": 5,
        "summary": "Emailed {customer} an update on {reference}.",
        "demeanour": "",
        "order": 40,
    },
]
