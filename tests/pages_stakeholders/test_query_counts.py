"""The stakeholder map and the reviews list run the same number of queries for 50 rows
as for 5,000: filtered and grouped by the database, relations joined or prefetched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from roadmaps.models import Product
from stakeholders.models import Alignment, Review, Stakeholder

from .conftest import HX

REQUEST_START = 3  # session row, user row, SAVEPOINT (ATOMIC_REQUESTS)
REQUEST_END = 1  # RELEASE SAVEPOINT
VIEWER = (
    1  # HR admin group membership
    + 1  # the viewer's Person (user.person; reused by the context processor)
    + 1  # the ids of the viewer and everyone under them (reporting-line closure)
)
BELL = 1  # the header bell: COUNT of unread notifications


@pytest.fixture(params=[50, 5000], ids=["50-rows", "5000-rows"])
def many(request, cast):
    """``size`` stakeholders, each aligned on one of ten products owned by ``report`` (in
    ``leader``'s subtree), spread over every influence, interest and status; and
    ``size`` reviews owned by ``report``, a tenth overdue, each with a participant."""
    size = request.param
    products = Product.objects.bulk_create(
        Product(
            name=f"Product {n}",
            slug=f"product-{n}",
            business_unit=cast.report.business_unit,
            owner=cast.report,
        )
        for n in range(10)
    )
    functions = Stakeholder.Function.values
    statuses = Alignment.Status.values
    stakeholders = Stakeholder.objects.bulk_create(
        Stakeholder(
            name=f"Contact {n:05d}",
            function=functions[n % len(functions)],
            influence=1 + n % 5,
            interest=1 + (n // 5) % 5,
        )
        for n in range(size)
    )
    today = timezone.localdate()
    Alignment.objects.bulk_create(
        Alignment(
            stakeholder=sh,
            product=products[n % 10],
            status=statuses[n % len(statuses)],
            next_touchpoint_due=today + dt.timedelta(days=n % 30 - 10),
        )
        for n, sh in enumerate(stakeholders)
    )
    now = timezone.now()
    reviews = Review.objects.bulk_create(
        Review(
            kind=Review.Kind.STAKEHOLDER_SYNC,
            title=f"Sync {n:05d}",
            owner=cast.report,
            product=products[n % 10],
            anchor_at=now + dt.timedelta(hours=n - size // 10 + 1),
            due_at=now + dt.timedelta(hours=n - size // 10 + 1),
            recurrence="weekly",
            status=Review.Status.OVERDUE if n < size // 10 else Review.Status.SCHEDULED,
            missed=n < size // 10,
        )
        for n in range(size)
    )
    Review.participants.through.objects.bulk_create(
        Review.participants.through(review_id=r.pk, person_id=cast.subreport.pk) for r in reviews
    )
    return size


def test_stakeholder_map(client, cast, many, django_assert_num_queries):
    client.force_login(cast.leader_user)
    with django_assert_num_queries(
        REQUEST_START
        + VIEWER
        + 1  # the filter's leader (the FilterSet checks that the person of ?under= exists)
        + 1  # the grid: one row per stakeholder, grouped by the database
        + 1  # the list: COUNT for the paginator
        + 1  # the list: one page of alignments, stakeholder, person, product and goal joined
        + BELL
        + REQUEST_END
    ):
        response = client.get("/stakeholders/map/?overdue=true&function=partner")
    assert response.status_code == 200
    assert "Contact" in response.content.decode()


def test_stakeholder_map_htmx_results(client, cast, many, django_assert_num_queries):
    client.force_login(cast.leader_user)
    with django_assert_num_queries(
        REQUEST_START
        + VIEWER
        + 1  # the filter's leader
        + 1  # the grid
        + 1  # COUNT for the paginator
        + 1  # one page of alignments
        + REQUEST_END
    ):
        response = client.get("/stakeholders/map/?status=blocking", **HX)
    assert response.status_code == 200


def test_reviews_list(client, cast, many, django_assert_num_queries):
    client.force_login(cast.report_user)
    with django_assert_num_queries(
        REQUEST_START
        + VIEWER
        + 1  # upcoming: COUNT for the paginator
        + 1  # upcoming: one page of reviews, owner, subject and completer joined
        + 1  # upcoming: their participants
        + 1  # overdue: COUNT
        + 1  # overdue: the oldest 25
        + 1  # overdue: their participants
        + BELL
        + REQUEST_END
    ):
        response = client.get("/reviews/")
    assert response.status_code == 200
    assert response.content.decode().count('<li class="rrow') == min(many // 10, 25) + 25


def test_team_reviews_list(client, cast, many, django_assert_num_queries):
    client.force_login(cast.leader_user)
    with django_assert_num_queries(
        REQUEST_START + VIEWER + 6 + BELL + REQUEST_END  # as above, owners under the leader
    ):
        response = client.get("/reviews/?scope=team")
    assert response.status_code == 200
    assert "Sync 00000" in response.content.decode()


def test_misses(client, cast, many, django_assert_num_queries):
    client.force_login(cast.leader_user)
    with django_assert_num_queries(
        REQUEST_START
        + VIEWER
        + 1  # COUNT for the paginator
        + 1  # one page of overdue reviews with their misses in a row (subqueries)
        + 1  # their participants (prefetched by review_list)
        + BELL
        + REQUEST_END
    ):
        response = client.get("/misses/")
    assert response.status_code == 200


def test_calendar(client, cast, many, django_assert_num_queries):
    client.force_login(cast.report_user)
    with django_assert_num_queries(
        REQUEST_START
        + VIEWER
        + 1  # the month's reviews (no participants needed)
        + BELL
        + REQUEST_END
    ):
        response = client.get("/reviews/calendar/")
    assert response.status_code == 200
