"""Seed what each lifecycle stage asks of a product (editable by HR admins afterwards)."""

from django.db import migrations

POLICIES = [
    ("discovery", "biweekly", ["customer_interviews", "experiments_run"], "Finding a problem worth solving."),
    ("launch", "weekly", ["activation_rate", "weekly_active_users"], "Getting the first customers to value."),
    ("pmf", "biweekly", ["retention_d30", "nps"], "Proving customers keep coming back."),
    ("growth", "monthly", ["weekly_active_users", "revenue", "retention_d30"], "Scaling what works."),
    ("maturity", "quarterly", ["revenue", "gross_margin", "nps"], "Defending and optimising the business."),
    ("sunset", "monthly", ["active_customers", "migration_rate"], "Moving customers off, winding down."),
    ("retired", "quarterly", [], "No longer offered."),
]


def seed(apps, schema_editor):
    StagePolicy = apps.get_model("roadmaps", "StagePolicy")
    for stage, cadence, metrics, description in POLICIES:
        StagePolicy.objects.get_or_create(
            stage=stage,
            defaults={"review_cadence": cadence, "expected_metric_keys": metrics, "description": description},
        )


def unseed(apps, schema_editor):
    apps.get_model("roadmaps", "StagePolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("roadmaps", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
