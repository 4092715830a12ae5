"""Fixtures of the stakeholders API tests.

The goals world of tests/api_roadmaps (Priya owns the product Checkout and the public
team goal; Sam, who reports to her, owns the product Wallet and a private goal) meets
its stakeholders:

- Omar (the peer, in another branch) is a stakeholder of Checkout: only he confirms it;
- Mia Chen of Acme Bank, an external contact, is aligned on the public team goal and on
  Sam's private goal; a decision and a check-in review hang off the private goal too,
  so Omar and a login without a person must never see those three;
- Priya's business review of Checkout has Omar as a participant (he reads it);
- Dana's one-to-one with Priya is private: Priya, Dana, Carla above them and HR see it,
  Sam (below Priya) and Omar do not;
- Carla's career review about Sam, with Omar as his mentor taking part, is seen by Sam,
  his chain, Omar and HR;
- Priya has three notifications, Omar one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from roadmaps.models import Product
from stakeholders.models import Alignment, Decision, Notification, Review, Stakeholder
from stakeholders.services import (
    alignment_save,
    decision_record,
    review_create,
    stakeholder_save,
)
from tests.api.conftest import assert_error, client_for, fast_password_hashing
from tests.api_roadmaps.conftest import World, ids, results, user_of, world
from tests.roadmaps.conftest import cascade, make_goal, next_quarter, quarter

__all__ = [
    "assert_error",
    "cascade",
    "client_for",
    "fast_password_hashing",
    "ids",
    "make_goal",
    "next_quarter",
    "quarter",
    "results",
    "user_of",
    "world",
]

STAKEHOLDER_RESOURCES = ["stakeholders", "alignments", "reviews", "decisions", "notifications"]

PRIVATE_DECISION = "Pause the search move until Q1"
ONE_TO_ONE = "Dana / Priya 1:1"


def soon(hours: int = 48) -> datetime:
    return timezone.now() + timedelta(hours=hours)


def notify(person, kind: str, *, channel: str = Notification.Channel.IN_APP, **fields):
    return Notification.objects.create(
        recipient=person,
        kind=kind,
        subject=fields.pop("subject", f"{kind} for {person.full_name}"),
        channel=channel,
        dedupe_key=f"test:{person.pk}:{kind}:{channel}:{Notification.objects.count()}",
        **fields,
    )


@dataclass
class Stakes:
    world: World
    product: Product
    omar: Stakeholder
    mia: Stakeholder
    omar_on_checkout: Alignment
    mia_on_team_goal: Alignment
    mia_on_private_goal: Alignment
    decision: Decision
    private_decision: Decision
    business_review: Review
    one_to_one: Review
    career_review: Review
    private_goal_review: Review
    priyas: list[Notification]
    omars: Notification


@pytest.fixture
def stakes(cast, world) -> Stakes:
    omar = stakeholder_save(person=cast.peer, function="executive", influence=4, interest=2)
    mia = stakeholder_save(
        name="Mia Chen",
        organisation="Acme Bank",
        email="mia@acme.example",
        function="customer",
        influence=2,
        interest=5,
    )
    team_goal = world.goals["team"]
    decision = decision_record(
        title="Launch in France first",
        context="Two markets are ready.",
        options=["France", "Spain"],
        decision="France",
        rationale="Partner bank ready.",
        decided_by=cast.report,
        decided_on=date(2026, 10, 5),
        product=world.product,
        consulted=[omar],
    )
    private_decision = decision_record(
        title=PRIVATE_DECISION,
        decision="Wait",
        decided_by=cast.subreport,
        decided_on=date(2026, 10, 6),
        goal=world.private,
    )
    business_review = review_create(
        kind=Review.Kind.BUSINESS_REVIEW,
        title="Checkout QBR",
        owner=cast.report,
        participants=[cast.peer],
        due_at=soon(),
        recurrence="weekly",
        time_zone="Europe/Berlin",
        product=world.product,
    )
    one_to_one = review_create(
        kind=Review.Kind.ONE_TO_ONE,
        title=ONE_TO_ONE,
        owner=cast.leader,
        due_at=soon(),
        person=cast.report,
    )
    career_review = review_create(
        kind=Review.Kind.CAREER_REVIEW,
        title="Sam's career review",
        owner=cast.top,
        participants=[cast.peer],
        due_at=soon(72),
        person=cast.subreport,
    )
    private_goal_review = review_create(
        kind=Review.Kind.GOAL_CHECK_IN,
        title="Check in: the search move",
        owner=cast.subreport,
        due_at=soon(24),
        goal=world.private,
    )
    priyas = [
        notify(cast.report, "review_due", subject="Due: Checkout QBR"),
        notify(cast.report, "review_overdue", subject="Overdue: Checkout QBR"),
        notify(cast.report, "review_due", channel=Notification.Channel.EMAIL),
    ]
    return Stakes(
        world=world,
        product=world.product,
        omar=omar,
        mia=mia,
        omar_on_checkout=alignment_save(
            stakeholder=omar, product=world.product, status="supportive", cadence="monthly"
        ),
        mia_on_team_goal=alignment_save(
            stakeholder=mia, goal=team_goal, status="concerned", cadence="weekly"
        ),
        mia_on_private_goal=alignment_save(
            stakeholder=mia, goal=world.private, status="blocking", note="Wants the search move"
        ),
        decision=decision,
        private_decision=private_decision,
        business_review=business_review,
        one_to_one=one_to_one,
        career_review=career_review,
        private_goal_review=private_goal_review,
        priyas=priyas,
        omars=notify(cast.peer, "weekly_digest", subject="Your weekly digest"),
    )


__all__ += [
    "ONE_TO_ONE",
    "PRIVATE_DECISION",
    "STAKEHOLDER_RESOURCES",
    "Stakes",
    "notify",
    "soon",
]
