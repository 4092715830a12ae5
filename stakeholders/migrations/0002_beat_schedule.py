"""Beat's schedule for reviews and notifications (rows in the database, editable in the admin).

Each entry expires before its next run, so a backlog after an outage runs once, not
once per missed tick.
"""

from django.db import migrations

INTERVALS = [
    # name, task, every, period, expire_seconds
    ("Send due review reminders", "reviews.send_due_reminders", 15, "minutes", 14 * 60),
    ("Deliver pending notifications (sweep)", "notifications.deliver_pending", 1, "minutes", 55),
]
CRONTABS = [
    # name, task, minute, hour, expire_seconds
    ("Create automatic review series", "reviews.sync_automatic", "40", "2", 23 * 3600),
    ("Send weekly digests", "digests.send_weekly", "5", "*", 55 * 60),
]


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period, expire in INTERVALS:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "expire_seconds": expire}
        )
    for name, task, minute, hour, expire in CRONTABS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "expire_seconds": expire}
        )


def unschedule(apps, schema_editor):
    names = [row[0] for row in INTERVALS + CRONTABS]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
