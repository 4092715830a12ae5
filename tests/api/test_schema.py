"""The OpenAPI schema: valid, free of warnings, with the bearer scheme and error format."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

from tests.api_roadmaps.conftest import ROADMAP_RESOURCES

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
    for resource in RESOURCES + ROADMAP_RESOURCES:
        assert f"/api/v1/{resource}/" in schema["paths"]
        assert f"/api/v1/{resource}/{{id}}/" in schema["paths"]
    for action in (
        "/api/v1/products/{id}/transition/",
        "/api/v1/visions/{id}/history/",
        "/api/v1/goals/{id}/progress-explanation/",
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
