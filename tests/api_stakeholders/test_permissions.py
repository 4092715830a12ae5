"""Every endpoint × the cast: anonymous 401, members read, a forbidden write 403 (and
changes nothing), an allowed write 2xx (kept in history with who made it); the actions
`confirm`, `complete`, `read` and `read-all` likewise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from stakeholders.models import Alignment, Notification, Review

from .conftest import STAKEHOLDER_RESOURCES, assert_error, soon, user_of

WRITES = ["create", "put", "patch", "delete"]
WRITABLE = [r for r in STAKEHOLDER_RESOURCES if r != "notifications"]


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
def endpoints(cast, stakes, quarter) -> dict[str, Endpoint]:
    product = stakes.product
    due = soon(100).isoformat()
    return {
        "stakeholders": Endpoint(
            "stakeholders",
            stakes.mia,
            create={
                "name": "Ravi Patel",
                "organisation": "Payments Engineering",
                "function": "engineering",
                "influence": 3,
                "interest": 4,
            },
            put={
                "name": "Mia Chen",
                "organisation": "Acme Bank plc",
                "email": "mia.chen@acme.example",
                "function": "partner",
                "influence": 4,
                "interest": 5,
            },
            patch={"influence": 5},
            # Sam owns Wallet, so he keeps stakeholders too; Omar owns no product.
            who={
                "create": ("subreport", "peer"),
                "put": ("leader", "peer"),
                "patch": ("report", "peer"),
                "delete": ("hr_user", "leader"),
            },
        ),
        "alignments": Endpoint(
            "alignments",
            stakes.omar_on_checkout,
            create={
                "stakeholder": stakes.mia.pk,
                "product": product.pk,
                "status": "neutral",
                "cadence": "biweekly",
            },
            put={
                "stakeholder": stakes.omar.pk,
                "product": product.pk,
                "status": "concerned",
                "cadence": "weekly",
                "next_touchpoint_due": "2026-11-02",
                "note": "Worried about fraud rates.",
            },
            patch={"note": "Asked for the fraud numbers."},
            who={
                "create": ("report", "peer"),
                "put": ("leader", "peer"),
                "patch": ("report", "peer"),
                "delete": ("hr_user", "subreport"),
            },
        ),
        "reviews": Endpoint(
            "reviews",
            stakes.business_review,
            create={
                "kind": "roadmap_review",
                "title": "Wallet roadmap review",
                "owner": cast.subreport.pk,
                "product": stakes.world.other_product.pk,
                "due_at": due,
            },
            put={
                "kind": "business_review",
                "title": "Checkout quarterly business review",
                "owner": cast.report.pk,
                "product": product.pk,
                "participants": [cast.peer.pk, cast.subreport.pk],
                "due_at": due,
                "time_zone": "Europe/Berlin",
                "recurrence": "monthly",
            },
            patch={"title": "Checkout QBR (finance)"},
            # Omar takes part: he reads it, and may not change it.
            who={
                "create": ("report", "peer"),
                "put": ("leader", "peer"),
                "patch": ("report", "peer"),
                "delete": ("top", "peer"),
            },
        ),
        "decisions": Endpoint(
            "decisions",
            stakes.decision,
            create={
                "title": "Keep card-on-file opt-in",
                "decision": "Opt-in",
                "product": product.pk,
                "options": ["Opt-in", "Opt-out"],
                "consulted": [stakes.omar.pk],
            },
            put={
                "title": "Launch in France first",
                "context": "Two markets are ready.",
                "options": ["France", "Spain", "Both"],
                "decision": "France, then Spain",
                "rationale": "Partner bank ready.",
                "decided_by": cast.report.pk,
                "decided_on": "2026-10-07",
                "product": product.pk,
                "consulted": [stakes.omar.pk, stakes.mia.pk],
            },
            patch={"rationale": "The partner bank signed."},
            who={
                "create": ("report", "peer"),
                "put": ("leader", "peer"),
                "patch": ("report", "peer"),
                "delete": ("hr_user", "subreport"),
            },
        ),
        "notifications": Endpoint("notifications", stakes.priyas[0], create={}, put={}, patch={}),
    }


def _write(client, endpoint: Endpoint, action: str):
    if action == "create":
        return client.post(endpoint.list_url, endpoint.create, format="json")
    if action == "put":
        return client.put(endpoint.detail_url, endpoint.put, format="json")
    if action == "patch":
        return client.patch(endpoint.detail_url, endpoint.patch, format="json")
    return client.delete(endpoint.detail_url)


def _state(endpoint: Endpoint) -> tuple:
    """Everything a write could change: the rows of the model and the object's fields."""
    model = type(endpoint.obj)
    row = model.objects.filter(pk=endpoint.obj.pk).values().first()
    return model.objects.count(), row


