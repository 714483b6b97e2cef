"""The platform owner acts as a tenant's root without its password, audited."""

import jwt
import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from credentials.models import AccessKey, SSHPublicKey
from tests.conftest import PASSWORD, IamClient, make_user, root_of
from tests.credentials.conftest import openssh_public_key


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


def session_client(owner_client, slug):
    token = open_session(owner_client, slug=slug).json()["access_token"]
    return IamClient(f"{slug}.localhost").bearer(token)


LASTING_CREDENTIAL_CALLS = {
    "access-key": ("POST", "/iam/users/{user}/credentials", None),
    "ssh-key": ("POST", "/iam/users/{user}/ssh-keys", "ssh"),
    "password": (
        "POST",
        "/iam/users/me/password",
        {"current_password": PASSWORD, "new_password": "another long passphrase 7"},
    ),
    "email": ("PATCH", "/iam/users/{user}", {"email": "owner@evil.test"}),
}


def lasting_credentials_of(tenant, user):
    with tenant_context(tenant):
        fresh = User.objects.get(id=user.id)
        return (
            AccessKey.objects.filter(user=user).count(),
            SSHPublicKey.objects.filter(user=user).count(),
            fresh.password,
            fresh.unconfirmed_email,
        )


# (call, whose credential): a password is changed through `me` only.
LASTING_CREDENTIAL_CASES = [
    (call, target)
    for call in LASTING_CREDENTIAL_CALLS
    for target in (["me"] if call == "password" else ["me", "root", "user"])
]


@pytest.mark.parametrize("slug", ["acme", "globex"])
@pytest.mark.parametrize(("call", "target"), LASTING_CREDENTIAL_CASES)
def test_session_cannot_mint_or_change_lasting_credentials(
    request, owner_client, slug, call, target
):
    tenant = request.getfixturevalue(slug)
    root = root_of(tenant)
    user = root if target != "user" else make_user(tenant, email=f"u@{slug}.test")
    method, path, body = LASTING_CREDENTIAL_CALLS[call]
    body = {"public_key": openssh_public_key()} if body == "ssh" else body
    before = lasting_credentials_of(tenant, user)
    client = session_client(owner_client, slug)

    response = client.call(
        method, path.format(user="me" if target == "me" else user.id), body
    )

    assert response.status_code == 403, response.content
    assert lasting_credentials_of(tenant, user) == before


@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_authorize_names_the_privileged_session_guard(request, owner_client, slug):
    root = root_of(request.getfixturevalue(slug))
    question = {
        "action": "iam:CreateAccessKey",
        "resource": f"urn:iam:{slug}:user/{root.id}",
    }

    answer = session_client(owner_client, slug).call("POST", "/iam/authorize", question)

    assert answer.json()["decision"] == "explicit_deny"
    assert answer.json()["sid"] == "PrivilegedSessionCannotMintCredentials"


def test_session_may_still_act_as_root_otherwise(owner_client, acme):
    client = session_client(owner_client, "acme")

    renamed = client.call("PATCH", "/iam/users/me", {"name": "Root"})
    created = client.call("POST", "/iam/users", {"email": "new@acme.test"})

    assert (renamed.status_code, created.status_code) == (200, 201)


def test_roots_own_token_still_creates_its_access_key(acme_root_client):
    response = acme_root_client.call("POST", "/iam/users/me/credentials")

    assert response.status_code == 201
