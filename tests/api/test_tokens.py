"""Bearer tokens: they work, a revoked one does not; the page and the command make them."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from productorg.models import ApiToken
from productorg.services import api_token_create, api_token_revoke

from .conftest import assert_error


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_token_authenticates_and_records_its_use(cast):
    token, raw = api_token_create(user=cast.report_user, name="BI export")
    assert token.digest == ApiToken.hash(raw) and raw not in (token.digest, token.prefix)
    assert raw.startswith(token.prefix)
    response = bearer(raw).get("/api/v1/people/")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_acts_as_its_user(cast):
    _, member_raw = api_token_create(user=cast.report_user, name="bot")
    _, hr_raw = api_token_create(user=cast.hr_user, name="sync")
    payload = {"full_name": "Noor", "email": "noor@example.com"}
    assert_error(bearer(member_raw).post("/api/v1/people/", payload, format="json"), 403)
    assert bearer(hr_raw).post("/api/v1/people/", payload, format="json").status_code == 201


def test_a_revoked_token_answers_401(cast):
    token, raw = api_token_create(user=cast.report_user, name="BI export")
    api_token_revoke(token=token, acting_user=cast.report_user)
    error = assert_error(bearer(raw).get("/api/v1/people/"), 401, "authentication_failed")
    assert error["message"] == "Invalid or revoked token."


def test_revoking_twice_keeps_the_first_time(cast):
    token, _ = api_token_create(user=cast.report_user, name="BI export")
    first = api_token_revoke(token=token, acting_user=cast.report_user).revoked_at
    assert api_token_revoke(token=token, acting_user=cast.report_user).revoked_at == first


def test_nobody_else_revokes_a_token(cast):
    from productorg.errors import ApplicationError

    token, _ = api_token_create(user=cast.report_user, name="BI export")
    with pytest.raises(ApplicationError):
        api_token_revoke(token=token, acting_user=cast.peer_user)
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    "header", ["Bearer po_not-a-real-token", "Bearer", "Bearer two parts", "bearer po_x"]
)
def test_a_bad_bearer_header_answers_401(cast, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_error(client.get("/api/v1/people/"), 401, "authentication_failed")


def test_a_deactivated_users_token_answers_401(cast):
    _, raw = api_token_create(user=cast.report_user, name="BI export")
    cast.report_user.is_active = False
    cast.report_user.save()
    assert_error(bearer(raw).get("/api/v1/people/"), 401, "authentication_failed")


# --- The page /account/tokens/ ----------------------------------------------------------


def test_the_page_creates_a_token_shown_once(client, cast):
    client.force_login(cast.report_user)
    response = client.post("/account/tokens/", {"name": "Chat bot"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    raw = re.search(r'id="new-token"[^>]*value="(po_[^"]+)"', html, re.S).group(1)
    token = ApiToken.objects.get(user=cast.report_user)
    assert token.name == "Chat bot" and token.digest == ApiToken.hash(raw)
    assert bearer(raw).get("/api/v1/teams/").status_code == 200
    # Shown once: the list afterwards names the token but never shows it again.
    listed = client.get("/account/tokens/").content.decode()
    assert "Chat bot" in listed and token.prefix in listed
    assert raw not in listed


def test_the_page_lists_only_ones_own_tokens(client, cast):
    api_token_create(user=cast.peer_user, name="Omar's secret bot")
    api_token_create(user=cast.report_user, name="Priya's export")
    client.force_login(cast.report_user)
    html = client.get("/account/tokens/").content.decode()
    assert "Priya&#x27;s export" in html
    assert "Omar" not in html.split("<main", 1)[1]


def test_the_page_revokes_a_token(client, cast):
    token, raw = api_token_create(user=cast.report_user, name="Chat bot")
    client.force_login(cast.report_user)
    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert response.redirect_chain == [("/account/tokens/", 302)]
    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_error(bearer(raw).get("/api/v1/people/"), 401)
    assert b"/revoke/" not in response.content  # no revoke button on a revoked token


def test_another_users_token_cannot_be_revoked_from_the_page(client, cast):
    token, raw = api_token_create(user=cast.peer_user, name="Omar's bot")
    client.force_login(cast.report_user)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    assert bearer(raw).get("/api/v1/people/").status_code == 200


def test_a_token_needs_a_name(client, cast):
    client.force_login(cast.report_user)
    response = client.post("/account/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_page_needs_a_login(client, db):
    response = client.get("/account/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_is_accessible_markup(client, cast):
    api_token_create(user=cast.report_user, name="Chat bot")
    client.force_login(cast.report_user)
    html = client.get("/account/tokens/").content.decode()
    assert '<label for="id_name">Token name</label>' in html
    assert 'aria-describedby="id_name-help"' in html
    assert "<caption" in html and 'scope="col"' in html
    assert 'aria-label="Revoke token Chat bot' in html


# --- manage.py create_api_token ---------------------------------------------------------


def test_the_command_prints_a_working_token_once(cast):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token", "priya@example.com", "--name", "HR sync", stdout=out, stderr=err
    )
    raw = out.getvalue().strip()
    assert re.fullmatch(r"po_[\w-]+", raw)
    assert "will not be shown again" in err.getvalue()
    token = ApiToken.objects.get(user=cast.report_user)
    assert token.name == "HR sync" and token.digest == ApiToken.hash(raw)
    assert bearer(raw).get("/api/v1/people/").status_code == 200


def test_the_command_refuses_an_unknown_email(db):
    with pytest.raises(CommandError, match="No active user"):
        call_command("create_api_token", "nobody@example.com", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


# --- the admin --------------------------------------------------------------------------


def test_the_admin_lists_and_revokes_tokens(client, cast, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456")
    token, raw = api_token_create(user=cast.report_user, name="Chat bot")
    client.force_login(admin)
    changelist = client.get("/admin/productorg/apitoken/")
    assert changelist.status_code == 200 and token.prefix in changelist.content.decode()
    assert raw not in changelist.content.decode()
    assert client.get("/admin/productorg/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/productorg/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "Revoked 1 token(s)." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_at <= timezone.now()
