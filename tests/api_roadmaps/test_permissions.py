"""Every endpoint × the cast: anonymous 401, members read, a forbidden write 403 (and
changes nothing), an allowed write 2xx (kept in history with who made it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pytest

from roadmaps.models import CheckIn, GoalLink

from .conftest import ROADMAP_RESOURCES, assert_error, user_of

WRITES = ["create", "put", "patch", "delete"]


@dataclass
class Endpoint:
    """One resource: an object to act on, payloads, and who may and may not write."""

    path: str
    obj: object
    create: dict
    put: dict
    patch: dict
    # action -> (a member allowed to do it, a member who sees the object but may not)
    who: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def list_url(self) -> str:
        return f"/api/v1/{self.path}/"

    @property
    def detail_url(self) -> str:
        return f"/api/v1/{self.path}/{self.obj.pk}/"


@pytest.fixture
def endpoints(cast, world, quarter) -> dict[str, Endpoint]:
    unit, team = cast.report.business_unit, cast.report.team
    goals = world.goals
    return {
        "products": Endpoint(
            "products",
            world.product,
            create={"name": "Payouts", "slug": "payouts", "business_unit": unit.pk},
            put={
                "name": "Checkout",
                "slug": "checkout",
                "business_unit": unit.pk,
                "team": team.pk,
                "owner": cast.subreport.pk,
                "vision_statement": "Pay in one tap.",
            },
            patch={"vision_statement": "Pay in one tap, anywhere."},
            who={
                "create": ("hr_user", "leader"),
                "put": ("leader", "peer"),
                "patch": ("report", "peer"),
                "delete": ("hr_user", "report"),
            },
        ),
        "periods": Endpoint(
            "periods",
            world.spare_period,
            create={
                "name": "2027-Q2",
                "kind": "quarter",
                "start": "2027-04-01",
                "end": "2027-06-30",
            },
            put={"name": "2027 H1", "kind": "half", "start": "2027-01-01", "end": "2027-06-30"},
            patch={"name": "First half 2027"},
            who={action: ("hr_user", "top") for action in WRITES},
        ),
        "visions": Endpoint(
            "visions",
            world.product_vision,
            create={
                "scope": "product",
                "product": world.other_product.pk,
                "statement": "A wallet people keep.",
            },
            put={
                "scope": "product",
                "product": world.product.pk,
                "statement": "Checkout in one tap, everywhere.",
                "pillars": ["Speed", "Reach"],
                "horizon": "2027–2029",
            },
            patch={"statement": "Checkout nobody notices."},
            who={
                "create": ("report", "peer"),
                "put": ("leader", "peer"),
                "patch": ("report", "peer"),
                "delete": ("hr_user", "peer"),
            },
        ),
        "goals": Endpoint(
            "goals",
            goals["team"],
            create={
                "title": "Halve checkout drop-off",
                "level": "individual",
                "period": quarter.pk,
                "owner": cast.subreport.pk,
            },
            put={
                "title": "Ship one-click checkout to all markets",
                "level": "team",
                "period": quarter.pk,
                "owner": cast.report.pk,
                "status": "at_risk",
                "visibility": "public",
            },
            patch={"status": "at_risk"},
            who={
                "create": ("report", "peer"),
                "put": ("leader", "peer"),
                "patch": ("top", "peer"),
                "delete": ("report", "peer"),
            },
        ),
        "goal-links": Endpoint(
            "goal-links",
            world.link,
            create={"child": goals["team"].pk, "parent": goals["company"].pk, "kind": "supports"},
            put={
                "child": goals["team"].pk,
                "parent": goals["unit"].pk,
                "kind": "contributes",
                "weight": "3.00",
            },
            patch={"weight": "2.50"},
            who={action: ("report", "peer") for action in WRITES} | {"put": ("leader", "peer")},
        ),
        "key-results": Endpoint(
            "key-results",
            world.key_result,
            create={
                "goal": goals["team"].pk,
                "title": "Checkout p95 latency",
                "unit": "ms",
                "start_value": "800",
                "target_value": "400",
                "direction": "decrease",
            },
            put={
                "goal": goals["team"].pk,
                "title": "Conversion",
                "unit": "%",
                "start_value": "0.0000",
                "target_value": "20.0000",
                "direction": "increase",
                "weight": "2.00",
            },
            patch={"title": "Checkout conversion"},
            who={action: ("report", "peer") for action in WRITES} | {"put": ("top", "peer")},
        ),
        "check-ins": Endpoint(
            "check-ins",
            world.check_in,
            create={"key_result": world.key_result.pk, "value": "7", "note": "Two markets live."},
            put={},
            patch={},
            who={"create": ("leader", "peer")},
        ),
        "roadmap-items": Endpoint(
            "roadmap-items",
            world.item,
            create={
                "product": world.product.pk,
                "title": "Saved cards",
                "horizon": "next",
                "goals": [goals["team"].pk],
            },
            put={
                "product": world.product.pk,
                "title": "One-tap checkout",
                "description": "Behind a flag first.",
                "horizon": "",
                "target_period": quarter.pk,
                "status": "in_progress",
                "owner": cast.subreport.pk,
                "goals": [goals["team"].pk],
            },
            patch={"status": "done"},
            who={action: ("report", "peer") for action in WRITES} | {"put": ("leader", "peer")},
        ),
    }


def _write(client, endpoint: Endpoint, action: str):
    if action == "create":
        return client.post(endpoint.list_url, endpoint.create, format="json")
    if action == "put":
        return client.put(endpoint.detail_url, endpoint.put, format="json")
    if action == "patch":
        return client.patch(endpoint.detail_url, endpoint.patch, format="json")
    return client.delete(endpoint.detail_url)


def _same(answered, given) -> bool:
    """The API and the database answer numbers in their own precision ("7.0000")."""
    try:
        return Decimal(str(answered)) == Decimal(str(given))
    except (InvalidOperation, ValueError):
        return str(answered) == str(given)


def _state(endpoint: Endpoint) -> tuple:
    """Everything a write could change: the rows of the model and the object's fields."""
    model = type(endpoint.obj)
    row = model.objects.filter(pk=endpoint.obj.pk).values().first()
    return model.objects.count(), row


