"""A fresh install can tell customers what happens next from day one (admins edit it)."""

from django.db import migrations

BODY = """Dear {customer},

Thank you for your patience with case {reference}. Here is what we agreed:

{summary}

What happens next: {next_step}

If anything is unclear, reply to this email and quote {reference}.

{business}"""


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("policies", "MessageTemplate")
    MessageTemplate.objects.get_or_create(
        key="what-happens-next",
        defaults={"subject": "Your case {reference}: what happens next", "body": BODY},
    )


class Migration(migrations.Migration):
    dependencies = [("policies", "0004_messagetemplate_followuprule")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
