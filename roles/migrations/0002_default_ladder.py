"""Seed the default job ladder and the HR admins group.

The ladder is data: HR renames, adds and reorders rungs in the admin afterwards
(whether a Head of Product sits above or below a Director differs between companies).
"""

from django.db import migrations

LADDER = [
    ("Chief Product Officer", "management", 90, "Owns the product vision and strategy of the whole company and leads the product organisation."),
    ("VP of Product", "management", 80, "Leads product for a large business area; builds the leadership bench under them."),
    ("Director of Product", "management", 70, "Leads a group of product teams; owns a portfolio's strategy, goals and hiring."),
    ("Head of Product", "management", 65, "Leads product for a business unit or product line; manages PMs and stakeholders."),
    ("Group Product Manager", "management", 60, "Manages a small group of PMs while owning a product area."),
    ("Principal Product Manager", "individual", 60, "Senior individual contributor shaping strategy across teams."),
    ("Senior Product Manager", "individual", 50, "Owns a product end to end with little guidance."),
    ("Product Manager", "individual", 40, "Owns a product or feature area's discovery, roadmap and delivery."),
    ("Associate Product Manager", "individual", 30, "Learns the craft on a scoped area with a mentor."),
]


def seed(apps, schema_editor):
    Role = apps.get_model("roles", "Role")
    Group = apps.get_model("auth", "Group")
    for name, track, level, summary in LADDER:
        Role.objects.get_or_create(
            name=name, defaults={"family": "product", "track": track, "level": level, "summary": summary}
        )
    Group.objects.get_or_create(name="HR admins")


def unseed(apps, schema_editor):
    Role = apps.get_model("roles", "Role")
    Role.objects.filter(name__in=[name for name, *_ in LADDER], people__isnull=True, positions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
