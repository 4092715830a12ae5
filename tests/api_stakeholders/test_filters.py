"""Filters, search and ordering of the stakeholder, alignment, review, decision and
notification lists. Each filter is checked against rows it must keep and rows it must
drop (seen by HR, who sees everything, so only the filter decides)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from roadmaps.services import product_create
from stakeholders.models import Alignment, Notification
from stakeholders.services import (
    alignment_save,
    decision_record,
    review_create,
    stakeholder_save,
)

from .conftest import ids, notify, results, soon


@pytest.fixture
def hr(client_for, cast):
    return client_for(cast.hr_user)


@pytest.fixture
def elsewhere(cast, stakes):
    """Omar's own product with Carla's (overdue) alignment, a review and a decision on it."""
    product = product_create(
        name="Seller tools",
        slug="seller-tools",
        business_unit=cast.peer.business_unit,
        owner=cast.peer,
    )
    carla = stakeholder_save(person=cast.top, function="executive", influence=5, interest=5)
    late = alignment_save(
        stakeholder=carla,
        product=product,
        status="blocking",
        next_touchpoint_due=timezone.localdate() - timedelta(days=3),
    )
    review = review_create(
        kind="lifecycle_review",
        title="Seller tools lifecycle review",
        owner=cast.peer,
        due_at=soon(24 * 30),
        product=product,
    )
    decision = decision_record(
        title="Sunset the legacy seller API",
        context="Two integrations left.",
        decision="Sunset in Q2",
        rationale="Support cost.",
        decided_by=cast.peer,
        decided_on=date(2026, 11, 20),
        product=product,
    )
    return {
        "product": product,
        "carla": carla,
        "late": late,
        "review": review,
        "decision": decision,
    }


def test_stakeholders_by_each_filter(hr, cast, stakes, elsewhere):
    def found(query):
        return sorted(ids(hr.get(f"/api/v1/stakeholders/?{query}")))

    omar, mia, carla = stakes.omar.pk, stakes.mia.pk, elsewhere["carla"].pk
    assert found("function=customer") == [mia]
    assert found("quadrant=manage_closely") == [carla]
    assert found("quadrant=keep_satisfied") == [omar]
    assert found("influence_min=4") == sorted([omar, carla])
    assert found("interest_min=5") == sorted([mia, carla])
    assert found("influence_min=4&interest_min=5") == [carla]
    assert found(f"person={cast.peer.pk}") == [omar]
    assert found("search=acme") == [mia]
    assert found("search=carla") == [carla]  # the person's name, for a colleague
    assert found("search=mia bank") == [mia]  # every word, in any field
    assert found("search=mia omar") == []


def test_stakeholders_are_ordered_by_name_influence_or_quadrant(hr, stakes, elsewhere):
    def names(query=""):
        return [row["display_name"] for row in results(hr.get(f"/api/v1/stakeholders/?{query}"))]

    assert names() == ["Carla", "Mia Chen", "Omar"]
    assert names("ordering=-name") == ["Omar", "Mia Chen", "Carla"]
    assert names("ordering=-influence") == ["Carla", "Omar", "Mia Chen"]
    # keep_informed, keep_satisfied, manage_closely
    assert names("ordering=quadrant") == ["Mia Chen", "Omar", "Carla"]


def test_alignments_by_each_filter(hr, cast, stakes, elsewhere):
    def found(query):
        return sorted(ids(hr.get(f"/api/v1/alignments/?{query}")))

    late = elsewhere["late"].pk
    mias = sorted([stakes.mia_on_team_goal.pk, stakes.mia_on_private_goal.pk])
    assert found(f"stakeholder={stakes.mia.pk}") == mias
    assert found(f"product={stakes.product.pk}") == [stakes.omar_on_checkout.pk]
    assert found(f"goal={stakes.world.goals['team'].pk}") == [stakes.mia_on_team_goal.pk]
    assert found("status=blocking") == sorted([stakes.mia_on_private_goal.pk, late])
    assert found("cadence=weekly") == [stakes.mia_on_team_goal.pk]
    assert found("overdue=true") == [late]
    assert late not in found("overdue=false") and len(found("overdue=false")) == 3
    # Under Dana: Checkout (Priya's), the team goal (Priya's) and the private goal (Sam's).
    under_dana = found(f"under={cast.leader.pk}")
    assert under_dana == sorted([stakes.omar_on_checkout.pk, *mias])
    assert found(f"under={cast.peer.pk}") == [late]
    assert found(f"under={cast.subreport.pk}") == [stakes.mia_on_private_goal.pk]


def test_alignments_due_first(hr, stakes, elsewhere):
    rows = results(hr.get("/api/v1/alignments/"))
    assert rows[0]["id"] == elsewhere["late"].pk and rows[0]["overdue"] is True
    dues = [row["next_touchpoint_due"] for row in rows]
    assert dues == sorted(dues)
    newest = results(hr.get("/api/v1/alignments/?ordering=-next_touchpoint_due"))
    assert [row["next_touchpoint_due"] for row in newest] == sorted(dues, reverse=True)


def test_reviews_by_each_filter(hr, cast, stakes, elsewhere):
    def found(query):
        return sorted(ids(hr.get(f"/api/v1/reviews/?{query}")))

    qbr, one, career = stakes.business_review.pk, stakes.one_to_one.pk, stakes.career_review.pk
    goal_review, omars = stakes.private_goal_review.pk, elsewhere["review"].pk
    assert found(f"owner={cast.report.pk}") == [qbr]
    assert found("kind=one_to_one") == [one]
    assert found("status=scheduled") == sorted([qbr, one, career, goal_review, omars])
    assert found("status=done") == []
    assert found(f"product={stakes.product.pk}") == [qbr]
    assert found(f"goal={stakes.world.private.pk}") == [goal_review]
    assert found(f"person={cast.subreport.pk}") == [career]
    assert found(f"participant={cast.peer.pk}") == sorted([qbr, career])
    assert found("search=lifecycle") == [omars]
    # Owned under Dana: her one-to-one, Priya's QBR, Sam's check-in; not Carla's, not Omar's.
    assert found(f"under={cast.leader.pk}") == sorted([qbr, one, goal_review])
    in_ten_days = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert found(f"due_after={in_ten_days}") == [omars]
    assert omars not in found(f"due_before={in_ten_days}")
    assert len(found(f"due_before={in_ten_days}")) == 4


def test_completed_reviews_by_status(hr, stakes):
    hr.post(f"/api/v1/reviews/{stakes.one_to_one.pk}/complete/", {"outcome": "Good talk"})
    assert ids(hr.get("/api/v1/reviews/?status=done")) == [stakes.one_to_one.pk]
    assert ids(hr.get("/api/v1/reviews/?search=good talk")) == [stakes.one_to_one.pk]


def test_decisions_by_each_filter(hr, cast, stakes, elsewhere):
    def found(query):
        return sorted(ids(hr.get(f"/api/v1/decisions/?{query}")))

    france, private, sunset = (
        stakes.decision.pk,
        stakes.private_decision.pk,
        elsewhere["decision"].pk,
    )
    assert found(f"product={stakes.product.pk}") == [france]
    assert found(f"goal={stakes.world.private.pk}") == [private]
    assert found(f"decided_by={cast.peer.pk}") == [sunset]
    assert found("search=partner bank") == [france]  # the rationale
    assert found("search=integrations") == [sunset]  # the context
    assert found("search=sunset") == [sunset]  # title and decision
    assert found("search=wait") == [private]  # the decision
    assert found("decided_after=2026-10-06") == sorted([private, sunset])
    assert found("decided_before=2026-10-06") == sorted([france, private])
    assert found("decided_after=2026-10-06&decided_before=2026-10-31") == [private]


def test_decisions_newest_first(hr, stakes, elsewhere):
    assert [row["decided_on"] for row in results(hr.get("/api/v1/decisions/"))] == [
        "2026-11-20",
        "2026-10-06",
        "2026-10-05",
    ]


def test_notifications_by_channel_unread_and_kind(client_for, cast, stakes):
    priya = client_for(cast.report_user)
    first, overdue, email = stakes.priyas
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    notify(cast.report, "review_escalation")

    def found(query):
        return sorted(ids(priya.get(f"/api/v1/notifications/?{query}")))

    assert found("channel=email") == [email.pk]
    assert first.pk not in found("unread=true") and overdue.pk in found("unread=true")
    assert found("unread=false") == [first.pk]
    assert found("kind=review_overdue") == [overdue.pk]
    assert found("kind=review_due&channel=in_app") == [first.pk]


def test_an_alignment_without_a_touchpoint_is_never_overdue(hr, stakes):
    Alignment.objects.filter(pk=stakes.omar_on_checkout.pk).update(next_touchpoint_due=None)
    assert stakes.omar_on_checkout.pk not in ids(hr.get("/api/v1/alignments/?overdue=true"))
    assert stakes.omar_on_checkout.pk in ids(hr.get("/api/v1/alignments/?overdue=false"))
