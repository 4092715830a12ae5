"""Seed the default job ladder and the HR admins group.

The ladder is data: HR renames, adds and reorders rungs in the admin afterwards
(whether a Head of Product sits above or below a Director differs between companies).
"""

from django.db import migrations

from roles.ladder import DEFAULT_LADDER, seed_default_ladder


def seed(apps, schema_editor):
    seed_default_ladder(
        role_model=apps.get_model("roles", "Role"), group_model=apps.get_model("auth", "Group")
    )


def unseed(apps, schema_editor):
    Role = apps.get_model("roles", "Role")
    Role.objects.filter(
        name__in=[name for name, *_ in DEFAULT_LADDER], people__isnull=True, positions__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
