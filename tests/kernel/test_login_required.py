"""Anonymous visitors are sent to sign-in; htmx requests are redirected as a whole page."""


def test_anonymous_page_request_redirects_to_sign_in(client, db):
    response = client.get("/org/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/org/")


def test_expired_session_on_htmx_request_redirects_the_whole_page(client, db):
    response = client.get("/org/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=/org/")


def test_api_answers_401_not_a_redirect(client, db):
    response = client.get("/api/v1/people/")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401


def test_unknown_page_renders_the_styled_404(client, cast):
    client.force_login(cast.leader_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"couldn't find that page" in response.content


def test_unknown_api_path_answers_404_in_the_api_error_format(client, db):
    response = client.get("/api/v1/no-such-things/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == {
        "status": 404,
        "code": "not_found",
        "message": "No such API resource: /api/v1/no-such-things/",
    }
