"""Every list of the stakeholders API answers with the same number of queries for 50 rows
or 5,000 (stakeholders, alignments, reviews, decisions and the caller's notifications).

Every row is built with each relation it shows filled in (person, product, goal, owner,
participants, who completed it, who decided, consulted stakeholders, metrics), so a
missing ``select_related`` or prefetch would show up as one query per row of the page.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from roadmaps.models import Goal, Metric, Product
from roles.models import Person
from stakeholders.models import Alignment, Decision, Notification, Review, Stakeholder
from tests.conftest import build_org

SIZES = [50, 5000]
KINDS = [
    Review.Kind.ONE_TO_ONE,
    Review.Kind.GOAL_CHECK_IN,
    Review.Kind.ROADMAP_REVIEW,
    Review.Kind.STAKEHOLDER_SYNC,
]


def _portfolio(*, rows: int, period, viewer: Person) -> None:
    """``rows`` stakeholders, alignments, reviews, decisions and notifications for the
    viewer, on products and goals (a fifth private) of a generated organisation; one
    review in four is the viewer's one-to-one with someone. Everything is bulk-created."""
    root = build_org(size=max(20, rows // 50))
    people = list(Person.objects.filter(business_unit=root.business_unit).order_by("pk"))
    unit, team, now = root.business_unit, root.team, timezone.now()
    subjects = max(5, rows // 10)
    products = Product.objects.bulk_create(
        Product(
            name=f"Product {i}",
            slug=f"product-{rows}-{i}",
            business_unit=unit,
            team=team,
            owner=people[i % len(people)],
            stage_changed_at=now,
        )
        for i in range(subjects)
    )
    goals = Goal.objects.bulk_create(
        Goal(
            title=f"Goal {i}",
            level=Goal.Level.TEAM,
            owner=people[i % len(people)],
            period=period,
            visibility=Goal.Visibility.PRIVATE if i % 5 == 0 else Goal.Visibility.PUBLIC,
        )
        for i in range(subjects)
    )
    metrics = Metric.objects.bulk_create(
        Metric(key=f"metric-{rows}-{i}", name=f"Metric {i}") for i in range(10)
    )
    stakeholders = Stakeholder.objects.bulk_create(
        Stakeholder(
            person=people[i] if i < len(people) else None,
            name="" if i < len(people) else f"Contact {i}",
            organisation="" if i < len(people) else "Acme",
            function=Stakeholder.Function.values[i % 10],
            influence=1 + i % 5,
            interest=1 + (i // 5) % 5,
        )
        for i in range(rows)
    )
    Alignment.objects.bulk_create(
        Alignment(
            stakeholder=stakeholder,
            product=products[i % subjects] if i % 2 else None,
            goal=None if i % 2 else goals[i % subjects],
            status=Alignment.Status.values[i % 5],
            next_touchpoint_due=timezone.localdate() + timedelta(days=i % 90 - 45),
        )
        for i, stakeholder in enumerate(stakeholders)
    )
    reviews = Review.objects.bulk_create(
        Review(
            kind=KINDS[i % 4],
            title=f"Review {i}",
            owner=viewer if i % 4 == 0 else people[i % len(people)],
            person=people[i % len(people)] if i % 4 == 0 else None,
            goal=goals[i % subjects] if i % 4 == 1 else None,
            product=products[i % subjects] if i % 4 == 2 else None,
            anchor_at=now,
            due_at=now + timedelta(hours=i),
            status=Review.Status.DONE if i % 3 == 0 else Review.Status.SCHEDULED,
            completed_by=viewer.user if i % 3 == 0 else None,
        )
        for i in range(rows)
    )
    Review.participants.through.objects.bulk_create(
        Review.participants.through(review=review, person=people[(i + k) % len(people)])
        for i, review in enumerate(reviews)
        for k in (1, 2)
    )
    decisions = Decision.objects.bulk_create(
        Decision(
            title=f"Decision {i}",
            decision="Yes",
            decided_on=date(2026, 10, 1) + timedelta(days=i % 60),
            decided_by=people[i % len(people)],
            product=products[i % subjects] if i % 2 else None,
            goal=None if i % 2 else goals[i % subjects],
        )
        for i in range(rows)
    )
    Decision.consulted.through.objects.bulk_create(
        Decision.consulted.through(decision=decision, stakeholder=stakeholders[(i + k) % rows])
        for i, decision in enumerate(decisions)
        for k in (0, 1)
    )
    Decision.metrics.through.objects.bulk_create(
        Decision.metrics.through(decision=decision, metric=metrics[i % 10])
        for i, decision in enumerate(decisions)
    )
    Notification.objects.bulk_create(
        Notification(
            recipient=viewer if i % 2 else people[i % len(people)],
            kind="review_due",
            subject=f"Due: Review {i}",
            channel=Notification.Channel.values[i % 3],
            dedupe_key=f"load:{rows}:{i}",
            read_at=now if i % 4 == 1 else None,
        )
        for i in range(2 * rows)
    )


@pytest.fixture(params=SIZES, ids=lambda size: f"{size}-rows")
def portfolio(request, cast, quarter) -> int:
    _portfolio(rows=request.param, period=quarter, viewer=cast.report)
    return request.param


# Every request of a signed-in member starts and ends the same way:
#   SAVEPOINT … RELEASE of ATOMIC_REQUESTS (2), the session row (1), the user (1).
BASE = 4
# Then, once per request, what visibility and edit rights need (cached on the user):
#   1. HR admin group membership   2. user.person   3. the viewer's subtree (reporting-line closure)
VIEWER = 3


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        # VIEWER, 1. whether the viewer's subtree owns a product (may they keep stakeholders:
        # `can_edit`, once), 2. COUNT(*)   3. the page with the person joined.
        ("/api/v1/stakeholders/", VIEWER + 3),
        # VIEWER, 1. COUNT(*)   2. the page with stakeholder, person, product and goal joined;
        # the private-goal rule is a WHERE clause of both.
        ("/api/v1/alignments/", VIEWER + 2),
        # VIEWER, 1. COUNT(*)   2. the page with owner, person, goal, product and who completed
        # it (user and person) joined; goal and private-review rules in the WHERE clause
        # 3. the participants of the whole page at once (prefetch).
        ("/api/v1/reviews/", VIEWER + 3),
        # VIEWER, 1. COUNT(*)   2. the page with who decided, product and goal joined
        # 3. the consulted stakeholders and 4. the metrics of the whole page (prefetches).
        ("/api/v1/decisions/", VIEWER + 4),
        # 1. user.person (the recipient)   2. COUNT(*)   3. the page.
        ("/api/v1/notifications/", 3),
    ],
)
def test_a_list_page(client_for, cast, portfolio, url, extra, django_assert_num_queries):
    client = client_for(cast.report_user)
    with django_assert_num_queries(BASE + extra):
        response = client.get(url + "?page_size=500")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == min(500, body["count"])
    assert body["count"] >= portfolio // 2


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        # 1. HR admin group membership (HR sees everything: no subtree), 2. COUNT(*)
        # 3. the page, 4. the participants of the page.
        ("/api/v1/reviews/", 4),
        # 1. HR admin group membership, 2. COUNT(*), 3. the page, 4. consulted, 5. metrics.
        ("/api/v1/decisions/", 5),
    ],
)
def test_hr_sees_every_row_in_as_many_queries(
    client_for, cast, portfolio, url, extra, django_assert_num_queries
):
    client = client_for(cast.hr_user)
    with django_assert_num_queries(BASE + extra):
        response = client.get(url + "?page_size=500")
    assert response.json()["count"] == portfolio  # private ones included


