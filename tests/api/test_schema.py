"""The OpenAPI schema: valid, free of warnings, with the bearer scheme and error format."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

from tests.api_roadmaps.conftest import ROADMAP_RESOURCES
from tests.api_stakeholders.conftest import STAKEHOLDER_RESOURCES

from .conftest import RESOURCES


def test_the_schema_validates_without_warnings(tmp_path):
    # A fresh process: drf-spectacular's warning counter is global to the process.
    out = tmp_path / "schema.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", out],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    for resource in RESOURCES + ROADMAP_RESOURCES + STAKEHOLDER_RESOURCES:
        assert f"/api/v1/{resource}/" in schema["paths"]
        assert f"/api/v1/{resource}/{{id}}/" in schema["paths"]
    for action in (
        "/api/v1/products/{id}/transition/",
        "/api/v1/visions/{id}/history/",
        "/api/v1/goals/{id}/progress-explanation/",
        "/api/v1/alignments/{id}/confirm/",
        "/api/v1/reviews/{id}/complete/",
        "/api/v1/notifications/{id}/read/",
    ):
        responses = next(iter(schema["paths"][action].values()))["responses"]
        assert {"200", "401", "404"} <= set(responses), action


def test_the_schema_shows_the_bearer_scheme_errors_and_pagination(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    people = schema["paths"]["/api/v1/people/"]
    assert {"bearerAuth": []} in people["get"]["security"]
    assert set(people["get"]["responses"]) == {"200", "400", "401"}
    assert set(people["post"]["responses"]) == {"201", "400", "401", "403"}
    one = schema["paths"]["/api/v1/people/{id}/"]
    assert set(one["delete"]["responses"]) == {"204", "400", "401", "403", "404"}
    error_ref = people["post"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert error_ref == {"$ref": "#/components/schemas/Error"}
    page = schema["components"]["schemas"]["PaginatedPersonList"]["properties"]
    assert set(page) == {"count", "next", "previous", "results"}
    params = {p["name"] for p in people["get"]["parameters"]}
    assert {"team", "business_unit", "role", "manager", "is_active", "search", "under"} <= params
    assert {"ordering", "page", "page_size"} <= params
    cost = schema["components"]["schemas"]["Position"]["properties"]["budgeted_annual_cost"]
    assert cost["nullable"] is True and "Private" in cost["description"]


def test_the_docs_are_served_without_a_cdn(client, db):
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_the_goals_api_documents_its_filters_and_privacy(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    goals = schema["paths"]["/api/v1/goals/"]["get"]
    params = {p["name"] for p in goals["parameters"]}
    assert {"period", "level", "owner", "business_unit", "team", "product"} <= params
    assert {"status", "visibility", "search", "page", "page_size", "ordering"} <= params
    transition = schema["paths"]["/api/v1/products/{id}/transition/"]["post"]
    assert set(transition["responses"]) == {"200", "400", "401", "403", "404"}
    stages = schema["components"]["schemas"]["LifecycleStageEnum"]["enum"]
    assert stages[0] == "discovery" and "retired" in stages
    term = schema["components"]["schemas"]["ProgressTerm"]["properties"]
    assert term["title"]["nullable"] is True and "hidden" in term
    assert "Private goals" in schema["info"]["description"]


def test_the_stakeholders_api_documents_its_filters_actions_and_privacy(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]

    def params(path):
        return {p["name"] for p in paths[path]["get"]["parameters"]}

    assert {"function", "quadrant", "influence_min", "interest_min", "person", "search"} <= params(
        "/api/v1/stakeholders/"
    )
    assert {"stakeholder", "product", "goal", "status", "overdue", "under"} <= params(
        "/api/v1/alignments/"
    )
    assert {"owner", "kind", "status", "due_before", "due_after", "product", "goal"} <= params(
        "/api/v1/reviews/"
    )
    assert {"person", "under"} <= params("/api/v1/reviews/")
    assert {"product", "goal", "decided_by", "search", "decided_after", "decided_before"} <= (
        params("/api/v1/decisions/")
    )
    assert {"channel", "unread", "kind"} <= params("/api/v1/notifications/")
    for action in ("/api/v1/alignments/{id}/confirm/", "/api/v1/reviews/{id}/complete/"):
        assert set(paths[action]["post"]["responses"]) == {"200", "400", "401", "403", "404"}
    completion = schema["components"]["schemas"]["ReviewCompletion"]["properties"]
    assert completion["next"]["nullable"] is True
    read_all = paths["/api/v1/notifications/read-all/"]["post"]
    assert set(read_all["responses"]) == {"200", "401"}
    # Notifications are read-only: no create, change or delete.
    assert set(paths["/api/v1/notifications/"]) == {"get"}
    assert set(paths["/api/v1/notifications/{id}/"]) == {"get"}
    assert schema["components"]["schemas"]["Stakeholder"]["properties"]["quadrant"]["readOnly"]
    assert "private" in schema["components"]["schemas"]["Review"]["properties"]
    assert schema["components"]["schemas"]["AlignmentStatusEnum"]["enum"][0] == "aligned"
    assert "Notifications are seen by their recipient only" in schema["info"]["description"]
