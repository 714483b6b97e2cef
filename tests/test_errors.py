"""Every error under /iam/ and /.well-known/ has the contract's JSON shape."""

import pytest

from tests.conftest import IamClient


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code


def test_unknown_path_is_json_404(acme):
    assert_error(
        IamClient("acme.localhost").call("GET", "/iam/nothing/here"), 404, "not_found"
    )


def test_unknown_well_known_path_is_json_404(acme):
    assert_error(
        IamClient("acme.localhost").call("GET", "/.well-known/nothing"),
        404,
        "not_found",
    )


def test_wrong_method_is_json_405(acme):
    assert_error(
        IamClient("acme.localhost").call("GET", "/iam/auth/token"),
        405,
        "method_not_allowed",
    )


def test_non_json_body_is_json_415(acme):
    client = IamClient("acme.localhost")

    response = client.post(
        "/iam/auth/token", "email=a", content_type="application/x-www-form-urlencoded"
    )

    assert_error(response, 415, "unsupported_media_type")


def test_malformed_json_is_json_400(acme):
    assert_error(
        IamClient("acme.localhost").call("POST", "/iam/auth/token", "{not json"),
        400,
        "invalid_request",
    )


def test_missing_fields_are_a_validation_error_with_details(acme):
    response = IamClient("acme.localhost").call("POST", "/iam/auth/token", {})

    assert_error(response, 400, "validation_error")
    assert "email" in response.json()["error"]["details"]


def test_list_where_a_string_is_expected_is_a_validation_error(acme):
    response = IamClient("acme.localhost").call(
        "POST", "/iam/auth/token", {"email": ["a"], "password": {"x": 1}}
    )

    assert_error(response, 400, "validation_error")


def test_missing_credentials_are_json_401(acme):
    assert_error(
        IamClient("acme.localhost").call("GET", "/iam/users"), 401, "not_authenticated"
    )


def test_garbage_bearer_token_is_json_401(acme):
    response = IamClient("acme.localhost").bearer("not-a-jwt").call("GET", "/iam/users")

    assert_error(response, 401, "token_invalid")


def test_unexpected_exception_is_json_500_without_internals(
    acme_root_client, monkeypatch
):
    def explode(**kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("accounts.selectors.list_users", explode)
    acme_root_client.raise_request_exception = False

    response = acme_root_client.call("GET", "/iam/users")

    assert_error(response, 500, "server_error")
    assert b"secret internal detail" not in response.content


def test_oversized_body_is_refused(acme, settings):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = IamClient("acme.localhost").call(
        "POST", "/iam/auth/token", {"email": big, "password": "x"}
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("path", ["/iam/schema"])
def test_openapi_schema_is_served(acme, path):
    response = IamClient("acme.localhost").call("GET", path)

    assert response.status_code == 200
    assert b"openapi" in response.content
