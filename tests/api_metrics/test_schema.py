"""The metric endpoints in the OpenAPI schema: every operation, with the bulk upload's
request, its counts and its per-row errors documented."""

from __future__ import annotations

import pytest


@pytest.fixture
def schema(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def test_every_metric_operation_is_documented(schema):
    paths = schema["paths"]
    expected = {
        "/api/v1/metrics/": {"get": {"200", "400", "401"}, "post": {"201", "400", "401", "403"}},
        "/api/v1/metrics/{id}/": {
            "get": {"200", "401", "404"},
            "put": {"200", "400", "401", "403", "404"},
            "patch": {"200", "400", "401", "403", "404"},
            "delete": {"204", "400", "401", "403", "404"},
        },
        "/api/v1/metric-observations/": {
            "get": {"200", "400", "401"},
            "post": {"200", "201", "400", "401", "403"},
        },
        "/api/v1/metric-observations/{id}/": {"get": {"200", "401", "404"}},
        "/api/v1/metric-observations/bulk/": {"post": {"200", "201", "400", "401"}},
        "/api/v1/metric-rollups/": {"get": {"200", "400", "401"}},
        "/api/v1/metric-rollups/{id}/": {"get": {"200", "401", "404"}},
    }
    for path, operations in expected.items():
        assert set(paths[path]) - {"parameters"} == set(operations), path
        for method, statuses in operations.items():
            assert set(paths[path][method]["responses"]) == statuses, (path, method)


def test_the_lists_document_their_filters(schema):
    def params(path):
        return {p["name"] for p in schema["paths"][path]["get"]["parameters"]}

    assert {"key", "product", "owner", "aggregation", "search", "ordering"} <= params(
        "/api/v1/metrics/"
    )
    assert {"metric", "product", "from", "to", "source", "ordering", "page"} <= params(
        "/api/v1/metric-observations/"
    )
    assert {"metric", "scope", "scope_id", "grain", "from", "to", "ordering"} <= params(
        "/api/v1/metric-rollups/"
    )


def test_the_bulk_upload_documents_its_envelope_counts_and_row_errors(schema):
    bulk = schema["paths"]["/api/v1/metric-observations/bulk/"]["post"]
    body = bulk["requestBody"]["content"]["application/json"]["schema"]
    assert body == ref("ObservationBulkRequest")
    components = schema["components"]["schemas"]
    rows = components["ObservationBulkRequest"]["properties"]["observations"]
    assert rows["type"] == "array" and rows["items"] == ref("ObservationRowRequest")
    assert set(components["ObservationRowRequest"]["required"]) == {
        "metric",
        "product",
        "timestamp",
        "value",
    }
    answers = bulk["responses"]
    counts = answers["201"]["content"]["application/json"]["schema"]
    assert counts == ref("IngestResult")
    assert set(components["IngestResult"]["properties"]) == {"created", "updated", "unchanged"}
    error = answers["400"]["content"]["application/json"]["schema"]
    assert error == ref("ObservationUploadError")
    fields = components["ObservationUploadErrorFields"]["properties"]["rows"]
    assert fields["items"] == ref("ObservationRowError")