def _stored(obj, name: str):
    value = getattr(obj, name)
    if hasattr(value, "all"):
        return sorted(o.pk for o in value.all())
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _same(answered, given, name: str) -> bool:
    """Ids in any order; times in any ISO 8601 spelling of the same instant."""
    if isinstance(given, list) and given and isinstance(given[0], int):
        return sorted(answered) == sorted(given)
    if name.endswith("_at"):
        return datetime.fromisoformat(answered) == datetime.fromisoformat(given)
    return answered == given


ACTIONS = [
    ("post", "alignments", "omar_on_checkout", "confirm"),
    ("post", "reviews", "business_review", "complete"),
    ("post", "notifications", "omars", "read"),
]


@pytest.mark.parametrize("path", STAKEHOLDER_RESOURCES)
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


@pytest.mark.parametrize(("method", "path", "attr", "name"), ACTIONS)
def test_anonymous_actions_get_401(client_for, stakes, method, path, attr, name):
    obj = getattr(stakes, attr)
    response = client_for(None).post(f"/api/v1/{path}/{obj.pk}/{name}/", {}, format="json")
    assert_error(response, 401, "not_authenticated")
    assert_error(client_for(None).post("/api/v1/notifications/read-all/"), 401)


@pytest.mark.parametrize("path", WRITABLE)
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


@pytest.mark.parametrize(("path", "action"), [(p, a) for p in WRITABLE for a in WRITES])
def test_a_forbidden_write_is_403_and_changes_nothing(client_for, cast, endpoints, path, action):
    endpoint = endpoints[path]
    _, forbidden = endpoint.who[action]
    before = _state(endpoint)
    response = _write(client_for(user_of(cast, forbidden)), endpoint, action)
    error = assert_error(response, 403, "permission_denied")
    assert "may" in error["message"] or "Only" in error["message"]
    assert _state(endpoint) == before


@pytest.mark.parametrize("path", WRITABLE)
def test_a_login_without_a_person_writes_nothing(client_for, cast, endpoints, path):
    endpoint = endpoints[path]
    before = _state(endpoint)
    client = client_for(cast.outsider_user)
    for action in WRITES:
        assert_error(_write(client, endpoint, action), 403)
    assert _state(endpoint) == before


@pytest.mark.parametrize("path", WRITABLE)
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
        assert _same(body[name], value, name), name
        assert _same(_stored(created, name), value, name), name
    assert created.history.first().history_user == user_of(cast, allowed)


@pytest.mark.parametrize("path", WRITABLE)
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
        assert _same(body[name], value, name), name
    last = endpoint.obj.history.first()
    assert last.history_user == user
    assert last.history_type == "~"


@pytest.mark.parametrize("path", WRITABLE)
def test_allowed_delete(client_for, cast, endpoints, path):
    endpoint = endpoints[path]
    allowed, _ = endpoint.who["delete"]
    user = user_of(cast, allowed)
    response = client_for(user).delete(endpoint.detail_url)
    assert response.status_code == 204, response.content
    assert not type(endpoint.obj).objects.filter(pk=endpoint.obj.pk).exists()
    assert endpoint.obj.history.first().history_type == "-"
    assert endpoint.obj.history.first().history_user == user


