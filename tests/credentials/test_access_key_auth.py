"""Logging in with an access key: the token endpoint and Basic auth."""

import base64

import jwt
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.models import User
from credentials import access_keys, hashing
from credentials.models import AccessKey
from credentials.tokens import issue_access_token
from tenants.services import update_tenant
from tests.conftest import IamClient, make_user
from tests.credentials.conftest import new_key


def exchange(host, key_id, secret):
    return IamClient(host).call(
        "POST",
        "/iam/auth/token",
        {"access_key_id": key_id, "secret_access_key": secret},
    )


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


def test_key_pair_is_exchanged_for_tokens_that_name_the_key(acme, alice):
    key_id, secret = new_key(acme, alice)

    response = exchange("acme.localhost", key_id, secret)

    assert response.status_code == 200, response.content
    claims = claims_of(response.json()["access_token"])
    assert claims["auth"] == "access_key"
    assert claims["akid"] == key_id
    assert claims["sub"] == f"urn:iam:acme:user/{alice.id}"
    assert claims["tenant"] == "acme"


def test_token_from_a_key_works_on_the_api(acme, alice):
    key_id, secret = new_key(acme, alice)
    token = exchange("acme.localhost", key_id, secret).json()["access_token"]

    response = IamClient("acme.localhost").bearer(token).call("GET", "/iam/users/me")

    assert response.status_code == 200
    assert response.json()["email"] == alice.email


def test_refresh_token_from_a_key_keeps_the_key_claims(acme, alice):
    key_id, secret = new_key(acme, alice)
    pair = exchange("acme.localhost", key_id, secret).json()

    refreshed = IamClient("acme.localhost").call(
        "POST", "/iam/auth/refresh", {"refresh_token": pair["refresh_token"]}
    )

    assert refreshed.status_code == 200
    assert claims_of(refreshed.json()["access_token"])["akid"] == key_id


def _wrong_secret(tenant, user, key_id, secret):
    return key_id, secret[:-1] + ("A" if secret[-1] != "A" else "B")


def _unknown_id(tenant, user, key_id, secret):
    return "IAMK" + "2" * 16, secret


def _inactive_key(tenant, user, key_id, secret):
    with tenant_context(tenant):
        AccessKey.objects.filter(access_key_id=key_id).update(status="inactive")
    return key_id, secret


def _deleted_key(tenant, user, key_id, secret):
    with tenant_context(tenant):
        access_keys.delete_access_key(key=AccessKey.objects.get(access_key_id=key_id))
    return key_id, secret


def _inactive_user(tenant, user, key_id, secret):
    with tenant_context(tenant):
        User.objects.filter(id=user.id).update(is_active=False)
    return key_id, secret


REFUSALS = [_wrong_secret, _unknown_id, _inactive_key, _deleted_key, _inactive_user]


@pytest.mark.parametrize("spoil", REFUSALS, ids=lambda f: f.__name__.strip("_"))
def test_refused_key_gets_the_same_401_as_a_wrong_secret(acme, alice, spoil):
    key_id, secret = spoil(acme, alice, *new_key(acme, alice))

    response = exchange("acme.localhost", key_id, secret)

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "invalid_credentials",
            "message": "The credentials are not valid.",
            "details": {},
        }
    }


