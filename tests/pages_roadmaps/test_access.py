"""Who reaches the goal and product pages: anonymous visitors sign in first; a write on a
visible goal or product by someone who may not change it answers 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import HX

PAGES = [
    "/goals/alignment/",
    "/goals/mine/",
    "/goals/export.csv",
    "/goals/people/{report}/",
    "/goals/{team}/",
    "/products/",
    "/products/{product}/",
]
WRITES = [
    "/goals/key-results/{kr}/check-in/",
    "/goals/{team}/align/",
    "/products/{product}/transition/",
]


def _url(template, cast, goals):
    return template.format(
        report=cast.report.pk, team=goals.team.pk, product=goals.product.pk, kr=goals.kr.pk
    )


@pytest.mark.parametrize("template", PAGES + WRITES)
def test_anonymous_visitors_are_sent_to_sign_in(client, cast, goals, template):
    url = _url(template, cast, goals)
    response = client.post(url) if template in WRITES else client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_expired_session_on_an_htmx_check_in_redirects_the_whole_page(client, goals):
    response = client.post(f"/goals/key-results/{goals.kr.pk}/check-in/", {"value": 1}, **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


@pytest.mark.parametrize("template", PAGES)
def test_members_read_every_page(client, cast, goals, template):
    client.force_login(cast.subreport.user)
    assert client.get(_url(template, cast, goals)).status_code == 200


@pytest.mark.parametrize("template", PAGES[:-1])
def test_pages_only_read(client, cast, goals, template):
    client.force_login(cast.report_user)
    assert client.post(_url(template, cast, goals)).status_code == 405


@pytest.mark.parametrize("template", WRITES)
def test_writes_are_posts(client, cast, goals, template):
    client.force_login(cast.report_user)
    assert client.get(_url(template, cast, goals)).status_code == 405


def test_navigation_links_to_the_goal_pages(client, cast, goals):
    client.force_login(cast.report_user)
    page = client.get("/goals/mine/").content.decode()
    assert 'href="/goals/alignment/">Goals</a>' in page
    assert 'href="/goals/mine/" aria-current="page">My goals</a>' in page
    assert 'href="/products/">Products</a>' in page
    page = client.get(f"/goals/{goals.team.pk}/").content.decode()
    assert 'href="/goals/alignment/" aria-current="page">Goals</a>' in page
    page = client.get(f"/products/{goals.product.pk}/").content.decode()
    assert 'href="/products/" aria-current="page">Products</a>' in page