# --- confirm ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["report", "leader", "top", "hr_user", "subreport", "outsider_user"]
)
def test_nobody_confirms_for_a_stakeholder_who_is_a_person(client_for, cast, stakes, who):
    """Omar confirms where he stands on Checkout; not its owner, her chain, nor HR."""
    alignment = stakes.omar_on_checkout
    before = Alignment.objects.filter(pk=alignment.pk).values().get()
    response = client_for(user_of(cast, who)).post(
        f"/api/v1/alignments/{alignment.pk}/confirm/", {"status": "aligned"}, format="json"
    )
    error = assert_error(response, 403, "permission_denied")
    assert "Omar" in error["message"]
    assert Alignment.objects.filter(pk=alignment.pk).values().get() == before


def test_the_stakeholder_confirms_their_own_alignment(client_for, cast, stakes):
    alignment = stakes.omar_on_checkout
    response = client_for(cast.peer_user).post(
        f"/api/v1/alignments/{alignment.pk}/confirm/",
        {"status": "aligned", "note": "Fraud numbers look fine."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "aligned" and body["note"] == "Fraud numbers look fine."
    assert body["can_confirm"] is True and body["can_edit"] is False
    alignment.refresh_from_db()
    assert alignment.last_confirmed_at is not None
    assert alignment.next_touchpoint_due == timezone.localdate() + timedelta(days=31)
    assert alignment.history.first().history_user == cast.peer_user


def test_a_stakeholder_may_change_only_their_own_alignment(client_for, cast, stakes):
    """Omar sees Mia's alignment on the team goal but may neither confirm nor change it,
    and he may not change his own except through confirm."""
    omar = client_for(cast.peer_user)
    mia_url = f"/api/v1/alignments/{stakes.mia_on_team_goal.pk}/"
    assert_error(omar.post(mia_url + "confirm/", {"status": "aligned"}), 403)
    assert_error(omar.patch(mia_url, {"status": "aligned"}), 403)
    own_url = f"/api/v1/alignments/{stakes.omar_on_checkout.pk}/"
    assert_error(omar.patch(own_url, {"status": "blocking"}), 403)
    assert_error(omar.delete(own_url), 403)
    assert Alignment.objects.get(pk=stakes.mia_on_team_goal.pk).status == "concerned"
    assert Alignment.objects.get(pk=stakes.omar_on_checkout.pk).status == "supportive"


@pytest.mark.parametrize(
    ("who", "status"),
    [("report", 200), ("leader", 200), ("hr_user", 200), ("peer", 403), ("subreport", 403)],
)
def test_an_external_contact_is_confirmed_by_whoever_manages_the_alignment(
    client_for, cast, stakes, who, status
):
    url = f"/api/v1/alignments/{stakes.mia_on_team_goal.pk}/confirm/"
    response = client_for(user_of(cast, who)).post(url, {"note": "Call went well."})
    assert response.status_code == status, response.json()


# --- complete ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["peer", "subreport"])
def test_participants_and_others_may_not_complete_a_review(client_for, cast, stakes, who):
    url = f"/api/v1/reviews/{stakes.business_review.pk}/complete/"
    assert_error(client_for(user_of(cast, who)).post(url, {"outcome": "Fine"}), 403)
    assert Review.objects.get(pk=stakes.business_review.pk).status == "scheduled"
    assert Review.objects.count() == 4


@pytest.mark.parametrize("who", ["report", "leader", "top", "hr_user"])
def test_the_owner_their_chain_and_hr_complete_it_and_get_the_next_occurrence(
    client_for, cast, stakes, who
):
    review = stakes.business_review
    response = client_for(user_of(cast, who)).post(
        f"/api/v1/reviews/{review.pk}/complete/", {"outcome": "Ship France"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["completed"]["id"] == review.pk
    assert body["completed"]["status"] == "done"
    assert body["completed"]["outcome"] == "Ship France"
    following = body["next"]
    assert following["series"] == review.pk and following["occurrence"] == 2
    assert following["status"] == "scheduled"
    assert following["participants"] == [cast.peer.pk]
    assert Review.objects.get(pk=following["id"]).owner == cast.report


def test_skipping_a_one_off_review_answers_no_next_occurrence(client_for, cast, stakes):
    url = f"/api/v1/reviews/{stakes.one_to_one.pk}/complete/"
    response = client_for(cast.leader_user).post(url, {"skipped": True}, format="json")
    assert response.status_code == 200
    assert response.json()["completed"]["status"] == "skipped"
    assert response.json()["next"] is None


def test_the_person_a_review_is_about_reads_it_but_does_not_complete_it(client_for, cast, stakes):
    priya = client_for(cast.report_user)
    url = f"/api/v1/reviews/{stakes.one_to_one.pk}/"
    assert priya.get(url).status_code == 200
    assert priya.get(url).json()["can_edit"] is False
    assert_error(priya.post(url + "complete/", {}), 403)
    assert_error(priya.patch(url, {"title": "Mine"}), 403)


# --- notifications ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_notifications_are_never_written_through_the_api(client_for, cast, stakes, method):
    client = client_for(cast.report_user)
    url = "/api/v1/notifications/"
    if method != "post":
        url += f"{stakes.priyas[0].pk}/"
    response = getattr(client, method)(url, {"subject": "Mine"}, format="json")
    assert_error(response, 405, "method_not_allowed")
    assert Notification.objects.get(pk=stakes.priyas[0].pk).subject == "Due: Checkout QBR"


def test_marking_read(client_for, cast, stakes):
    priya = client_for(cast.report_user)
    first = stakes.priyas[0]
    response = priya.post(f"/api/v1/notifications/{first.pk}/read/")
    assert response.status_code == 200
    assert response.json()["unread"] is False and response.json()["read_at"]
    marked = priya.post("/api/v1/notifications/read-all/")
    assert marked.status_code == 200
    assert marked.json() == {"marked": 1}  # the other in-app one; e-mail is not the bell's
    assert Notification.objects.get(pk=stakes.omars.pk).read_at is None  # not Priya's
    assert client_for(cast.outsider_user).post("/api/v1/notifications/read-all/").json() == {
        "marked": 0
    }


def test_the_api_root_lists_the_resources(client_for, cast):
    response = client_for(cast.report_user).get("/api/v1/")
    assert response.status_code == 200
    assert set(STAKEHOLDER_RESOURCES) <= set(response.json())


# --- owners and deciders -------------------------------------------------------------------


def test_an_unlinked_decision_belongs_to_who_decided_and_their_chain(client_for, cast, stakes):
    priya = client_for(cast.report_user)
    created = priya.post("/api/v1/decisions/", {"title": "Hire a PM", "decision": "Yes"})
    assert created.status_code == 201, created.json()
    assert created.json()["decided_by"] == cast.report.pk  # the caller by default
    url = f"/api/v1/decisions/{created.json()['id']}/"
    assert client_for(cast.leader_user).patch(url, {"rationale": "Load"}).status_code == 200
    assert_error(client_for(cast.peer_user).patch(url, {"rationale": "Mine"}), 403)
    # Nor may Priya hand it to someone outside her subtree, nor record one for them.
    assert_error(priya.patch(url, {"decided_by": cast.peer.pk}), 403)
    on_behalf = {"title": "T", "decision": "D", "decided_by": cast.peer.pk}
    assert_error(priya.post("/api/v1/decisions/", on_behalf), 403)


def test_a_review_is_given_only_to_someone_in_the_callers_subtree(client_for, cast, stakes):
    priya = client_for(cast.report_user)
    url = f"/api/v1/reviews/{stakes.business_review.pk}/"
    assert_error(priya.patch(url, {"owner": cast.peer.pk}), 403)
    assert priya.patch(url, {"owner": cast.subreport.pk}).status_code == 200
    assert Review.objects.get(pk=stakes.business_review.pk).owner == cast.subreport
    # Without an owner, the caller owns it.
    created = priya.post(
        "/api/v1/reviews/",
        {"kind": "stakeholder_sync", "title": "Bank sync", "due_at": soon().isoformat()},
    )
    assert created.status_code == 201 and created.json()["owner"] == cast.report.pk
