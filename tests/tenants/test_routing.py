"""Which schema a request lands in, and what hosts and tenants refuse."""

from tests.conftest import IamClient, login


def test_unknown_host_is_a_json_tenant_not_found(db):
    response = IamClient("nobody.localhost").call("GET", "/iam/users")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "tenant_not_found"
    assert response["Content-Type"] == "application/json"


def test_unknown_host_is_json_even_outside_the_api(db):
    response = IamClient("nobody.localhost").call("GET", "/admin/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "tenant_not_found"


def test_suspended_tenant_is_refused_at_once(acme_root_client, acme, owner_client):
    assert acme_root_client.call("GET", "/iam/users/me").status_code == 200

    owner_client.call("PATCH", "/iam/tenants/acme", {"is_active": False})
    response = acme_root_client.call("GET", "/iam/users/me")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "tenant_suspended"


def test_suspended_tenant_refuses_login_through_the_platform_host(
    acme_root, owner_client
):
    owner_client.call("PATCH", "/iam/tenants/acme", {"is_active": False})

    response = IamClient().call(
        "POST",
        "/iam/auth/token",
        {"account": "acme", "email": acme_root.email, "password": "x" * 20},
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "tenant_suspended"


def test_resumed_tenant_works_again(acme_root_client, owner_client):
    owner_client.call("PATCH", "/iam/tenants/acme", {"is_active": False})
    owner_client.call("PATCH", "/iam/tenants/acme", {"is_active": True})

    assert acme_root_client.call("GET", "/iam/users/me").status_code == 200


def test_platform_host_routes_password_login_by_account(acme_root, globex_root):
    tokens = login("localhost", acme_root.email, account="acme")

    me = IamClient().bearer(tokens["access_token"]).call("GET", "/iam/users/me")

    assert me.json()["urn"].startswith("urn:iam:acme:user/")


def test_platform_host_with_unknown_account_answers_like_a_wrong_password(db):
    response = IamClient().call(
        "POST",
        "/iam/auth/token",
        {"account": "nope", "email": "a@b.test", "password": "x" * 20},
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_new_domain_serves_the_tenant(owner_client, acme_root):
    owner_client.call(
        "POST", "/iam/tenants/acme/domains", {"domain": "sso.acme.localhost"}
    )

    tokens = login("sso.acme.localhost", acme_root.email)

    assert tokens["access_token"]


def test_domain_cannot_be_taken_twice(owner_client):
    response = owner_client.call(
        "POST", "/iam/tenants/globex/domains", {"domain": "acme.localhost"}
    )

    assert response.status_code == 409


def test_unknown_tenant_prefix_on_the_platform_host_is_not_the_platform(owner_client):
    keys = IamClient().call("GET", "/t/nonexistent/.well-known/jwks.json")
    tenants = owner_client.call("GET", "/t/nonexistent/iam/tenants")

    assert keys.status_code == 404
    assert keys.json()["error"]["code"] == "tenant_not_found"
    assert tenants.status_code == 404


def test_a_domain_outside_allowed_hosts_is_refused(owner_client):
    response = owner_client.call(
        "POST", "/iam/tenants/acme/domains", {"domain": "evil.example.com"}
    )

    assert response.status_code == 400
    assert "domain" in response.json()["error"]["details"]


def test_a_malformed_tenant_prefix_is_a_json_404(db):
    response = IamClient().call("GET", "/t/ACME/.well-known/jwks.json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_tenant_patch_refuses_fields_it_cannot_change(owner_client):
    response = owner_client.call("PATCH", "/iam/tenants/globex", {"slug": "zzz"})

    assert response.status_code == 400
    assert "slug" in response.json()["error"]["details"]