def test_filtered_lists(client_for, cast, portfolio, django_assert_num_queries):
    client = client_for(cast.report_user)
    root = Person.objects.get(full_name=f"Root {max(20, portfolio // 50)}")
    # BASE, VIEWER, 1. the `under` person exists (filter validation), 2. COUNT(*) with the
    # subtree as a recursive subquery   3. the page.
    url = f"/api/v1/alignments/?under={root.pk}&overdue=true&status=blocking&page_size=500"
    with django_assert_num_queries(BASE + VIEWER + 3):
        response = client.get(url)
    assert response.json()["count"] > 0
    # BASE, VIEWER, 1. the owner exists, 2. COUNT(*)   3. the page   4. participants.
    url = f"/api/v1/reviews/?owner={cast.report.pk}&kind=one_to_one&search=review"
    with django_assert_num_queries(BASE + VIEWER + 4):
        response = client.get(url + "&page_size=500")
    assert response.json()["count"] == len(range(0, portfolio, 4))


def test_one_of_each(client_for, cast, portfolio, django_assert_num_queries):
    client = client_for(cast.report_user)
    review = Review.objects.filter(owner=cast.report).first()
    # BASE, VIEWER, 1. the review with its joins   2. its participants.
    with django_assert_num_queries(BASE + VIEWER + 2):
        assert client.get(f"/api/v1/reviews/{review.pk}/").status_code == 200
    alignment = Alignment.objects.filter(product__isnull=False).first()
    # BASE, VIEWER, 1. the alignment with its joins.
    with django_assert_num_queries(BASE + VIEWER + 1):
        assert client.get(f"/api/v1/alignments/{alignment.pk}/").status_code == 200
