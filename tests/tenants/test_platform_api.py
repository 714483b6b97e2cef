"""The platform API on the platform host, for the platform owner only."""

from django_tenants.utils import schema_exists

from tests.conftest import IamClient, login


def test_owner_creates_a_tenant_with_root_and_welcome_email(
    owner_client, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.call(
            "POST",
            "/iam/tenants",
            {
                "slug": "initech",
                "name": "Initech",
                "domain": "initech.localhost",
                "root_email": "root@initech.test",
            },
        )

    assert response.status_code == 201, response.content
    assert response.json()["urn"] == "urn:iam::tenant/initech"
    assert response.json()["domains"] == ["initech.localhost"]
    assert schema_exists("t_initech")
    assert outbox[0].to == ["root@initech.test"]
    assert (
        "http://initech.localhost/iam/reset-password?token=initech." in outbox[0].body
    )


def test_invalid_tenant_input_is_a_validation_error(owner_client):
    response = owner_client.call(
        "POST",
        "/iam/tenants",
        {"slug": "Bad Slug", "domain": "x.localhost", "root_email": "r@x.test"},
    )

    assert response.status_code == 400
    assert "slug" in response.json()["error"]["details"]


def test_owner_lists_reads_and_renames_tenants(owner_client, acme):
    listed = owner_client.call("GET", "/iam/tenants").json()
    renamed = owner_client.call("PATCH", "/iam/tenants/acme", {"name": "Acme Holdings"})

    assert {"acme", "globex"} <= {tenant["slug"] for tenant in listed["results"]}
    assert renamed.json()["name"] == "Acme Holdings"
    assert (
        owner_client.call("GET", "/iam/tenants/acme").json()["name"] == "Acme Holdings"
    )


def test_unknown_tenant_slug_is_not_found(owner_client):
    assert owner_client.call("GET", "/iam/tenants/nope").status_code == 404


def test_owner_sets_a_frontend_url_that_email_links_use(
    owner_client, acme, acme_root_client, outbox, django_capture_on_commit_callbacks
):
    owner_client.call(
        "PATCH", "/iam/tenants/acme", {"frontend_url": "https://app.acme.test/auth"}
    )

    with django_capture_on_commit_callbacks(execute=True):
        acme_root_client.call("POST", "/iam/users", {"email": "alice@example.test"})

    assert "https://app.acme.test/auth/reset-password?token=acme." in outbox[0].body


def test_platform_api_needs_a_token(db):
    response = IamClient().call("GET", "/iam/tenants")

    assert response.status_code == 401


def test_owner_token_is_useless_on_a_tenant_host(owner_client, acme):
    token = owner_client._credentials["HTTP_AUTHORIZATION"].split()[1]

    response = IamClient("acme.localhost").bearer(token).call("GET", "/iam/users")

    assert response.status_code == 401


def test_platform_api_is_not_served_on_a_tenant_host(acme_root_client):
    response = acme_root_client.call("GET", "/iam/tenants")

    assert response.status_code == 403


def test_owner_cannot_use_tenant_apis_on_the_platform_host(owner_client):
    response = owner_client.call("GET", "/iam/users")

    assert response.status_code == 403


def test_owner_login_without_account_on_platform_host(platform_owner):
    tokens = login("localhost", platform_owner.email)

    assert tokens["access_token"] and tokens["refresh_token"]
