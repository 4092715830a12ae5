"""Every endpoint × the cast: anonymous 401, members read but may not write, HR writes."""

from __future__ import annotations

import pytest

from .conftest import RESOURCES, assert_error

WRITES = ["create", "put", "patch", "delete"]


def _write(client, resource, action):
    if action == "create":
        return client.post(resource.list_url, resource.create, format="json")
    if action == "put":
        return client.put(resource.detail_url, resource.put, format="json")
    if action == "patch":
        return client.patch(resource.detail_url, resource.patch, format="json")
    return client.delete(resource.detail_url)


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("action", ["list", "retrieve", *WRITES])
def test_anonymous_gets_401_in_the_error_format(client_for, resources, path, action):
    resource = resources[path]
    client = client_for(None)
    if action == "list":
        response = client.get(resource.list_url)
    elif action == "retrieve":
        response = client.get(resource.detail_url)
    else:
        response = _write(client, resource, action)
    error = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    assert "fields" not in error


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("member", ["leader_user", "report_user", "peer_user", "outsider_user"])
def test_every_signed_in_member_reads(client_for, cast, resources, path, member):
    resource = resources[path]
    client = client_for(getattr(cast, member))
    listed = client.get(resource.list_url)
    assert listed.status_code == 200
    assert resource.obj.pk in {row["id"] for row in listed.json()["results"]}
    detail = client.get(resource.detail_url)
    assert detail.status_code == 200
    assert detail.json()["id"] == resource.obj.pk


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("action", WRITES)
def test_a_member_may_not_write(client_for, cast, resources, path, action):
    resource = resources[path]
    model = type(resource.obj)
    before = model.objects.count()
    response = _write(client_for(cast.leader_user), resource, action)
    error = assert_error(response, 403, "permission_denied")
    assert "HR admins" in error["message"]
    assert model.objects.count() == before


@pytest.mark.parametrize("path", RESOURCES)
def test_hr_creates(client_for, cast, resources, path):
    resource = resources[path]
    response = client_for(cast.hr_user).post(resource.list_url, resource.create, format="json")
    assert response.status_code == 201, response.json()
    created = type(resource.obj).objects.get(pk=response.json()["id"])
    for name, value in resource.create.items():
        assert str(response.json()[name]) == str(value)
        stored = getattr(created, f"{name}_id", getattr(created, name, None))
        assert str(stored) == str(value)


@pytest.mark.parametrize("path", RESOURCES)
def test_hr_replaces(client_for, cast, resources, path):
    resource = resources[path]
    response = client_for(cast.hr_user).put(resource.detail_url, resource.put, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    for name, value in resource.put.items():
        assert body[name] == value or str(body[name]) == str(value), name


@pytest.mark.parametrize("path", RESOURCES)
def test_hr_patches_and_the_change_is_kept_in_history(client_for, cast, resources, path):
    resource = resources[path]
    response = client_for(cast.hr_user).patch(resource.detail_url, resource.patch, format="json")
    assert response.status_code == 200, response.json()
    for name, value in resource.patch.items():
        assert response.json()[name] == value
    last = resource.obj.history.first()
    assert last.history_user == cast.hr_user
    for name, value in resource.patch.items():
        assert getattr(last, name) == value


@pytest.mark.parametrize("path", RESOURCES)
def test_hr_deletes(client_for, cast, resources, path):
    resource = resources[path]
    response = client_for(cast.hr_user).delete(resource.detail_url)
    assert response.status_code == 204
    assert not type(resource.obj).objects.filter(pk=resource.obj.pk).exists()
    assert resource.obj.history.first().history_type == "-"
    assert resource.obj.history.first().history_user == cast.hr_user


def test_an_unknown_object_answers_404_in_the_error_format(client_for, cast):
    response = client_for(cast.report_user).get("/api/v1/people/999999/")
    assert_error(response, 404, "not_found")


def test_the_api_root_lists_the_resources(client_for, cast):
    response = client_for(cast.report_user).get("/api/v1/")
    assert response.status_code == 200
    assert set(RESOURCES) <= set(response.json())  # the goals API adds its own