@pytest.mark.parametrize("spoil", REFUSALS, ids=lambda f: f.__name__.strip("_"))
def test_refused_key_gets_the_same_401_with_basic_auth(acme, alice, spoil):
    key_id, secret = spoil(acme, alice, *new_key(acme, alice))

    response = (
        IamClient("acme.localhost").basic(key_id, secret).call("GET", "/iam/users/me")
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert "Authorization" not in response


@pytest.mark.parametrize("spoil", [_wrong_secret, _unknown_id, _inactive_key])
def test_every_refusal_costs_exactly_one_hmac(acme, alice, spoil, monkeypatch):
    key_id, secret = spoil(acme, alice, *new_key(acme, alice))
    calls = []
    real = hashing.hash_secret
    monkeypatch.setattr(
        hashing, "hash_secret", lambda **kw: calls.append(1) or real(**kw)
    )

    exchange("acme.localhost", key_id, secret)

    assert len(calls) == 1


def test_key_of_one_tenant_is_refused_on_another_tenants_host(acme, alice, globex):
    key_id, secret = new_key(acme, alice)

    response = exchange("globex.localhost", key_id, secret)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_key_of_one_tenant_is_refused_with_basic_on_another_tenants_host(
    acme, alice, globex
):
    key_id, secret = new_key(acme, alice)

    response = (
        IamClient("globex.localhost").basic(key_id, secret).call("GET", "/iam/users/me")
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_platform_host_routes_a_key_to_its_tenant(acme, alice):
    key_id, secret = new_key(acme, alice)

    response = exchange("localhost", key_id, secret)

    assert response.status_code == 200, response.content
    assert claims_of(response.json()["access_token"])["tenant"] == "acme"


def test_platform_host_routes_basic_auth_to_the_keys_tenant(acme, alice):
    key_id, secret = new_key(acme, alice)

    response = IamClient("localhost").basic(key_id, secret).call("GET", "/iam/users/me")

    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(alice.id)


def test_platform_host_refuses_an_unknown_key(db):
    response = exchange("localhost", "IAMK" + "2" * 16, "x" * 40)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_platform_host_refuses_basic_with_an_unknown_key(db):
    response = (
        IamClient("localhost")
        .basic("IAMK" + "2" * 16, "x" * 40)
        .call("GET", "/iam/users/me")
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_key_of_a_suspended_tenant_cannot_get_a_token(acme, alice):
    key_id, secret = new_key(acme, alice)
    update_tenant(tenant=acme, is_active=False)

    response = exchange("localhost", key_id, secret)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "tenant_suspended"


def test_login_body_mixing_password_and_key_is_refused(acme, alice):
    key_id, secret = new_key(acme, alice)

    response = IamClient("acme.localhost").call(
        "POST",
        "/iam/auth/token",
        {
            "email": alice.email,
            "password": "whatever",
            "access_key_id": key_id,
            "secret_access_key": secret,
        },
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "not both" in error["details"]["non_field_errors"][0]


def test_key_id_without_secret_is_a_validation_error(acme, alice):
    key_id, _ = new_key(acme, alice)

    response = IamClient("acme.localhost").call(
        "POST", "/iam/auth/token", {"access_key_id": key_id}
    )

    assert response.status_code == 400
    assert "secret_access_key" in response.json()["error"]["details"]


def test_basic_auth_answers_with_a_bearer_token(acme, alice):
    key_id, secret = new_key(acme, alice)

    response = (
        IamClient("acme.localhost").basic(key_id, secret).call("GET", "/iam/users/me")
    )

    assert response.status_code == 200
    scheme, token = response["Authorization"].split()
    assert scheme == "Bearer"
    assert claims_of(token)["akid"] == key_id
    assert "no-store" in response["Cache-Control"]


def test_bearer_token_from_basic_auth_works_on_its_own(acme, alice):
    key_id, secret = new_key(acme, alice)
    issued = (
        IamClient("acme.localhost").basic(key_id, secret).call("GET", "/iam/users/me")
    )
    token = issued["Authorization"].split()[1]

    response = IamClient("acme.localhost").bearer(token).call("GET", "/iam/users/me")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"no-colon-here").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
    ],
)
def test_malformed_basic_header_is_invalid_credentials(db, header):
    client = IamClient("acme.localhost")
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.call("GET", "/iam/users/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_deactivating_a_key_ends_the_refresh_tokens_it_obtained(
    acme, alice, alice_client
):
    key_id, secret = new_key(acme, alice)
    pair = exchange("acme.localhost", key_id, secret).json()
    alice_client.call(
        "PATCH", f"/iam/users/me/credentials/{key_id}", {"status": "inactive"}
    )

    response = IamClient("acme.localhost").call(
        "POST", "/iam/auth/refresh", {"refresh_token": pair["refresh_token"]}
    )

    assert response.status_code == 401


def test_stored_hash_does_not_verify_without_the_server_pepper(acme, alice, settings):
    key_id, secret = new_key(acme, alice)
    settings.IAM_ACCESS_KEY_PEPPER = "a different server-side key"

    response = exchange("acme.localhost", key_id, secret)

    assert response.status_code == 401


def _key_updates(queries):
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("UPDATE") and "credentials_accesskey" in q["sql"]
    ]


