"""A CPO signs in, opens their organisation and expands a branch in a real browser."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from roles.models import BusinessUnit, Person, Position, Role, Team
from tests.factories import UserFactory

# serialized_rollback puts the migrations' data (the ladder, the HR group) back after the
# live-server test flushes the database, for the tests that run after it.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct-horse-battery"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
LADDER = [
    ("Chief Product Officer", Role.Track.MANAGEMENT, 90),
    ("Director of Product", Role.Track.MANAGEMENT, 70),
    ("Head of Product", Role.Track.MANAGEMENT, 65),
    ("Group Product Manager", Role.Track.MANAGEMENT, 60),
    ("Senior Product Manager", Role.Track.INDIVIDUAL, 50),
    ("Product Manager", Role.Track.INDIVIDUAL, 40),
    ("Associate Product Manager", Role.Track.INDIVIDUAL, 30),
]


@dataclass
class Org:
    cpo: Person
    dana: Person
    omar: Person
    priya: Person
    grandchildren: list[Person]
    seat: Position


@pytest.fixture
def org(live_server) -> Org:
    """A CPO with a login, two directors with reports (one with reports of their own)
    and an open seat under a director."""
    roles = {
        name: Role.objects.get_or_create(name=name, defaults={"track": track, "level": level})[0]
        for name, track, level in LADDER
    }
    company = BusinessUnit.objects.create(name="Company", slug="company")
    payments = BusinessUnit.objects.create(name="Payments", slug="payments", parent=company)
    growth = BusinessUnit.objects.create(name="Growth", slug="growth", parent=company)
    checkout = Team.objects.create(name="Checkout", business_unit=payments)
    billing = Team.objects.create(name="Billing", business_unit=payments)
    onboarding = Team.objects.create(name="Onboarding", business_unit=growth)
    leadership = Team.objects.create(name="Product leadership", business_unit=company)
    n = 0

    def person(name, role, manager, team, title=None, location="London", user=None):
        nonlocal n
        n += 1
        return Person.objects.create(
            full_name=name,
            email=f"{name.split()[0].lower()}@example.com",
            title=title or role,
            role=roles[role],
            manager=manager,
            team=team,
            business_unit=team.business_unit,
            location=location,
            start_date=datetime.date(2019 + n % 5, 1 + n % 12, 1 + n),
            user=user,
        )

    cpo_user = UserFactory(username="carla@example.com", password=PASSWORD)
    cpo = person("Carla Mendes", "Chief Product Officer", None, leadership, user=cpo_user)
    dana = person("Dana Lee", "Director of Product", cpo, checkout, "Director of Product, Payments")
    omar = person(
        "Omar Haddad",
        "Director of Product",
        cpo,
        onboarding,
        "Director of Product, Growth",
        "Berlin",
    )
    priya = person("Priya Nair", "Group Product Manager", dana, checkout, "Group PM, Checkout")
    grandchildren = [
        person("Sam Okafor", "Senior Product Manager", priya, checkout, "Senior PM, Wallets"),
        person("Lena Fischer", "Product Manager", priya, checkout, "PM, Card payments", "Berlin"),
    ]
    person("Jonas Berg", "Senior Product Manager", dana, billing, "Senior PM, Invoicing")
    person("Mia Rossi", "Product Manager", omar, onboarding, "PM, Activation", "Milan")
    person("Yuki Tanaka", "Associate Product Manager", omar, onboarding, location="Remote")
    seat = Position.objects.create(
        title="Product Manager, Fraud",
        role=roles["Product Manager"],
        team=checkout,
        reports_to=dana,
        status=Position.Status.OPEN,
        budgeted_annual_cost=135000,
    )
    Position.objects.create(
        role=roles["Head of Product"],
        team=leadership,
        reports_to=cpo,
        status=Position.Status.PLANNED,
        budgeted_annual_cost=190000,
    )
    return Org(cpo, dana, omar, priya, grandchildren, seat)


def sign_in(page: Page, base_url: str, username: str = "carla@example.com") -> None:
    page.goto(f"{base_url}/org/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/org/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/org/")


def toggle_for(page: Page, person: Person):
    return page.locator(f'[data-branch-toggle][aria-controls="branch-{person.pk}"]')


def test_cpo_expands_a_branch_and_sees_grandchildren(page: Page, live_server, org, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot("login-desktop")
    sign_in(page, live_server.url)

    expect(page.get_by_role("heading", level=1)).to_have_text("My organisation")
    chart = page.locator(".orgchart")
    expect(chart.get_by_role("link", name="Dana Lee", exact=True)).to_be_visible()
    expect(chart.get_by_role("link", name="Omar Haddad", exact=True)).to_be_visible()
    expect(chart.get_by_text("Head of Product", exact=True)).to_be_visible()  # planned seat
    expect(page.get_by_text("Priya Nair")).to_have_count(0)  # not expanded yet
    expect(page.get_by_text("135000")).to_have_count(0)
    screenshot("org-chart-desktop")

    # Keyboard: Tab reaches Dana's expand control, focus is visible, Enter expands.
    page.keyboard.press("Tab")  # the first stop is the skip link
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    dana_toggle = toggle_for(page, org.dana)
    for _ in range(40):
        page.keyboard.press("Tab")
        if dana_toggle.evaluate("el => el === document.activeElement"):
            break
    expect(dana_toggle).to_be_focused()
    outline = dana_toggle.evaluate(
        "el => getComputedStyle(el).outlineStyle + getComputedStyle(el).outlineWidth"
    )
    assert outline.startswith("solid") and not outline.endswith("0px"), outline
    expect(dana_toggle).to_have_attribute("aria-expanded", "false")
    with page.expect_response(re.compile(rf"/org/{org.dana.pk}/reports/$")):
        page.keyboard.press("Enter")
    expect(dana_toggle).to_have_attribute("aria-expanded", "true")
    expect(dana_toggle).to_be_focused()
    expect(page).to_have_url(f"{live_server.url}/org/")  # expanded in place, no navigation
    branch = page.locator(f"#branch-{org.dana.pk}")
    expect(branch.get_by_role("link", name="Priya Nair", exact=True)).to_be_visible()
    expect(branch.get_by_text("Product Manager, Fraud")).to_be_visible()  # Dana's open seat

    # One level deeper: the grandchildren of the branch appear under Priya.
    priya_toggle = toggle_for(page, org.priya)
    priya_toggle.click()
    for grandchild in org.grandchildren:
        expect(
            page.locator(f"#branch-{org.priya.pk}").get_by_role(
                "link", name=grandchild.full_name, exact=True
            )
        ).to_be_visible()
    expect(page.get_by_text("135000")).to_have_count(0)
    expect(page.get_by_text("135,000")).to_have_count(0)
    toggle_for(page, org.omar).click()
    expect(page.get_by_role("link", name="Mia Rossi", exact=True)).to_be_visible()
    screenshot("org-chart-expanded-desktop")

    # Collapsing hides the branch again without another request.
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    dana_toggle.focus()
    page.keyboard.press("Enter")
    expect(dana_toggle).to_have_attribute("aria-expanded", "false")
    expect(branch).to_be_hidden()
    assert not [u for u in requests if "/reports/" in u]

    # The person page and the directory.
    page.goto(f"{live_server.url}/people/{org.priya.pk}/")
    crumbs = page.get_by_role("navigation", name="Reporting line")
    expect(crumbs.get_by_role("link")).to_have_text(["Carla Mendes", "Dana Lee"])
    screenshot("person-desktop")
    page.goto(f"{live_server.url}/people/")
    screenshot("directory-desktop")
    with page.expect_response(re.compile(r"/people/\?search=berl")):
        page.get_by_label("Search").fill("berl")  # matches no name; Berlin is a location
    expect(page.locator(".results__count")).to_have_text("No people found")
    page.get_by_label("Search").fill("")
    page.get_by_label("Role").select_option(label="Director of Product")
    expect(page.locator(".results__count")).to_have_text("2 people found")
    expect(page).to_have_url(re.compile(r"/people/\?.*role="))
    screenshot("directory-filtered-desktop")

    # A phone-width screen.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/org/")
    toggle_for(page, org.dana).click()
    expect(page.get_by_role("link", name="Priya Nair", exact=True)).to_be_visible()
    toggle_for(page, org.priya).click()
    expect(page.get_by_role("link", name="Sam Okafor", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("org-chart-phone")
    page.goto(f"{live_server.url}/people/{org.priya.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("person-phone")
    page.goto(f"{live_server.url}/people/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("directory-phone")


def test_without_javascript_the_expand_control_is_a_link(browser, live_server, org, screenshot):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        screenshot("login-phone", target=page)
        sign_in(page, live_server.url)
        toggle_for(page, org.dana).click()
        expect(page).to_have_url(f"{live_server.url}/org/{org.dana.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Dana Lee’s organisation")
        expect(page.get_by_role("link", name="Priya Nair", exact=True)).to_be_visible()
        # The directory's search form still works as a plain GET form.
        page.goto(f"{live_server.url}/people/")
        page.get_by_label("Search").fill("okafor")
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_url(re.compile(r"/people/\?search=okafor"))
        expect(page.get_by_role("link", name="Sam Okafor", exact=True)).to_be_visible()
    finally:
        context.close()
