"""Seed the responsibility areas and the default ladder's RACI (HR edits them afterwards)."""

from django.db import migrations

from roles.ladder import seed_default_responsibilities


def seed(apps, schema_editor):
    seed_default_responsibilities(
        area_model=apps.get_model("roles", "ResponsibilityArea"),
        role_model=apps.get_model("roles", "Role"),
        raci_model=apps.get_model("roles", "RoleResponsibility"),
    )


class Migration(migrations.Migration):
    dependencies = [("roles", "0004_responsibilities")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
