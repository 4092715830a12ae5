"""A PM checks in on a key result from My goals and sees the number move everywhere.

In a real browser: the check-in goes through htmx (no page load), a non-number is
refused next to the field, the goal page's "why this number?" and the alignment tree
show the new progress. Desktop and phone screenshots of every goal and product page go
to test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from roadmaps.models import Goal, KeyResult, Period, Product, Vision
from roadmaps.services import (
    check_in_create,
    goal_create,
    goal_link_create,
    key_result_create,
    product_create,
    product_transition,
    roadmap_item_save,
)
from roles.models import BusinessUnit, Person, Role, Team
from tests.factories import UserFactory

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
    period: Period
    launch: Goal
    merchants: KeyResult
    latency: KeyResult
    checkout: Product


def _quarter_around(today: dt.date) -> tuple[dt.date, dt.date, str]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = dt.date(today.year, first_month, 1)
    end_month = first_month + 2
    end = dt.date(today.year + (end_month // 12), end_month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end, f"{today.year}-Q{(first_month - 1) // 3 + 1}"


@pytest.fixture
def story(live_server) -> Story:
    """A payments organisation in the current quarter: company, unit, product, team and
    individual goals (one supporting, one aligned to nothing, one private), key results
    with a few weeks of check-ins, and products at several lifecycle stages."""
    role = {r.name: r for r in Role.objects.all()}
    if not role:
        role = {
            name: Role.objects.create(name=name, track=track, level=level)
            for name, track, level in [
                ("Chief Product Officer", Role.Track.MANAGEMENT, 90),
                ("Director of Product", Role.Track.MANAGEMENT, 70),
                ("Group Product Manager", Role.Track.MANAGEMENT, 60),
                ("Senior Product Manager", Role.Track.INDIVIDUAL, 50),
                ("Product Manager", Role.Track.INDIVIDUAL, 40),
            ]
        }
    company = BusinessUnit.objects.create(name="Company", slug="company")
    payments = BusinessUnit.objects.create(name="Payments", slug="payments", parent=company)
    growth = BusinessUnit.objects.create(name="Growth", slug="growth", parent=company)
    checkout_team = Team.objects.create(name="Checkout", business_unit=payments)
    onboarding = Team.objects.create(name="Onboarding", business_unit=growth)
    leadership = Team.objects.create(name="Product leadership", business_unit=company)

    def person(name, role_name, manager, team, title, user=None):
        return Person.objects.create(
            full_name=name,
            email=f"{name.split()[0].lower()}@example.com",
            title=title,
            role=role[role_name],
            manager=manager,
            team=team,
            business_unit=team.business_unit,
            user=user,
        )

    carla = person("Carla Mendes", "Chief Product Officer", None, leadership, "CPO")
    dana = person(
        "Dana Lee", "Director of Product", carla, checkout_team, "Director of Product, Payments"
    )
    omar = person(
        "Omar Haddad", "Director of Product", carla, onboarding, "Director of Product, Growth"
    )
    priya_user = UserFactory(username="priya@example.com", password=PASSWORD)
    priya = person(
        "Priya Nair",
        "Group Product Manager",
        dana,
        checkout_team,
        "Group PM, Checkout",
        user=priya_user,
    )
    sam = person("Sam Okafor", "Senior Product Manager", priya, checkout_team, "Senior PM, Wallets")
    lena = person("Lena Fischer", "Product Manager", dana, checkout_team, "PM, Card payments")
    mia = person("Mia Rossi", "Product Manager", omar, onboarding, "PM, Activation")

    today = timezone.localdate()
    start, end, name = _quarter_around(today)
    period = Period.objects.create(name=name, kind=Period.Kind.QUARTER, start=start, end=end)
    prev_end = start - dt.timedelta(days=1)
    prev_start, _, prev_name = _quarter_around(prev_end)
    Period.objects.create(name=prev_name, kind=Period.Kind.QUARTER, start=prev_start, end=prev_end)
    now = timezone.now()
    weeks_in = max((now.date() - start).days // 7, 3)

    def at(week: int) -> dt.datetime:
        return now - dt.timedelta(weeks=weeks_in - week, hours=3)

    # Products and how they got to their stage.
    checkout = product_create(
        name="Checkout",
        slug="checkout",
        business_unit=payments,
        team=checkout_team,
        owner=priya,
        vision_statement="",
        stage="discovery",
    )
    checkout.stage_transitions.update(changed_at=at(0) - dt.timedelta(days=30))
    for stage, reason, week, by in [
        ("launch", "Pilot with 12 merchants went live.", 0, priya_user),
        ("pmf", "Retention of pilot merchants above 90% for two months.", 1, priya_user),
        ("growth", "Opened to every mid-market merchant.", 2, None),
    ]:
        product_transition(
            product=checkout, to_stage=stage, reason=reason, at=at(week), acting_user=by
        )
    Vision.objects.create(
        scope=Vision.Scope.PRODUCT,
        product=checkout,
        statement="Paying any merchant takes one click, on any device, with no card typed twice.",
        pillars=["One-click everywhere", "Fewer failed payments", "Trust by default"],
        horizon="2026–2028",
    )
    for product_name, stage, owner, team in [
        ("Wallets", "launch", sam, checkout_team),
        ("Card vault", "maturity", dana, checkout_team),
        ("Onboarding flows", "pmf", omar, onboarding),
        ("Legacy invoicing", "sunset", dana, checkout_team),
        ("Fraud shield", "discovery", lena, checkout_team),
    ]:
        product_create(
            name=product_name,
            slug=product_name.lower().replace(" ", "-"),
            business_unit=team.business_unit,
            team=team,
            owner=owner,
            stage=stage,
        )

    def goal(title, owner, level, **fields):
        return goal_create(title=title, owner=owner, level=level, period=period, **fields)

    def kr(goal_, title, start_value, target, unit, readings=(), **fields):
        key_result = key_result_create(
            goal=goal_,
            title=title,
            start_value=start_value,
            target_value=target,
            unit=unit,
            **fields,
        )
        for week, value in readings:
            check_in_create(
                key_result=key_result, author=goal_.owner, value=value, at=at(week), confidence=7
            )
        return key_result

    mid_market = goal(
        "Become the default checkout for mid-market merchants", carla, Goal.Level.COMPANY
    )
    retention = goal("Grow net revenue retention to 115%", carla, Goal.Level.COMPANY)
    kr(retention, "Net revenue retention", 104, 115, "%", [(1, 106), (2, 108)])
    revenue = goal(
        "Double payments revenue in the mid-market",
        dana,
        Goal.Level.BUSINESS_UNIT,
        business_unit=payments,
    )
    kr(revenue, "Mid-market payments revenue", 2, 4, "€m", [(1, Decimal("2.4")), (2, 2.9)])
    activation = goal(
        "Activate 40% of new sign-ups in their first week",
        omar,
        Goal.Level.BUSINESS_UNIT,
        business_unit=growth,
        status=Goal.Status.AT_RISK,
    )
    kr(activation, "Week-one activation", 22, 40, "%", [(1, 24), (2, 25)])
    launch = goal(
        "Launch one-click checkout to every mid-market merchant",
        priya,
        Goal.Level.PRODUCT,
        product=checkout,
        business_unit=payments,
        description="Returning buyers pay in one click on every merchant that runs Checkout.",
    )
    merchants = kr(launch, "Merchants live on one-click", 0, 40, "merchants", [(1, 8), (2, 14)])
    kr(launch, "Checkout conversion", 52, 60, "%", [(1, 53), (2, 55)])
    latency = kr(
        launch,
        "p95 checkout latency",
        900,
        400,
        "ms",
        [(1, 820), (2, 700)],
        direction=KeyResult.Direction.DECREASE,
    )
    failures = goal(
        "Cut card payment failures by half",
        lena,
        Goal.Level.TEAM,
        team=checkout_team,
        business_unit=payments,
        status=Goal.Status.OFF_TRACK,
    )
    kr(failures, "Failed card payments", Decimal("4.0"), 2, "%", [(1, 3.9)], direction="decrease")
    wallets = goal(
        "Wallets: Apple Pay and Google Pay generally available",
        sam,
        Goal.Level.TEAM,
        product=checkout,
        status=Goal.Status.ACHIEVED,
    )
    kr(wallets, "Wallets live", 0, 2, "wallets", [(1, 1), (2, 2)])
    docs = goal("Publish the payments API guide", mia, Goal.Level.TEAM, business_unit=growth)
    kr(docs, "Guide chapters published", 0, 6, "chapters", [(2, 2)])
    goal("Refresh the onboarding e-mails", mia, Goal.Level.TEAM, business_unit=growth)
    goal(
        "Priya's stretch: speak at PayCon",
        priya,
        Goal.Level.INDIVIDUAL,
        visibility=Goal.Visibility.PRIVATE,
    )
    goal_link_create(child=revenue, parent=mid_market, weight=2)
    goal_link_create(child=activation, parent=retention)
    goal_link_create(child=launch, parent=revenue, weight=2)
    goal_link_create(child=failures, parent=revenue)
    goal_link_create(child=wallets, parent=launch)
    goal_link_create(child=docs, parent=activation, kind="supports")

    for title, horizon, status, weeks in [
        ("One-click for returning buyers", "now", "in_progress", 6),
        ("3-D Secure 2 challenge flow", "now", "planned", 3),
        ("Saved cards across merchants", "next", "planned", 8),
        ("A/B testing of checkout layouts", "next", "idea", None),
        ("Buy now, pay later", "later", "idea", None),
    ]:
        roadmap_item_save(
            product=checkout,
            title=title,
            horizon=horizon,
            status=status,
            owner=priya,
            estimate_weeks=weeks,
            goals=[launch] if horizon == "now" else [],
        )
    next_start, next_end, next_name = _quarter_around(end + dt.timedelta(days=1))
    next_quarter = Period.objects.create(
        name=next_name, kind=Period.Kind.QUARTER, start=next_start, end=next_end
    )
    roadmap_item_save(
        product=checkout,
        title="PSD3 strong customer authentication",
        target_period=next_quarter,
        status="planned",
        owner=priya,
    )
    return Story(priya, period, launch, merchants, latency, checkout)


def sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/goals/mine/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/goals/mine/"))
    page.get_by_label("Username").fill("priya@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/goals/mine/")


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    wide = page.evaluate(
        """w => [...document.querySelectorAll('body *')].filter(e => !e.closest('.visually-hidden') && e.getBoundingClientRect().right > w + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
        width,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width, wide


def test_pm_checks_in_and_sees_the_progress_move(page: Page, live_server, story, screenshot):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("My goals")
    launch = page.locator(f"#goal-{story.launch.pk}")
    expect(launch.get_by_role("heading", level=2)).to_have_text(story.launch.title)
    no_sideways_scroll(page)
    screenshot("goals-mine-desktop")

    # A non-number is refused next to the field, and nothing is written.
    before = Goal.objects.get(pk=story.launch.pk).progress
    row = page.locator(f"#kr-{story.latency.pk}")
    row.get_by_label("New value").fill("fast")
    with page.expect_response(re.compile(rf"/key-results/{story.latency.pk}/check-in/")):
        row.get_by_role("button", name="Check in").click()
    value = page.locator(f"#kr-{story.latency.pk}-value")
    expect(page.locator(f"#kr-{story.latency.pk}-value-error")).to_have_text("Enter a number.")
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(value).to_have_attribute("aria-describedby", re.compile(r"-value-error"))
    expect(value).to_be_focused()
    assert Goal.objects.get(pk=story.launch.pk).progress == before
    screenshot("goals-mine-error-desktop")

    # A check-in through htmx: the row and the goal's progress change, the page stays.
    page.evaluate("window.__samePage = true")
    row = page.locator(f"#kr-{story.merchants.pk}")
    row.get_by_label("New value").fill("30")
    row.get_by_label("Confidence").select_option("8")
    row.get_by_label("Note").fill("Ten more merchants switched this week")
    with page.expect_response(re.compile(rf"/key-results/{story.merchants.pk}/check-in/")):
        row.get_by_role("button", name="Check in").click()
    expect(row.get_by_text("30 merchants", exact=True)).to_be_visible()
    expect(row.get_by_text("Checked in just now")).to_be_visible()
    goal = Goal.objects.get(pk=story.launch.pk)
    assert goal.progress > before
    shown = f"{goal.progress.quantize(Decimal(1), rounding='ROUND_HALF_UP')}%"
    summary = page.locator(f"#goal-{story.launch.pk}-summary")
    expect(summary.locator(".progress__value")).to_have_text(shown)
    expect(summary.get_by_text("Confidence 8/10")).to_be_visible()
    expect(page.locator("#checkin-status")).to_contain_text("Checked in 30 merchants")
    assert page.evaluate("window.__samePage") is True
    expect(page).to_have_url(f"{live_server.url}/goals/mine/")

    # The goal page explains the new number.
    page.get_by_role("link", name=story.launch.title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(story.launch.title)
    expect(page.locator(".bignum")).to_have_text(shown)
    why = page.locator("#why")
    expect(why.get_by_role("heading", level=2)).to_contain_text("Why")
    merchants_row = why.get_by_role("row").filter(has_text="Merchants live on one-click")
    expect(merchants_row).to_contain_text("75%")
    expect(why.locator(".formula code")).to_contain_text("75% × 1")
    chart = page.locator(f"#kr-{story.merchants.pk} svg[role=img]")
    expect(chart).to_have_attribute("aria-label", re.compile(r"latest 30 merchants"))
    no_sideways_scroll(page)
    screenshot("goal-desktop")

    # The alignment tree shows it too, and filters by owner in place.
    page.get_by_role("link", name="Goals", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Goal alignment")
    node = page.locator(".gnode").filter(has=page.get_by_role("link", name=story.launch.title))
    expect(node.locator(".progress__value")).to_have_text(shown)
    expect(page.get_by_text("Supports · not counted").first).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Not aligned to any goal"))).to_be_visible()
    stretch = page.get_by_role("link", name="Priya's stretch: speak at PayCon", exact=True)
    expect(stretch).to_be_visible()  # her own private goal, aligned to nothing
    no_sideways_scroll(page)
    screenshot("alignment-desktop")
    page.evaluate("window.__samePage = true")
    with page.expect_response(re.compile(r"/goals/alignment/\?.*owner=")):
        page.get_by_label("Owner").select_option(label="Priya Nair")
    expect(page).to_have_url(re.compile(r"owner=\d+"))
    expect(page.locator(".gnode").filter(has_text="Refresh the onboarding")).to_have_count(0)
    expect(node).to_be_visible()
    assert page.evaluate("window.__samePage") is True
    # Branches fold and unfold.
    toggle = page.locator("[data-tree-toggle]").first
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(f"#{toggle.get_attribute('aria-controls')}")).to_be_hidden()
    toggle.click()
    screenshot("alignment-filtered-desktop")

    # Products.
    page.get_by_role("link", name="Products", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Products")
    no_sideways_scroll(page)
    screenshot("products-desktop")
    with page.expect_response(re.compile(r"/products/\?.*stage=growth")):
        page.get_by_label("Stage").select_option(label="Growth")
    expect(page.locator(".results__count")).to_have_text("1 product found")
    page.get_by_role("link", name="Checkout", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    expect(page.locator(".stages [aria-current=step]")).to_contain_text("Growth")
    expect(page.get_by_text("Opened to every mid-market merchant.")).to_be_visible()
    no_sideways_scroll(page)
    screenshot("product-desktop")

    # A phone-width screen: every page fits without sideways scrolling.
    page.set_viewport_size(PHONE)
    for path, name in [
        ("/goals/mine/", "goals-mine-phone"),
        (f"/goals/{story.launch.pk}/", "goal-phone"),
        ("/goals/alignment/", "alignment-phone"),
        ("/products/", "products-phone"),
        (f"/products/{story.checkout.pk}/", "product-phone"),
    ]:
        page.goto(f"{live_server.url}{path}")
        no_sideways_scroll(page)
        screenshot(name)


def test_without_javascript_a_check_in_is_a_plain_form(browser, live_server, story, screenshot):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    try:
        sign_in(page, live_server.url)
        row = page.locator(f"#kr-{story.merchants.pk}")
        row.get_by_label("New value").fill("20")
        row.get_by_role("button", name="Check in").click()
        expect(page).to_have_url(re.compile(rf"/goals/mine/\?period={story.period.pk}#kr-"))
        expect(
            page.get_by_role("status").filter(has_text="Checked in 20 merchants")
        ).to_be_visible()
        expect(page.locator(f"#kr-{story.merchants.pk}")).to_contain_text("20 merchants")
        # The period switcher and the alignment filters are plain GET forms.
        page.goto(f"{live_server.url}/goals/alignment/")
        page.get_by_label("Owner").select_option(label="Priya Nair")
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(r"/goals/alignment/\?period=\d+&.*owner=\d+"))
        expect(page.locator(".gnode").filter(has_text="Refresh the onboarding")).to_have_count(0)
        expect(page.locator("[data-tree-toggle]").first).to_be_hidden()
    finally:
        context.close()
