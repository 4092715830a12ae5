"""Who reaches which page: anonymous visitors sign in first, members read everything."""

from __future__ import annotations

import pytest
from django.urls import reverse

PAGES = [
    "/",
    "/org/",
    "/org/{top}/",
    "/org/{top}/reports/",
    "/people/",
    "/people/{top}/",
]


@pytest.mark.parametrize("template", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, cast, template):
    url = template.format(top=cast.top.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_sign_in_page_has_labelled_fields_and_signs_in(client, cast):
    page = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">Username</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert 'autocomplete="current-password"' in page
    assert 'class="skip-link" href="#main"' in page

    response = client.post(
        reverse("login"),
        {"username": "dana@example.com", "password": "correct-horse-battery", "next": "/org/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/org/"


def test_a_wrong_password_is_refused_with_an_explained_error(client, cast):
    response = client.post(reverse("login"), {"username": "dana@example.com", "password": "wrong"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Please enter a correct username and password" in page
    assert 'aria-invalid="true"' in page


def test_home_is_the_dashboard_for_leaders_and_hr_and_my_organisation_otherwise(client, cast):
    for user, page in [
        (cast.leader_user, "dashboard"),
        (cast.hr_user, "dashboard"),
        (cast.subreport.user, "org-chart"),  # manages nobody
        (cast.outsider_user, "org-chart"),  # no person
    ]:
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"] == reverse(page), user


@pytest.mark.parametrize("template", ["/org/", "/org/{top}/", "/people/", "/people/{top}/"])
def test_members_see_every_page(client, cast, template):
    client.force_login(cast.subreport.user)
    response = client.get(template.format(top=cast.top.pk))
    assert response.status_code == 200


def test_navigation_names_the_person_and_offers_sign_out(client, cast):
    client.force_login(cast.leader_user)
    page = client.get("/people/").content.decode()
    assert '<nav class="mainnav" aria-label="Main">' in page
    assert 'href="/org/"' in page and "My organisation" in page
    assert 'href="/people/" aria-current="page"' in page
    assert 'href="/api/docs/"' in page
    assert 'href="/account/tokens/"' in page
    assert f'href="/people/{cast.leader.pk}/"' in page and "Dana" in page
    assert f'<form method="post" action="{reverse("logout")}">' in page
    assert 'href="/admin/"' not in page  # only HR admins get the admin link


def test_hr_admins_get_the_admin_link(client, cast):
    client.force_login(cast.hr_user)
    page = client.get("/people/").content.decode()
    assert 'href="/admin/"' in page
    assert "hr@example.com" in page  # no Person: the login name stands in


def test_sign_out_is_a_post_that_ends_the_session(client, cast):
    client.force_login(cast.leader_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get("/org/").status_code == 302


def test_pages_are_not_writable(client, cast):
    client.force_login(cast.leader_user)
    assert client.post("/org/").status_code == 405
    assert client.post("/people/").status_code == 405
