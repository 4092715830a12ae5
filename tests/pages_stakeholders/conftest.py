"""Stakeholders, reviews, a decision and notifications around the permission cast.

``report`` owns the Checkout product; ``leader`` is a stakeholder on it (aligned with a
login, so they confirm their own stand), ``peer`` is a stakeholder too, and an external
contact from a partner is concerned. ``report`` owns a weekly stakeholder sync with
``subreport`` taking part, overdue since yesterday, and a private one-to-one about
``subreport``; ``peer`` sits outside that chain and sees neither the one-to-one nor
``report``'s notifications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from roadmaps.models import Product
from roadmaps.services import product_create
from stakeholders.models import Alignment, Decision, Notification, Review, Stakeholder
from stakeholders.services import alignment_save, review_create, stakeholder_save

HX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class World:
    product: Product
    leader_sh: Stakeholder
    peer_sh: Stakeholder
    partner_sh: Stakeholder
    leader_on_product: Alignment
    peer_on_product: Alignment
    partner_on_product: Alignment
    sync: Review
    one_to_one: Review
    decision: Decision
    note: Notification


@pytest.fixture
def world(cast) -> World:
    now = timezone.now()
    product = product_create(
        name="Checkout",
        slug="checkout",
        business_unit=cast.report.business_unit,
        team=cast.report.team,
        owner=cast.report,
        stage="launch",
    )
    leader_sh = stakeholder_save(person=cast.leader, function="executive", influence=5, interest=4)
    peer_sh = stakeholder_save(person=cast.peer, function="engineering", influence=2, interest=4)
    partner_sh = stakeholder_save(
        name="Ana Ruiz",
        organisation="Acme; Partners, Inc.",
        function="partner",
        influence=4,
        interest=2,
    )
    leader_on = alignment_save(stakeholder=leader_sh, product=product, status="aligned")
    peer_on = alignment_save(stakeholder=peer_sh, product=product, status="neutral")
    partner_on = alignment_save(
        stakeholder=partner_sh,
        product=product,
        status="concerned",
        next_touchpoint_due=timezone.localdate() - dt.timedelta(days=3),
    )
    sync = review_create(
        kind=Review.Kind.STAKEHOLDER_SYNC,
        title="Checkout stakeholder sync",
        owner=cast.report,
        due_at=now - dt.timedelta(days=1),
        recurrence="weekly",
        participants=[cast.subreport],
        product=product,
    )
    Review.objects.filter(pk=sync.pk).update(status=Review.Status.OVERDUE, missed=True)
    sync.refresh_from_db()
    one_to_one = review_create(
        kind=Review.Kind.ONE_TO_ONE,
        title="Priya and Sam, career chat",
        owner=cast.report,
        due_at=now + dt.timedelta(days=2),
        person=cast.subreport,
    )
    decision = Decision.objects.create(
        title="Drop the legacy card form",
        context="Two checkout forms double the support load.",
        options=["Keep both", "Drop the legacy form", "Migrate merchants over a quarter"],
        decision="Drop the legacy form at the end of the quarter.",
        rationale="Nine in ten merchants already use the new one.",
        decided_by=cast.report,
        decided_on=timezone.localdate(),
        product=product,
    )
    decision.consulted.set([leader_sh, partner_sh])
    note = Notification.objects.create(
        recipient=cast.report,
        kind="review_overdue",
        subject="Checkout stakeholder sync is overdue",
        url=f"/reviews/{sync.pk}/",
        channel=Notification.Channel.IN_APP,
        dedupe_key="test:overdue:1",
        status=Notification.Status.SENT,
    )
    return World(
        product,
        leader_sh,
        peer_sh,
        partner_sh,
        leader_on,
        peer_on,
        partner_on,
        sync,
        one_to_one,
        decision,
        note,
    )
