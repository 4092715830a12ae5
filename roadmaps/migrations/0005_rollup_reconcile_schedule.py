"""Beat's nightly full roll-up: reconciles roll-ups with changes no reading marked
(a business unit moved in the tree, a product deleted)."""

import json

from django.db import migrations

NAME = "Recompute all metric roll-ups (nightly)"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="50", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "metrics.roll_up",
            "kwargs": json.dumps({"full": True}),
            "crontab": crontab,
            "expire_seconds": 23 * 3600,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("roadmaps", "0004_rollup_schedule")]

    operations = [migrations.RunPython(schedule, unschedule)]
