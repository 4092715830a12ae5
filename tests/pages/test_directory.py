"""The people directory: search, filters, pages and htmx updates on one URL."""

from __future__ import annotations

import pytest

from roles.models import BusinessUnit, Role, Team
from tests.factories import PersonFactory

HX = {"HTTP_HX_REQUEST": "true"}


def names(response) -> set[str]:
    return {p.full_name for p in response.context["page"].object_list}


@pytest.fixture
def member(client, cast):
    client.force_login(cast.report_user)
    return cast


def test_lists_active_people(client, member):
    member.peer.is_active = False
    member.peer.save()
    response = client.get("/people/")
    assert names(response) == {"Carla", "Dana", "Priya", "Sam"}
    assert "4 people" in response.content.decode()


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("dan", {"Dana"}),  # name
        ("omar@example", {"Omar"}),  # e-mail
        ("associate", {"Sam"}),  # title
        ("director", {"Dana", "Omar"}),
        ("zzz", set()),
    ],
)
def test_search_matches_name_email_or_title(client, member, search, expected):
    assert names(client.get("/people/", {"search": search})) == expected


def test_filters_by_team_unit_and_role(client, member):
    growth = BusinessUnit.objects.create(name="Growth", slug="growth")
    activation = BusinessUnit.objects.create(name="Activation", slug="activation", parent=growth)
    onboarding = Team.objects.create(name="Onboarding", business_unit=activation)
    PersonFactory(full_name="Mia", team=onboarding, business_unit=activation)

    assert names(client.get("/people/", {"team": onboarding.pk})) == {"Mia"}
    # A unit includes the units nested in it.
    assert names(client.get("/people/", {"business_unit": growth.pk})) == {"Mia"}
    director = Role.objects.get(name="Director of Product")
    assert names(client.get("/people/", {"role": director.pk})) == {"Dana", "Omar"}
    assert names(client.get("/people/", {"role": director.pk, "search": "oma"})) == {"Omar"}


def test_invalid_filter_values_are_ignored(client, member):
    response = client.get("/people/", {"team": "nope", "role": "999999"})
    assert response.status_code == 200
    assert len(names(response)) == 5


def test_pages_through_many_people(client, member):
    for n in range(30):
        PersonFactory(full_name=f"Zed {n:02d}")
    first = client.get("/people/")
    assert len(first.context["page"].object_list) == 25
    page = first.content.decode()
    assert "35 people" in page and 'rel="next"' in page
    second = client.get("/people/", {"page": 2})
    assert len(second.context["page"].object_list) == 10
    assert 'rel="prev"' in second.content.decode()
    # Filters survive paging.
    filtered = client.get("/people/", {"search": "zed"}).content.decode()
    assert "search=zed&amp;page=2" in filtered


def test_htmx_gets_only_the_results_on_the_same_url(client, member):
    response = client.get("/people/", {"search": "dana"}, **HX)
    page = response.content.decode()
    assert "<html" not in page and 'id="people-results"' in page
    assert 'id="results-status"' in page and 'hx-swap-oob="true"' in page
    assert names(response) == {"Dana"}
    assert "HX-Request" in response["Vary"]
    # Without htmx the same URL is the whole page with the form filled in.
    page = client.get("/people/", {"search": "dana"}).content.decode()
    assert "<html" in page and 'value="dana"' in page
    assert 'hx-get="/people/"' in page and 'method="get"' in page


def test_an_empty_result_says_what_to_do(client, member):
    page = client.get("/people/", {"search": "nobody-by-that-name"}).content.decode()
    assert "No one matches these filters" in page
    assert "Clear search and filters" in page
