"""The demo gives every stakeholder, alignment and review page something real to show."""

import io

from django.core.management import call_command

from productorg.demo import demo_logins_ensure
from stakeholders.models import Alignment, Decision, Notification, Review, Stakeholder
from stakeholders.services import reminders_create_due, reviews_mark_overdue


def test_demo_stakeholders_reviews_and_decisions(db):
    call_command("seed_demo", "--size", "small", stdout=io.StringIO(), stderr=io.StringIO())

    assert set(Stakeholder.objects.values_list("quadrant", flat=True)) == set(
        Stakeholder.Quadrant.values
    )
    assert Stakeholder.objects.filter(person__isnull=True).exists()  # external contacts too
    assert set(Alignment.objects.values_list("status", flat=True)) == set(Alignment.Status.values)
    kinds = set(Review.objects.values_list("kind", flat=True))
    assert set(Review.Kind.values) - kinds <= {Review.Kind.LIFECYCLE_REVIEW}
    assert set(Review.objects.values_list("recurrence", flat=True)) >= {
        "weekly",
        "biweekly",
        "monthly",
        "quarterly",
    }
    assert Review.objects.filter(status=Review.Status.OVERDUE).exists()
    assert Decision.objects.filter(consulted__isnull=False).exists()

    # The demo PM has an overdue review missed twice in a row: their manager hears of it.
    pm = {a.login.key: a for a in demo_logins_ensure()}["pm"].person
    assert Review.objects.filter(owner=pm, status=Review.Status.OVERDUE).exists()
    reviews_mark_overdue()
    reminders_create_due()
    assert Notification.objects.filter(kind="review_escalation", recipient=pm.manager).exists()
