"""The demo CPO opens the leader dashboard every morning.

In a real browser, on the small demo organisation (``seed_demo``, with its metric
readings rolled up): the CPO opens the dashboard, changes the period, sees the metric
charts and the alignment findings, narrows the findings to one kind (htmx, no page
load) and follows a finding to the goal it is about. Desktop and phone screenshots of
the dashboard and its printable view go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from productorg.demo import DEMO_PASSWORD
from roadmaps.models import Period
from roadmaps.selectors import period_current

from .conftest import SCREENSHOTS
from .test_goals import no_sideways_scroll

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
CPO = "cpo@demo.productorg.test"


@pytest.fixture
def demo(live_server) -> tuple[Period, Period]:
    """The small demo; returns the current period and the one before it."""
    call_command("seed_demo", size="small", stdout=io.StringIO())
    current = period_current()
    previous = (
        Period.objects.filter(end__lt=current.start, kind=current.kind).order_by("-end").first()
    )
    return current, previous


def sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/"))
    page.get_by_label("Username").fill(CPO)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/dashboard/")


def test_the_cpo_reads_the_dashboard_and_follows_a_finding_to_its_goal(
    page: Page, live_server, demo, screenshot
):
    current, previous = demo
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organisation")
    expect(page.get_by_text(f"Goals in {current.name}")).to_be_visible()
    expect(page.locator("svg.dchart--line").first).to_be_visible()

    # Another period: the select submits itself (no button with JavaScript on).
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    page.get_by_label("Period", exact=True).select_option(str(previous.pk))
    expect(page).to_have_url(re.compile(rf"period={previous.pk}"))
    expect(page.get_by_text(f"Goals in {previous.name}")).to_be_visible()
    charts = page.locator("svg.dchart--line")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    # Each chart is an image with a sentence, and its numbers are a table away.
    assert "over the period" in charts.first.get_attribute("aria-label")
    expect(page.get_by_role("img", name=re.compile("Products by lifecycle stage"))).to_be_visible()
    expect(
        page.get_by_role("heading", name="Goal progress by business unit", exact=True)
    ).to_be_visible()
    no_sideways_scroll(page)
    screenshot("dashboard-desktop")

    # The findings: narrowed to one kind in place (htmx keeps the rest of the page).
    findings = page.locator("#dash-findings")
    findings.scroll_into_view_if_needed()
    page.evaluate("document.body.dataset.loadedOnce = 'yes'")
    findings.get_by_role("link", name=re.compile("Goal aligned to nothing")).click()
    expect(page).to_have_url(re.compile(r"kind=goal_unaligned"))
    rows = findings.locator("tbody tr")
    expect(rows.first).to_contain_text("Goal aligned to nothing")
    assert page.evaluate("document.body.dataset.loadedOnce") == "yes"  # no page load
    screenshot("dashboard-findings-desktop")

    # The health says when it was computed; Refresh recomputes it from the keyboard, in
    # place (htmx swaps the page's content; the findings' filter stays).
    asof = findings.locator(".health-asof")
    tile = page.locator(".tile--health")
    expect(tile).to_contain_text("as of today at")
    expect(asof.get_by_role("status")).to_contain_text("Health as of today at")
    before = asof.locator("time").get_attribute("datetime")
    refresh = asof.get_by_role("button", name="Refresh alignment health now")
    refresh.focus()
    screenshot("dashboard-health-asof")
    for part, locator in (("asof", findings.locator(".dash-section__head")), ("tile", tile)):
        locator.screenshot(path=str(SCREENSHOTS / f"dashboard-health-{part}-detail.png"))
    page.keyboard.press("Enter")
    expect(asof.locator("time")).not_to_have_attribute("datetime", before)
    expect(page).to_have_url(re.compile(r"kind=goal_unaligned"))
    assert page.evaluate("document.body.dataset.loadedOnce") == "yes"  # no page load
    rows = page.locator("#dash-findings tbody tr")
    expect(rows.first).to_contain_text("Goal aligned to nothing")

    # Follow the first finding to the goal it is about.
    link = rows.first.get_by_role("link")
    title = link.inner_text().strip()
    link.click()
    expect(page).to_have_url(re.compile(r"/goals/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_the_dashboard_on_a_phone_and_on_paper(page: Page, live_server, demo, screenshot):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url)
    expect(page.locator("svg.dchart--line").first).to_be_visible()
    no_sideways_scroll(page)
    screenshot("dashboard-phone")
    head = page.locator("#dash-findings .dash-section__head")
    expect(head.get_by_role("button", name="Refresh alignment health now")).to_be_visible()
    head.screenshot(path=str(SCREENSHOTS / "dashboard-health-asof-phone-detail.png"))

    # On a phone the tables are lists of cards: they sort from a select.
    products = page.locator("#dash-products")
    products.get_by_label("Sort by").select_option("-stage")
    expect(page).to_have_url(re.compile(r"sort=-stage"))
    expect(products.locator("tbody tr").first).to_contain_text("Retired")
    no_sideways_scroll(page)

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="Printable view").click()
    expect(page).to_have_url(re.compile(r"/print/"))
    expect(page.get_by_role("heading", name="Alignment findings")).to_be_visible()
    expect(page.locator(".topbar")).to_have_count(0)
    screenshot("dashboard-print")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Back to the dashboard")).to_be_hidden()
