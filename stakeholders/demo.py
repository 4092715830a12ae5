"""Demo stakeholders, alignment, reviews and decisions (after the organisation and goals).

Deterministic (a fixed seed): stakeholders across every function, inside the
organisation and outside it, on every quadrant of the grid; alignments in every status,
some with touchpoints overdue; reviews of every kind on every cadence, some overdue,
some missed twice in a row (so escalation and the Misses page have something to show);
decisions in the log. Written in bulk: ``--size large`` reaches DESIGN.md's 5,000
stakeholders and 20,000 reviews.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from roadmaps.models import CADENCE_DAYS, Cadence, Goal, Product
from roles.demo import demo_cast
from roles.models import Person

from .models import Alignment, Decision, Review, Stakeholder

SEED = 20261125

SIZES = {
    "small": {"stakeholders": 60, "reviews": 120, "decisions": 18},
    "large": {"stakeholders": 5000, "reviews": 20000, "decisions": 1500},
}

EXTERNALS = [
    ("Helena Ortiz", "Northwind Retail", "customer"),
    ("Marcus Lindqvist", "Fjord Logistics", "customer"),
    ("Aiko Tanaka", "Sakura Payments", "partner"),
    ("Dev Patel", "Brightline Capital", "executive"),
    ("Grace Okafor", "Lagos Commerce Group", "customer"),
    ("Tomás Herrera", "Andes Cloud", "partner"),
    ("Ingrid Bauer", "Alpenbank", "customer"),
    ("Samir Haddad", "Cedar Analytics", "partner"),
]
FUNCTION_BY_FAMILY = {"engineering": "engineering", "design": "design", "data": "data"}
OTHER_FUNCTIONS = ["marketing", "sales", "support", "finance", "executive"]
STATUS_WEIGHTS = [
    ("aligned", 30),
    ("supportive", 25),
    ("neutral", 20),
    ("concerned", 15),
    ("blocking", 10),
]
KIND_CADENCE = [
    (Review.Kind.ONE_TO_ONE, Cadence.WEEKLY),
    (Review.Kind.STAKEHOLDER_SYNC, Cadence.BIWEEKLY),
    (Review.Kind.ROADMAP_REVIEW, Cadence.MONTHLY),
    (Review.Kind.BUSINESS_REVIEW, Cadence.QUARTERLY),
    (Review.Kind.CAREER_REVIEW, Cadence.QUARTERLY),
    (Review.Kind.GOAL_CHECK_IN, Cadence.WEEKLY),
]
DECISIONS = [
    (
        "Sunset the legacy invoicing API",
        ["Keep both APIs", "Sunset in two quarters", "Sunset now"],
        "Sunset in two quarters with a migration guide.",
    ),
    (
        "Price the analytics add-on per seat",
        ["Per seat", "Per workspace", "Usage based"],
        "Per seat, with a workspace minimum.",
    ),
    (
        "Build the mobile checkout in-house",
        ["Build", "Buy a SDK", "Partner"],
        "Build: checkout is core to our conversion.",
    ),
    (
        "Move onboarding emails to the product team",
        ["Marketing keeps them", "Product owns them"],
        "Product owns them; marketing reviews copy.",
    ),
    (
        "Delay the EU launch by one quarter",
        ["Launch on time", "Delay a quarter"],
        "Delay: data residency is not ready.",
    ),
    (
        "Adopt a single design system",
        ["Per-team kits", "One system"],
        "One system, owned by the design platform team.",
    ),
]


@dataclass
class StakeholdersDemoSummary:
    stakeholders: int
    alignments: int
    reviews: int
    decisions: int


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


@transaction.atomic
def demo_stakeholders_create(*, size: str = "small", now=None) -> StakeholdersDemoSummary:
    """Write the demo's stakeholders, alignments, reviews and decisions."""
    rng = random.Random(SEED)
    now = now or timezone.now()
    counts = SIZES[size]
    people = list(
        Person.objects.filter(is_active=True).select_related("role", "manager").order_by("id")
    )
    if not people:
        return StakeholdersDemoSummary(0, 0, 0, 0)
    cast = demo_cast() or {}
    products = list(Product.objects.exclude(owner=None).order_by("id"))
    goals = list(
        Goal.objects.filter(visibility=Goal.Visibility.PUBLIC).exclude(owner=None).order_by("id")
    )

    # Stakeholders: people outside product management first, then external contacts.
    non_product = [p for p in people if p.role is None or p.role.family != "product"]
    rng.shuffle(non_product)
    stakeholders = []
    for person in non_product[: max(counts["stakeholders"] - len(EXTERNALS), 0)]:
        family = person.role.family if person.role else "other"
        function = FUNCTION_BY_FAMILY.get(family) or rng.choice(OTHER_FUNCTIONS)
        stakeholders.append(
            Stakeholder(
                person=person,
                function=function,
                influence=rng.randint(1, 5),
                interest=rng.randint(1, 5),
            )
        )
    for name, organisation, function in EXTERNALS:
        local = name.lower().replace(" ", ".").replace("á", "a")
        stakeholders.append(
            Stakeholder(
                name=name,
                organisation=organisation,
                email=f"{local}@example.com",
                function=function,
                influence=rng.randint(3, 5),
                interest=rng.randint(2, 5),
            )
        )
    stakeholders = Stakeholder.objects.bulk_create(stakeholders, batch_size=1000)

    # Alignments: every stakeholder on one or two products or goals, every status present.
    alignments = []
    seen = set()
    subjects = [("product", p) for p in products] + [
        ("goal", g) for g in goals[: max(len(products), 20)]
    ]
    for index, stakeholder in enumerate(stakeholders):
        for _ in range(rng.choice((1, 1, 2))):
            if not subjects:
                break
            kind, subject = rng.choice(subjects)
            if (stakeholder.pk, kind, subject.pk) in seen:
                continue
            seen.add((stakeholder.pk, kind, subject.pk))
            status = (
                STATUS_WEIGHTS[index % len(STATUS_WEIGHTS)][0]
                if index < 10
                else _weighted(rng, STATUS_WEIGHTS)
            )
            cadence = rng.choice([Cadence.BIWEEKLY, Cadence.MONTHLY, Cadence.QUARTERLY])
            confirmed = now - timedelta(days=rng.randint(1, 120))
            alignments.append(
                Alignment(
                    stakeholder=stakeholder,
                    product=subject if kind == "product" else None,
                    goal=subject if kind == "goal" else None,
                    status=status,
                    cadence=cadence,
                    last_confirmed_at=confirmed,
                    next_touchpoint_due=(confirmed + timedelta(days=CADENCE_DAYS[cadence])).date(),
                    note="Raised concerns about the migration timeline."
                    if status in ("concerned", "blocking")
                    else "",
                )
            )
    Alignment.objects.bulk_create(alignments, batch_size=1000)

    # Reviews: series of every kind and cadence; the first occurrences spread around today.
    managers = [p for p in people if p.manager_id] or people
    reviews = []
    for index in range(counts["reviews"]):
        kind, cadence = KIND_CADENCE[index % len(KIND_CADENCE)]
        owner = managers[rng.randrange(len(managers))]
        due = (now + timedelta(days=rng.randint(-10, 30), hours=rng.randint(0, 8))).replace(
            minute=0, second=0, microsecond=0
        )
        review = Review(
            kind=kind,
            owner=owner,
            anchor_at=due,
            due_at=due,
            recurrence=cadence,
            time_zone=settings.TIME_ZONE,
            status=Review.Status.OVERDUE if due < now else Review.Status.SCHEDULED,
            missed=due < now,
        )
        if kind in (Review.Kind.ONE_TO_ONE, Review.Kind.CAREER_REVIEW):
            # ``owner`` was drawn among people with a manager: the review is about them.
            report = owner
            review.person = report
            review.owner = report.manager or report
            review.title = f"{'1:1' if kind == Review.Kind.ONE_TO_ONE else 'Career review'}: {report.full_name}"
        elif kind == Review.Kind.GOAL_CHECK_IN and goals:
            goal = goals[index % len(goals)]
            review.goal, review.owner = goal, goal.owner
            review.title = f"Check in: {goal.title}"[:300]
        elif products:
            product = products[index % len(products)]
            review.product = product
            review.owner = product.owner
            review.title = f"{review.get_kind_display()}: {product.name}"[:300]
        else:
            review.title = f"{review.get_kind_display()} ({owner.full_name})"
        reviews.append(review)
    # The demo logins each get a review that is overdue, and the PM a series missed twice.
    for key, kind in (
        ("pm", Review.Kind.STAKEHOLDER_SYNC),
        ("head", Review.Kind.ROADMAP_REVIEW),
        ("director", Review.Kind.BUSINESS_REVIEW),
    ):
        person = cast.get(key)
        if person is None:
            continue
        due = (now - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        reviews.append(
            Review(
                kind=kind,
                title=f"{dict(Review.Kind.choices)[kind]} with stakeholders"[:300],
                owner=person,
                anchor_at=due - timedelta(days=14),
                due_at=due,
                occurrence=2 if key == "pm" else 1,
                recurrence=Cadence.WEEKLY if key == "pm" else Cadence.MONTHLY,
                time_zone=settings.TIME_ZONE,
                status=Review.Status.OVERDUE,
                missed=True,
            )
        )
    created = Review.objects.bulk_create(reviews, batch_size=1000)
    participants = Review.participants.through
    participants.objects.bulk_create(
        [participants(review_id=r.pk, person_id=r.person_id) for r in created if r.person_id],
        batch_size=2000,
    )
    pm_review = created[-3] if cast.get("pm") else None
    if pm_review is not None:
        # Its first occurrence was missed too: the series' root, skipped a week earlier.
        first = Review.objects.create(
            kind=pm_review.kind,
            title=pm_review.title,
            owner=pm_review.owner,
            anchor_at=pm_review.anchor_at,
            due_at=pm_review.due_at - timedelta(days=7),
            recurrence=pm_review.recurrence,
            time_zone=pm_review.time_zone,
            status=Review.Status.SKIPPED,
            missed=True,
            outcome="Not held: the next occurrence came due.",
        )
        Review.objects.filter(pk=pm_review.pk).update(series=first, anchor_at=first.due_at)

    # Decisions.
    decisions = []
    for index in range(counts["decisions"]):
        title, options, decided = DECISIONS[index % len(DECISIONS)]
        product = products[index % len(products)] if products else None
        decisions.append(
            Decision(
                title=title
                if index < len(DECISIONS)
                else f"{title} ({product.name if product else index})",
                context=f"Raised in the {product.name if product else 'portfolio'} roadmap review.",
                options=options,
                decision=decided,
                rationale="Weighed customer impact, cost and risk with the consulted stakeholders.",
                decided_by=product.owner if product else None,
                decided_on=(now - timedelta(days=rng.randint(1, 200))).date(),
                product=product,
            )
        )
    decisions = Decision.objects.bulk_create(decisions, batch_size=1000)
    through = Decision.consulted.through
    links = []
    for decision in decisions:
        for stakeholder in rng.sample(stakeholders, k=min(3, len(stakeholders))):
            links.append(through(decision_id=decision.pk, stakeholder_id=stakeholder.pk))
    through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    return StakeholdersDemoSummary(
        len(stakeholders), len(alignments), len(created) + (1 if pm_review else 0), len(decisions)
    )


def demo_stakeholders_delete() -> None:
    """Remove the demo's stakeholders, reviews and decisions (for ``seed_demo --reset``)."""
    Review.objects.all().delete()
    Decision.objects.all().delete()
    Alignment.objects.all().delete()
    Stakeholder.objects.all().delete()
