"""Fixtures of the API tests: a client per member of the cast, and the resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from rest_framework.test import APIClient

from roles.models import BusinessUnit, Position, Role, Team


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The cast has six logins; the production hasher would spend seconds on them per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_for():
    """``client_for(user)``: an API client signed in with a session (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error format: ``{"error": {"status", "code", "message", "fields"?}}``."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["status"] == status
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


@dataclass
class Resource:
    """One API resource with what the permission matrix needs to exercise it."""

    path: str
    obj: Any
    create: dict
    put: dict
    patch: dict
    extra: dict = field(default_factory=dict)

    @property
    def list_url(self) -> str:
        return f"/api/v1/{self.path}/"

    @property
    def detail_url(self) -> str:
        return f"/api/v1/{self.path}/{self.obj.pk}/"


RESOURCES = ["people", "business-units", "teams", "roles", "positions"]


@pytest.fixture
def resources(cast) -> dict[str, Resource]:
    unit = cast.leader.business_unit
    team = cast.leader.team
    pm = Role.objects.get(name="Product Manager")
    growth = BusinessUnit.objects.create(name="Growth", slug="growth", parent=unit)
    search = Team.objects.create(name="Search", business_unit=unit)
    ops = Role.objects.create(name="Product Ops", track="individual", level=25)
    seat = Position.objects.create(
        role=pm, team=team, reports_to=cast.leader, budgeted_annual_cost=100000
    )
    return {
        "people": Resource(
            "people",
            cast.subreport,
            create={
                "full_name": "Noor Haddad",
                "email": "noor@example.com",
                "role": pm.pk,
                "manager": cast.leader.pk,
                "team": team.pk,
                "business_unit": unit.pk,
            },
            put={
                "full_name": "Sam Lee",
                "email": "sam@example.com",
                "title": "Product Manager",
                "role": pm.pk,
                "manager": cast.report.pk,
                "team": team.pk,
                "business_unit": unit.pk,
                "is_active": True,
            },
            patch={"title": "Product Manager, Search"},
        ),
        "business-units": Resource(
            "business-units",
            growth,
            create={"name": "Platform", "slug": "platform", "parent": unit.pk},
            put={"name": "Growth", "slug": "growth", "parent": None, "leader": cast.peer.pk},
            patch={"name": "Growth & Retention"},
        ),
        "teams": Resource(
            "teams",
            search,
            create={"name": "Discovery", "business_unit": unit.pk, "kind": "product"},
            put={
                "name": "Search",
                "business_unit": unit.pk,
                "kind": "platform",
                "lead": cast.leader.pk,
            },
            patch={"kind": "data"},
        ),
        "roles": Resource(
            "roles",
            ops,
            create={
                "name": "Product Analyst",
                "family": "data",
                "track": "individual",
                "level": 30,
            },
            put={
                "name": "Product Operations",
                "family": "other",
                "track": "individual",
                "level": 25,
            },
            patch={"level": 26},
        ),
        "positions": Resource(
            "positions",
            seat,
            create={
                "role": pm.pk,
                "team": team.pk,
                "reports_to": cast.leader.pk,
                "status": "open",
                "budgeted_annual_cost": "95000.00",
            },
            put={
                "role": pm.pk,
                "team": team.pk,
                "reports_to": cast.report.pk,
                "status": "filled",
                "holder": cast.subreport.pk,
                "budgeted_annual_cost": "110000.00",
            },
            patch={"status": "frozen"},
        ),
    }
