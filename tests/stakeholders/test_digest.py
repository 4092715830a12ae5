"""The weekly digest reaches every leader once per week, on Monday morning in their time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from stakeholders.models import Alignment, Notification, Review, Stakeholder
from stakeholders.services import digests_create_weekly, review_create

BERLIN = ZoneInfo("Europe/Berlin")


def test_monday_digest_once_per_leader_with_overdue_reviews_and_blockers(cast, settings):
    from roadmaps.services import product_create

    settings.DIGEST_TIME_ZONE = "Europe/Berlin"
    settings.DIGEST_HOUR = 8
    monday_morning = datetime(2026, 11, 23, 8, 30, tzinfo=BERLIN)
    sunday = monday_morning - timedelta(days=1)

    review = review_create(
        kind=Review.Kind.ROADMAP_REVIEW,
        title="Checkout roadmap review",
        owner=cast.report,
        due_at=sunday,
    )
    Review.objects.filter(pk=review.pk).update(status=Review.Status.OVERDUE, missed=True)
    product = product_create(
        name="Checkout", slug="checkout", business_unit=cast.report.business_unit, owner=cast.report
    )
    blocker = Stakeholder.objects.create(
        name="Ingrid Bauer", organisation="Alpenbank", function="customer", influence=5, interest=5
    )
    Alignment.objects.create(stakeholder=blocker, product=product, status=Alignment.Status.BLOCKING)

    assert digests_create_weekly(now=sunday) == []  # not Monday yet
    assert digests_create_weekly(now=monday_morning - timedelta(hours=1)) == []  # too early
    created = digests_create_weekly(now=monday_morning)
    again = digests_create_weekly(now=monday_morning + timedelta(hours=3))

    digests = Notification.objects.filter(kind="weekly_digest", channel="email")
    leaders = {cast.top.pk, cast.leader.pk, cast.report.pk}  # everyone with reports
    assert {d.recipient_id for d in digests} == leaders
    assert len(created) == len(leaders)
    assert again == []
    dana = digests.get(recipient=cast.leader)
    assert "Checkout roadmap review" in dana.body
    assert "Ingrid Bauer on Checkout" in dana.body
    omar = Notification.objects.filter(kind="weekly_digest", recipient=cast.peer)
    assert not omar.exists()  # no reports: no digest
