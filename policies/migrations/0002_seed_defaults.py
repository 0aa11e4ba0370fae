"""A new install starts with complaint categories and a guidance card per demeanour."""

from django.db import migrations


def seed(apps, schema_editor):
    from policies.defaults import CATEGORIES, DEMEANOUR_GUIDANCE

    Category = apps.get_model("policies", "Category")
    Guidance = apps.get_model("policies", "DemeanourGuidance")
    for slug, name in CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name})
    for demeanour, card in DEMEANOUR_GUIDANCE.items():
        Guidance.objects.get_or_create(demeanour=demeanour, defaults=card)


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
