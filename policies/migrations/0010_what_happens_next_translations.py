"""Polish and Spanish versions of the "what happens next" email, so a fresh install writes
to customers in those languages from day one (admins edit them like the default one).
An install that removed the default template gets none."""

from django.db import migrations

VERSIONS = {
    "pl": {
        "subject": "Sprawa {reference}: co dalej",
        "body": """Dzień dobry {customer},

dziękujemy za cierpliwość w sprawie {reference}. Oto, co ustaliliśmy:

{summary}

Co dalej: {next_step}

Jeśli coś jest niejasne, prosimy odpowiedzieć na tę wiadomość, podając numer sprawy {reference}.

{business}""",
    },
    "es": {
        "subject": "Su caso {reference}: próximos pasos",
        "body": """Hola, {customer}:

Gracias por su paciencia con el caso {reference}. Esto es lo que acordamos:

{summary}

Próximos pasos: {next_step}

Si algo no queda claro, responda a este correo indicando la referencia {reference}.

{business}""",
    },
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("policies", "MessageTemplate")
    if not MessageTemplate.objects.filter(key="what-happens-next", language="").exists():
        return
    for language, text in VERSIONS.items():
        MessageTemplate.objects.get_or_create(
            key="what-happens-next", language=language, defaults=text
        )


class Migration(migrations.Migration):
    dependencies = [("policies", "0009_texts_per_language")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
