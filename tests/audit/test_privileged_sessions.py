"""The platform owner acts as a tenant's root without its password, audited."""

import jwt

from tests.conftest import IamClient


def open_session(owner_client, slug="acme", reason="ticket 42: restore access"):
    return owner_client.call(
        "POST", f"/iam/tenants/{slug}/sessions", {"reason": reason}
    )


def test_owner_gets_a_short_root_token_naming_itself_and_the_reason(
    owner_client, platform_owner, acme_root
):
    response = open_session(owner_client)

    body = response.json()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert response.status_code == 201
    assert body["expires_in"] <= 15 * 60
    assert claims["exp"] - claims["iat"] <= 15 * 60
    assert claims["sub"] == f"urn:iam:acme:user/{acme_root.id}"
    assert claims["act"] == {"sub": platform_owner.urn}
    assert claims["reason"] == "ticket 42: restore access"
    assert "refresh_token" not in body


def test_session_token_acts_as_root_in_its_tenant_only(owner_client, globex):
    token = open_session(owner_client).json()["access_token"]

    on_acme = IamClient("acme.localhost").bearer(token).call("GET", "/iam/users")
    on_globex = IamClient("globex.localhost").bearer(token).call("GET", "/iam/users")
    on_platform_api = IamClient().bearer(token).call("GET", "/iam/tenants")

    assert on_acme.status_code == 200
    assert on_globex.status_code == 401
    assert on_platform_api.status_code == 403


def test_opening_a_session_is_in_the_tenants_audit_trail(
    owner_client, platform_owner, acme_root_client
):
    open_session(owner_client)

    events = acme_root_client.call(
        "GET", "/iam/audit-events?action=iam:CreatePrivilegedSession"
    ).json()

    assert events["count"] == 1
    assert events["results"][0]["actor"] == platform_owner.urn
    assert events["results"][0]["details"]["reason"] == "ticket 42: restore access"


def test_a_reason_is_required(owner_client):
    response = owner_client.call("POST", "/iam/tenants/acme/sessions", {"reason": "  "})

    assert response.status_code == 400


def test_tenant_root_cannot_open_sessions(acme_root_client):
    response = acme_root_client.call(
        "POST", "/iam/tenants/acme/sessions", {"reason": "x"}
    )

    assert response.status_code == 403


def test_unknown_tenant_is_not_found(owner_client):
    assert open_session(owner_client, slug="nope").status_code == 404


def test_session_token_keeps_the_contracts_auth_values(owner_client):
    token = open_session(owner_client).json()["access_token"]

    claims = jwt.decode(token, options={"verify_signature": False})

    assert claims["auth"] == "password"
    assert claims["root"] is True
