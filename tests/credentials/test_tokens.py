"""Access tokens: claims, tenant binding, and forged tokens refused."""

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django_tenants.utils import tenant_context

from accounts import services as accounts
from credentials import signing
from credentials.tokens import issue_access_token
from tests.conftest import IamClient, login, make_user


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_access_token_carries_the_contract_claims(acme_root):
    tokens = login("acme.localhost", acme_root.email)

    claims = claims_of(tokens["access_token"])
    header = jwt.get_unverified_header(tokens["access_token"])

    assert header["alg"] == "ES256" and header["kid"]
    assert claims["iss"] == "http://localhost/t/acme"
    assert claims["sub"] == f"urn:iam:acme:user/{acme_root.id}"
    assert claims["tenant"] == "acme"
    assert claims["root"] is True
    assert claims["email"] == acme_root.email
    assert claims["auth"] == "password"
    assert {"iat", "exp", "jti"} <= claims.keys()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900


def test_token_from_one_tenant_is_rejected_on_another(acme_root, globex_root):
    tokens = login("acme.localhost", acme_root.email)

    response = (
        IamClient("globex.localhost")
        .bearer(tokens["access_token"])
        .call("GET", "/iam/users/me")
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"


def test_token_with_matching_user_id_is_still_rejected_on_another_tenant(acme, globex):
    alice = make_user(acme, email="alice@acme.test")
    twin = make_user(globex, email="twin@globex.test")
    with tenant_context(globex):
        from accounts.models import User

        User.objects.filter(id=twin.id).update(id=alice.id)
    tokens = login("acme.localhost", alice.email)

    response = (
        IamClient("globex.localhost")
        .bearer(tokens["access_token"])
        .call("GET", "/iam/users/me")
    )

    assert response.status_code == 401


def test_token_on_platform_host_reaches_its_own_tenant(acme_root):
    tokens = login("acme.localhost", acme_root.email)

    response = IamClient().bearer(tokens["access_token"]).call("GET", "/iam/users/me")

    assert response.status_code == 200
    assert response.json()["id"] == str(acme_root.id)


def test_tenant_token_never_reaches_the_platform_api(acme_root):
    tokens = login("acme.localhost", acme_root.email)

    response = IamClient().bearer(tokens["access_token"]).call("GET", "/iam/tenants")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_forged_tenant_claim_does_not_verify_in_the_named_tenant(acme_root, globex):
    token = login("acme.localhost", acme_root.email)["access_token"]
    header, payload, signature = token.split(".")
    claims = claims_of(token) | {"tenant": "globex", "iss": "http://localhost/t/globex"}

    forged = f"{header}.{b64(claims)}.{signature}"
    response = IamClient().bearer(forged).call("GET", "/iam/users/me")

    assert response.status_code == 401


def test_tampered_payload_is_refused(acme_root):
    token = login("acme.localhost", acme_root.email)["access_token"]
    header, payload, signature = token.split(".")
    claims = claims_of(token) | {"email": "evil@acme.test"}

    response = (
        IamClient("acme.localhost")
        .bearer(f"{header}.{b64(claims)}.{signature}")
        .call("GET", "/iam/users/me")
    )

    assert response.status_code == 401


def test_alg_none_token_is_refused(acme_root):
    claims = claims_of(login("acme.localhost", acme_root.email)["access_token"])
    kid = jwt.get_unverified_header(
        login("acme.localhost", acme_root.email)["access_token"]
    )["kid"]

    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{b64(claims)}."
    response = IamClient("acme.localhost").bearer(unsigned).call("GET", "/iam/users/me")

    assert response.status_code == 401


def test_hs256_token_keyed_with_the_public_key_is_refused(acme, acme_root):
    real = login("acme.localhost", acme_root.email)["access_token"]
    kid = jwt.get_unverified_header(real)["kid"]
    with tenant_context(acme):
        public_pem = signing.get_public_key(kid).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    payload = (
        b64({"alg": "HS256", "typ": "JWT", "kid": kid}) + "." + b64(claims_of(real))
    )
    mac = hmac.new(public_pem, payload.encode(), hashlib.sha256).digest()
    forged = payload + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    response = IamClient("acme.localhost").bearer(forged).call("GET", "/iam/users/me")

    assert response.status_code == 401


def test_expired_token_is_refused(acme, acme_root):
    with tenant_context(acme):
        token, _ = issue_access_token(
            acme_root, auth_method="password", ttl_seconds=-60
        )

    response = IamClient("acme.localhost").bearer(token).call("GET", "/iam/users/me")

    assert response.status_code == 401


def test_deactivating_a_user_ends_its_access_token_at_once(acme, acme_root_client):
    alice = make_user(acme, email="alice@acme.test")
    token = login("acme.localhost", alice.email)["access_token"]

    acme_root_client.call("PATCH", f"/iam/users/{alice.id}", {"is_active": False})
    response = IamClient("acme.localhost").bearer(token).call("GET", "/iam/users/me")

    assert response.status_code == 401


def test_changing_password_ends_access_and_refresh_tokens(acme):
    alice = make_user(acme, email="alice@acme.test")
    tokens = login("acme.localhost", alice.email)
    with tenant_context(acme):
        accounts.change_password(
            user=alice,
            current_password="a perfectly long test passphrase",
            new_password="another long passphrase here",
        )

    me = (
        IamClient("acme.localhost")
        .bearer(tokens["access_token"])
        .call("GET", "/iam/users/me")
    )
    refreshed = IamClient("acme.localhost").call(
        "POST", "/iam/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )

    assert me.status_code == 401
    assert refreshed.status_code == 401


def test_refresh_rotates_and_the_old_token_stops_working(acme_root):
    tokens = login("acme.localhost", acme_root.email)
    client = IamClient("acme.localhost")

    first = client.call(
        "POST", "/iam/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )
    reused = client.call(
        "POST", "/iam/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )

    assert first.status_code == 200
    assert first.json()["refresh_token"] != tokens["refresh_token"]
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "token_invalid"


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(acme_root):
    tokens = login("acme.localhost", acme_root.email)
    client = IamClient("acme.localhost")
    newer = client.call(
        "POST", "/iam/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    ).json()

    client.call("POST", "/iam/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    response = client.call(
        "POST", "/iam/auth/refresh", {"refresh_token": newer["refresh_token"]}
    )

    assert response.status_code == 401


def test_refresh_works_through_the_platform_host(acme_root):
    tokens = login("acme.localhost", acme_root.email)

    response = IamClient().call(
        "POST", "/iam/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )

    assert response.status_code == 200
    assert claims_of(response.json()["access_token"])["tenant"] == "acme"


def test_refresh_token_of_one_tenant_is_refused_on_another(acme_root, globex):
    tokens = login("acme.localhost", acme_root.email)

    response = IamClient("globex.localhost").call(
        "POST", "/iam/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )

    assert response.status_code == 401


def test_logout_ends_the_refresh_token(acme_root):
    tokens = login("acme.localhost", acme_root.email)
    client = IamClient("acme.localhost")

    logout = client.call(
        "POST", "/iam/auth/logout", {"refresh_token": tokens["refresh_token"]}
    )
    refresh = client.call(
        "POST", "/iam/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )

    assert logout.status_code == 204
    assert refresh.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"email": "root@acme.test", "password": "wrong password entirely"},
        {"email": "nobody@acme.test", "password": "a perfectly long test passphrase"},
        {"email": ["root@acme.test"], "password": "x"},
    ],
)
def test_wrong_credentials_all_give_the_same_answer(acme_root, body):
    response = IamClient("acme.localhost").call("POST", "/iam/auth/token", body)

    assert response.status_code in (400, 401)
    if response.status_code == 401:
        assert response.json() == {
            "error": {
                "code": "invalid_credentials",
                "message": "The credentials are not valid.",
                "details": {},
            }
        }


def test_inactive_user_with_correct_password_gets_invalid_credentials(acme):
    make_user(acme, email="gone@acme.test", is_active=False)

    response = IamClient("acme.localhost").call(
        "POST",
        "/iam/auth/token",
        {"email": "gone@acme.test", "password": "a perfectly long test passphrase"},
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_unconfirmed_email_with_correct_password_is_told_to_confirm(acme):
    make_user(acme, email="new@acme.test", confirmed=False)

    response = IamClient("acme.localhost").call(
        "POST",
        "/iam/auth/token",
        {"email": "new@acme.test", "password": "a perfectly long test passphrase"},
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_not_confirmed"


def test_unconfirmed_email_with_wrong_password_learns_nothing(acme):
    make_user(acme, email="new@acme.test", confirmed=False)

    response = IamClient("acme.localhost").call(
        "POST",
        "/iam/auth/token",
        {"email": "new@acme.test", "password": "not the password at all"},
    )

    assert response.status_code == 401


def test_rotated_key_stays_published_and_old_tokens_still_verify(acme, acme_root):
    old_token = login("acme.localhost", acme_root.email)["access_token"]
    old_kid = jwt.get_unverified_header(old_token)["kid"]

    call_command("rotate_signing_key", "--tenant", "acme")
    new_token = login("acme.localhost", acme_root.email)["access_token"]
    jwks = IamClient("acme.localhost").call("GET", "/.well-known/jwks.json").json()

    assert jwt.get_unverified_header(new_token)["kid"] != old_kid
    assert old_kid in {key["kid"] for key in jwks["keys"]}
    assert (
        IamClient("acme.localhost")
        .bearer(old_token)
        .call("GET", "/iam/users/me")
        .status_code
        == 200
    )


def test_jwks_of_each_tenant_holds_only_its_own_keys(acme, globex):
    acme_keys = (
        IamClient("acme.localhost").call("GET", "/.well-known/jwks.json").json()["keys"]
    )
    globex_keys = (
        IamClient("globex.localhost")
        .call("GET", "/.well-known/jwks.json")
        .json()["keys"]
    )

    assert {k["kid"] for k in acme_keys}.isdisjoint({k["kid"] for k in globex_keys})
    assert all("d" not in key for key in acme_keys + globex_keys)


def test_openid_configuration_points_at_the_tenant_keys_from_any_host(acme):
    on_tenant = (
        IamClient("acme.localhost")
        .call("GET", "/.well-known/openid-configuration")
        .json()
    )
    on_platform = (
        IamClient().call("GET", "/t/acme/.well-known/openid-configuration").json()
    )

    assert on_tenant == on_platform
    assert on_tenant["issuer"] == "http://localhost/t/acme"
    assert on_tenant["jwks_uri"] == "http://localhost/t/acme/.well-known/jwks.json"


def test_signing_keys_are_encrypted_at_rest(acme):
    from credentials.models import SigningKey

    with tenant_context(acme):
        row = SigningKey.objects.first()
        blob = bytes(row.encrypted_private_key)

    assert b"PRIVATE KEY" not in blob
    with pytest.raises(ValueError):
        serialization.load_der_private_key(blob, password=None)


def test_a_new_key_encryption_key_starts_a_new_signing_key_without_downtime(
    acme, acme_root, settings
):
    old_token = login("acme.localhost", acme_root.email)["access_token"]

    # A deploy with the new value: fresh processes, nothing decrypted yet.
    settings.IAM_KEY_ENCRYPTION_KEY = "a brand new wrapping key from the vault"
    signing._private_keys.clear()
    signing._active_kids.clear()
    new_token = login("acme.localhost", acme_root.email)["access_token"]

    assert (
        jwt.get_unverified_header(new_token)["kid"]
        != jwt.get_unverified_header(old_token)["kid"]
    )
    for token in (old_token, new_token):
        assert (
            IamClient("acme.localhost")
            .bearer(token)
            .call("GET", "/iam/users/me")
            .status_code
            == 200
        )
