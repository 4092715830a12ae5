"""Beat's schedule lives in the database (editable in the admin); seed its rows."""

from django.db import migrations


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="17", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name="Clear expired sessions",
        defaults={
            "task": "productorg.clear_expired_sessions",
            "crontab": nightly,
            # A run missed by more than a day is pointless: the next one does the work.
            "expire_seconds": 23 * 3600,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="Clear expired sessions").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("productorg", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
