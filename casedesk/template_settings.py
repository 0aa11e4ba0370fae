"""Templates and form rendering, imported by casedesk/settings.py."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
__all__ = ["TEMPLATES", "FORM_RENDERER"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Django's own loaders (cached: filesystem, then app directories), except that
            # crispy's field template comes as casedesk.crispy_fields.FieldTemplate.
            "loaders": [
                (
                    "casedesk.crispy_fields.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "cases.context_processors.casedesk",
            ],
        },
    },
]

# Same HTML as Django's, with common widgets built in Python (see casedesk/renderers.py).
FORM_RENDERER = "casedesk.renderers.FastWidgetRenderer"
