"""A PM marks an overdue review done and its next occurrence appears.

In a real browser: "Mark done" opens the outcome form in place, the review is closed
through htmx (no page load) and the series' next occurrence takes its place. Desktop
and phone screenshots of the stakeholder map, reviews, calendar, misses, decision log
and notifications go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from roadmaps.services import product_create
from roles.models import BusinessUnit, Person, Role, Team
from stakeholders.models import Decision, Notification, Review
from stakeholders.services import alignment_save, review_create, stakeholder_save
from tests.factories import UserFactory

from .test_goals import no_sideways_scroll

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct-horse-battery"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@dataclass
class Story:
    priya: Person
    dana: Person
    overdue: Review


@pytest.fixture
def story(live_server) -> Story:
    """Payments: Dana directs, Priya (a Group PM) owns Checkout with Sam under her. Eight
    stakeholders stand on Checkout, one blocking; Priya has an overdue weekly roadmap
    review, a missed goal check-in, a one-to-one and a quarterly business review coming
    up; three decisions are logged; Priya has three notifications, two unread."""
    role = {r.name: r for r in Role.objects.all()}
    if not role:
        role = {
            name: Role.objects.create(name=name, track=track, level=level)
            for name, track, level in [
                ("Director of Product", Role.Track.MANAGEMENT, 70),
                ("Group Product Manager", Role.Track.MANAGEMENT, 60),
                ("Product Manager", Role.Track.INDIVIDUAL, 40),
            ]
        }
    unit = BusinessUnit.objects.create(name="Payments", slug="payments")
    team = Team.objects.create(name="Checkout", business_unit=unit)

    def person(name, rung, manager, title, login=False):
        user = (
            UserFactory(username=f"{name.split()[0].lower()}@example.com", password=PASSWORD)
            if login
            else None
        )
        return Person.objects.create(
            full_name=name,
            email=f"{name.split()[0].lower()}@example.com",
            role=role[rung],
            title=title,
            manager=manager,
            team=team,
            business_unit=unit,
            user=user,
        )

    dana = person("Dana Lee", "Director of Product", None, "Director of Product", login=True)
    priya = person("Priya Nair", "Group Product Manager", dana, "Group PM, Checkout", login=True)
    sam = person("Sam Okafor", "Product Manager", priya, "PM, Wallets")
    eng = person("Elena Petrova", "Product Manager", dana, "Engineering Manager")
    checkout = product_create(
        name="Checkout", slug="checkout", business_unit=unit, team=team, owner=priya, stage="growth"
    )
    wallets = product_create(
        name="Wallets", slug="wallets", business_unit=unit, team=team, owner=sam, stage="launch"
    )
    today = timezone.localdate()
    people = [
        (dict(person=dana), "executive", 5, 5, "aligned", checkout, 10),
        (dict(person=eng), "engineering", 4, 5, "concerned", checkout, -4),
        (dict(name="Marta Silva", organisation="Finance"), "finance", 5, 2, "neutral", checkout, 6),
        (
            dict(name="Jon Berg", organisation="Sales EMEA"),
            "sales",
            3,
            4,
            "supportive",
            checkout,
            2,
        ),
        (
            dict(name="Acme Payments", organisation="Acme"),
            "partner",
            4,
            3,
            "blocking",
            checkout,
            -9,
        ),
        (
            dict(name="Lea Roux", organisation="Support"),
            "support",
            2,
            4,
            "supportive",
            checkout,
            12,
        ),
        (dict(name="Kim Ode", organisation="Design"), "design", 2, 2, "aligned", wallets, 20),
        (dict(name="Ravi Shah", organisation="Data"), "data", 1, 3, "neutral", wallets, 5),
        (dict(person=priya), "marketing", 3, 3, "neutral", wallets, 1),
    ]
    for who, function, influence, interest, status, product, due_in in people:
        sh = stakeholder_save(function=function, influence=influence, interest=interest, **who)
        alignment_save(
            stakeholder=sh,
            product=product,
            status=status,
            next_touchpoint_due=today + dt.timedelta(days=due_in),
            last_confirmed_at=timezone.now() - dt.timedelta(days=20),
        )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    overdue = review_create(
        kind=Review.Kind.ROADMAP_REVIEW,
        title="Checkout roadmap review",
        owner=priya,
        due_at=now - dt.timedelta(days=2, hours=3),
        recurrence="weekly",
        participants=[sam, eng],
        product=checkout,
    )
    check_in = review_create(
        kind=Review.Kind.GOAL_CHECK_IN,
        title="Check in: Wallets activation",
        owner=sam,
        due_at=now - dt.timedelta(days=8),
        recurrence="weekly",
    )
    # Sam's weekly check-in: last week's was skipped unheld, this week's is overdue too.
    Review.objects.filter(pk=check_in.pk).update(status=Review.Status.SKIPPED, missed=True)
    Review.objects.filter(pk=overdue.pk).update(status=Review.Status.OVERDUE, missed=True)
    Review.objects.create(
        kind=Review.Kind.GOAL_CHECK_IN,
        title="Check in: Wallets activation",
        owner=sam,
        series=check_in,
        occurrence=2,
        anchor_at=check_in.anchor_at,
        due_at=now - dt.timedelta(days=1),
        recurrence="weekly",
        status=Review.Status.OVERDUE,
        missed=True,
    )
    review_create(
        kind=Review.Kind.ONE_TO_ONE,
        title="Priya / Sam one-to-one",
        owner=priya,
        due_at=now + dt.timedelta(days=1, hours=2),
        recurrence="biweekly",
        person=sam,
    )
    review_create(
        kind=Review.Kind.BUSINESS_REVIEW,
        title="Payments quarterly business review",
        owner=dana,
        due_at=now + dt.timedelta(days=9),
        participants=[priya],
    )
    review_create(
        kind=Review.Kind.STAKEHOLDER_SYNC,
        title="Sync with Acme on payouts",
        owner=priya,
        due_at=now + dt.timedelta(days=4),
        product=checkout,
    )
    for n, (title, decision) in enumerate(
        [
            ("Drop the legacy card form", "Retire the legacy card form at the end of the quarter."),
            (
                "Price wallets per transaction",
                "Charge 0.4% per wallet transaction, no monthly fee.",
            ),
            ("Support Apple Pay before Google Pay", "Ship Apple Pay first; Google Pay follows."),
        ]
    ):
        entry = Decision.objects.create(
            title=title,
            context="Two forms double the support load and split our analytics.",
            options=["Keep both", "Drop the legacy form", "Migrate over a quarter"],
            decision=decision,
            rationale="Nine in ten merchants already use the new form.",
            decided_by=priya if n != 1 else sam,
            decided_on=today - dt.timedelta(days=7 * n + 1),
            product=checkout if n != 1 else wallets,
        )
        entry.consulted.set(list(checkout.alignments.values_list("stakeholder", flat=True)[:3]))
    for n, (subject, read) in enumerate(
        [
            ("Checkout roadmap review is overdue", False),
            ("Payments quarterly business review is due in 9 days", False),
            ("Weekly digest: 2 misses in your organisation", True),
        ]
    ):
        Notification.objects.create(
            recipient=priya,
            kind="review_overdue",
            subject=subject,
            body="Open it to mark it done or move it.",
            url=f"/reviews/{overdue.pk}/",
            channel=Notification.Channel.IN_APP,
            dedupe_key=f"story:{n}",
            status=Notification.Status.SENT,
            read_at=timezone.now() if read else None,
        )
    return Story(priya, dana, overdue)


def sign_in(page: Page, base_url: str, who: str) -> None:
    page.goto(f"{base_url}/reviews/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/reviews/"))
    page.get_by_label("Username").fill(f"{who}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/reviews/")


PAGES = [
    ("stakeholder-map", "/stakeholders/map/"),
    ("reviews", "/reviews/"),
    ("reviews-calendar", "/reviews/calendar/"),
    ("decisions", "/decisions/"),
    ("notifications", "/notifications/"),
    ("calendar-feed", "/account/calendar/"),
]


def test_pm_marks_an_overdue_review_done_and_the_next_one_appears(
    page: Page, live_server, story, screenshot
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, "priya")
    expect(page.locator("#bell")).to_have_attribute("aria-label", "Notifications, 2 unread")

    overdue = page.locator(f"#review-{story.overdue.pk}")
    expect(overdue).to_contain_text("overdue")
    screenshot("reviews-desktop")
    loads = page.evaluate("performance.getEntriesByType('navigation').length")

    overdue.get_by_text("Mark done").click()
    overdue.get_by_label("Outcome").fill("Moved wallets to Next; agreed the Q3 themes.")
    screenshot("reviews-marking-done-desktop")
    overdue.get_by_role("button", name="Done", exact=True).click()

    closed = page.locator(f"#review-{story.overdue.pk}")
    expect(closed).to_contain_text("done")
    expect(closed).not_to_contain_text("Mark done")
    following = Review.objects.get(series=story.overdue)
    row = page.locator(f"#review-{following.pk}")
    expect(row).to_contain_text("Next occurrence")
    expect(row).to_contain_text("Checkout roadmap review")
    expect(row).to_contain_text(timezone.localtime(following.due_at).strftime("%a %-d %b"))
    expect(page.locator("#review-status")).to_contain_text("The next one is due")
    # htmx swapped the rows in: the page itself never reloaded.
    assert page.evaluate("performance.getEntriesByType('navigation').length") == loads
    screenshot("reviews-done-desktop")

    page.reload()
    expect(page.locator(f"#review-{following.pk}")).to_be_visible()
    expect(page.locator(f"#review-{story.overdue.pk}")).to_have_count(0)

    page.goto(f"{live_server.url}/reviews/{story.overdue.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout roadmap review")
    expect(page.locator("main")).to_contain_text("Moved wallets to Next")
    screenshot("review-desktop")

    # Notifications: one read in place, the bell follows.
    page.goto(f"{live_server.url}/notifications/")
    first = page.locator(".nrow--unread").first
    first.get_by_role("button", name=re.compile("Mark .* read")).click()
    expect(page.locator("#bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
    expect(page.locator(".nrow--unread")).to_have_count(1)

    # The map: Priya confirms her own stand inline.
    page.goto(f"{live_server.url}/stakeholders/map/")
    mine = page.locator(".arow", has=page.locator(".badge--you"))
    mine.get_by_label("Your stand").select_option("supportive")
    mine.get_by_role("button", name="Confirm").click()
    expect(page.locator(".arow--saved")).to_contain_text("Supportive")
    page.get_by_label("Stand", exact=True).select_option("blocking")
    expect(page.locator(".arow")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"status=blocking"))
    page.goto(f"{live_server.url}/stakeholders/map/")

    for name, path in PAGES:
        page.goto(f"{live_server.url}{path}")
        no_sideways_scroll(page)
        screenshot(f"{name}-desktop")
    page.set_viewport_size(PHONE)
    for name, path in PAGES:
        page.goto(f"{live_server.url}{path}")
        no_sideways_scroll(page)
        screenshot(f"{name}-phone")


def test_a_leader_sees_every_miss_in_their_organisation(page: Page, live_server, story, screenshot):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, "dana")
    page.goto(f"{live_server.url}/misses/")
    rows = page.locator(".mtable tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Check in: Wallets activation")
    expect(rows.first).to_contain_text("2")
    expect(rows.nth(1)).to_contain_text("Checkout roadmap review")
    no_sideways_scroll(page)
    screenshot("misses-desktop")
    page.goto(f"{live_server.url}/reviews/calendar/?scope=team")
    screenshot("reviews-calendar-team-desktop")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/misses/")
    no_sideways_scroll(page)
    screenshot("misses-phone")