def test_last_used_is_written_on_first_use(acme, alice):
    key_id, secret = new_key(acme, alice)

    with tenant_context(acme), CaptureQueriesContext(connection) as queries:
        _, key = access_keys.authenticate_access_key(
            access_key_id=key_id, secret=secret
        )

    assert len(_key_updates(queries)) == 1
    with tenant_context(acme):
        assert AccessKey.objects.get(pk=key.pk).last_used_at is not None


def test_last_used_is_not_written_again_within_the_minute(acme, alice):
    key_id, secret = new_key(acme, alice)
    with tenant_context(acme):
        access_keys.authenticate_access_key(access_key_id=key_id, secret=secret)

        with CaptureQueriesContext(connection) as queries:
            for _ in range(3):
                access_keys.authenticate_access_key(access_key_id=key_id, secret=secret)

    assert _key_updates(queries) == []


def test_last_used_is_written_again_once_the_gate_expires(acme, alice):
    key_id, secret = new_key(acme, alice)
    with tenant_context(acme):
        access_keys.authenticate_access_key(access_key_id=key_id, secret=secret)
        # What a minute passing does to the gate.
        cache.delete(f"access-key-used:{key_id}")

        with CaptureQueriesContext(connection) as queries:
            access_keys.authenticate_access_key(access_key_id=key_id, secret=secret)

    assert len(_key_updates(queries)) == 1


# --- access tokens minted by a key end with the key ------------------------


def key_token_client(tenant, user):
    """A client holding an access token minted by a new key of the user."""
    host = tenant.domains.get(is_primary=True).domain
    key_id, secret = new_key(tenant, user)
    token = exchange(host, key_id, secret).json()["access_token"]
    return key_id, IamClient(host).bearer(token)


def change_key(tenant, key_id, change):
    with tenant_context(tenant):
        key = AccessKey.objects.get(access_key_id=key_id)
        if change == "delete":
            access_keys.delete_access_key(key=key)
        else:
            access_keys.update_access_key(key=key, status=AccessKey.Status.INACTIVE)


@pytest.mark.parametrize("change", ["deactivate", "delete"])
@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_revoking_a_key_ends_the_access_tokens_it_minted_at_once(request, slug, change):
    tenant = request.getfixturevalue(slug)
    owner = make_user(tenant, email=f"owner@{slug}.test")
    key_id, client = key_token_client(tenant, owner)
    assert client.call("GET", "/iam/users/me").status_code == 200

    change_key(tenant, key_id, change)
    response = client.call("GET", "/iam/users/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"


def test_deleting_a_user_forgets_the_state_of_its_keys(acme, alice):
    key_id, client = key_token_client(acme, alice)
    client.call("GET", "/iam/users/me")

    with tenant_context(acme):
        access_keys.delete_access_keys_of(user=alice)
        usable = access_keys.is_access_key_usable(
            access_key_id=key_id, user_id=alice.id
        )

    assert usable is False


def test_a_token_naming_another_users_key_is_refused(acme, alice, bob):
    bobs_key_id, _ = new_key(acme, bob)
    with tenant_context(acme):
        token, _ = issue_access_token(
            alice, auth_method="access_key", access_key_id=bobs_key_id
        )

    response = IamClient("acme.localhost").bearer(token).call("GET", "/iam/users/me")

    assert response.status_code == 401


def test_a_revoked_keys_state_reaches_the_cache_when_the_change_commits(
    acme, alice, django_capture_on_commit_callbacks
):
    key_id, client = key_token_client(acme, alice)
    client.call("GET", "/iam/users/me")

    with django_capture_on_commit_callbacks(execute=True):
        change_key(acme, key_id, "deactivate")
    with tenant_context(acme), CaptureQueriesContext(connection) as captured:
        usable = access_keys.is_access_key_usable(
            access_key_id=key_id, user_id=alice.id
        )

    assert usable is False
    assert [q for q in captured if not q["sql"].startswith("SET search_path")] == []