@pytest.mark.parametrize("path", ROADMAP_RESOURCES)
@pytest.mark.parametrize("action", ["list", "retrieve", *WRITES])
def test_anonymous_gets_401_in_the_error_format(client_for, endpoints, path, action):
    endpoint = endpoints[path]
    client = client_for(None)
    if action == "list":
        response = client.get(endpoint.list_url)
    elif action == "retrieve":
        response = client.get(endpoint.detail_url)
    else:
        response = _write(client, endpoint, action)
    error = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    assert "fields" not in error


@pytest.mark.parametrize("path", ROADMAP_RESOURCES)
@pytest.mark.parametrize("member", ["leader", "report", "peer", "outsider_user", "hr_user"])
def test_every_signed_in_member_reads(client_for, cast, endpoints, path, member):
    endpoint = endpoints[path]
    client = client_for(user_of(cast, member))
    listed = client.get(endpoint.list_url)
    assert listed.status_code == 200
    assert endpoint.obj.pk in {row["id"] for row in listed.json()["results"]}
    detail = client.get(endpoint.detail_url)
    assert detail.status_code == 200
    assert detail.json()["id"] == endpoint.obj.pk


# Check-ins are only ever created (a later reading corrects an earlier one).
WRITE_CASES = [
    (p, a) for p in ROADMAP_RESOURCES for a in WRITES if p != "check-ins" or a == "create"
]


@pytest.mark.parametrize(("path", "action"), WRITE_CASES)
def test_a_forbidden_write_is_403_and_changes_nothing(client_for, cast, endpoints, path, action):
    endpoint = endpoints[path]
    _, forbidden = endpoint.who[action]
    before = _state(endpoint)
    response = _write(client_for(user_of(cast, forbidden)), endpoint, action)
    error = assert_error(response, 403, "permission_denied")
    assert "may" in error["message"] or "Only" in error["message"]
    assert _state(endpoint) == before


@pytest.mark.parametrize("path", ROADMAP_RESOURCES)
def test_allowed_create(client_for, cast, endpoints, path):
    endpoint = endpoints[path]
    allowed, _ = endpoint.who["create"]
    response = client_for(user_of(cast, allowed)).post(
        endpoint.list_url, endpoint.create, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    created = type(endpoint.obj).objects.get(pk=body["id"])
    for name, value in endpoint.create.items():
        stored = getattr(created, f"{name}_id", None) or getattr(created, name)
        if name == "goals":
            assert sorted(body[name]) == sorted(value)
            assert sorted(g.pk for g in stored.all()) == sorted(value)
            continue
        assert _same(body[name], value), name
        assert _same(stored, value), name


@pytest.mark.parametrize("path", [p for p in ROADMAP_RESOURCES if p != "check-ins"])
@pytest.mark.parametrize("action", ["put", "patch"])
def test_allowed_change_is_kept_in_history(client_for, cast, endpoints, path, action):
    endpoint = endpoints[path]
    allowed, _ = endpoint.who[action]
    user = user_of(cast, allowed)
    payload = getattr(endpoint, action)
    response = _write(client_for(user), endpoint, action)
    assert response.status_code == 200, response.json()
    body = response.json()
    for name, value in payload.items():
        assert body[name] == value or _same(body[name], value), name
    if hasattr(endpoint.obj, "history"):
        last = endpoint.obj.history.first()
        assert last.history_user == user
        assert last.history_type == "~"


@pytest.mark.parametrize("path", [p for p in ROADMAP_RESOURCES if p != "check-ins"])
def test_allowed_delete(client_for, cast, endpoints, path):
    endpoint = endpoints[path]
    allowed, _ = endpoint.who["delete"]
    user = user_of(cast, allowed)
    response = client_for(user).delete(endpoint.detail_url)
    assert response.status_code == 204, response.content
    assert not type(endpoint.obj).objects.filter(pk=endpoint.obj.pk).exists()
    if hasattr(endpoint.obj, "history"):
        assert endpoint.obj.history.first().history_type == "-"
        assert endpoint.obj.history.first().history_user == user


@pytest.mark.parametrize("action", ["put", "patch", "delete"])
def test_a_check_in_is_never_changed_afterwards(client_for, cast, world, action):
    url = f"/api/v1/check-ins/{world.check_in.pk}/"
    client = client_for(cast.hr_user)
    response = getattr(client, action)(url, {"value": "9"}, format="json")
    assert_error(response, 405, "method_not_allowed")
    assert CheckIn.objects.get(pk=world.check_in.pk).value == world.check_in.value


def test_a_link_is_changed_by_whoever_may_change_its_child(client_for, cast, world):
    # Omar can see both goals of the link, but the child is Priya's: he may not reweigh it.
    url = f"/api/v1/goal-links/{world.link.pk}/"
    assert_error(client_for(cast.peer_user).patch(url, {"weight": 5}), 403)
    assert client_for(cast.subreport.user).patch(url, {"weight": 5}).status_code == 403
    assert client_for(cast.report_user).patch(url, {"weight": 5}).status_code == 200
    assert GoalLink.objects.get(pk=world.link.pk).weight == 5


def test_the_api_root_lists_the_resources(client_for, cast):
    response = client_for(cast.report_user).get("/api/v1/")
    assert response.status_code == 200
    assert set(ROADMAP_RESOURCES) <= set(response.json())
