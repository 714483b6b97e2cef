"""Throttling and auditing of failed logins, seen from the API."""

import pytest
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from tests.conftest import PASSWORD, IamClient, login, make_user


@pytest.fixture(autouse=True)
def tight_limits(settings):
    settings.IAM_THROTTLE_ACCOUNT_ATTEMPTS = 3
    settings.IAM_THROTTLE_ADDRESS_ATTEMPTS = 20
    settings.IAM_THROTTLE_WINDOW_SECONDS = 60


def password_login(host, email, password="wrong password, long enough", **body):
    return IamClient(host).call(
        "POST", "/iam/auth/token", {"email": email, "password": password, **body}
    )


def test_password_guessing_is_throttled_with_retry_after(acme):
    make_user(acme, email="alice@acme.test")
    for _ in range(3):
        assert password_login("acme.localhost", "alice@acme.test").status_code == 401

    response = password_login("acme.localhost", "alice@acme.test", PASSWORD)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert 0 < int(response["Retry-After"]) <= 61


def test_unknown_account_is_throttled_exactly_like_a_real_one(acme):
    make_user(acme, email="alice@acme.test")
    for email in ("alice@acme.test", "ghost@acme.test"):
        for _ in range(3):
            password_login("acme.localhost", email)

    real = password_login("acme.localhost", "alice@acme.test")
    ghost = password_login("acme.localhost", "ghost@acme.test")

    assert (real.status_code, real.json()["error"]["code"]) == (
        ghost.status_code,
        ghost.json()["error"]["code"],
    )
    assert real.status_code == 429


def test_throttled_account_leaves_neighbours_and_other_tenants_alone(acme, globex):
    make_user(acme, email="alice@acme.test")
    make_user(acme, email="bob@acme.test")
    make_user(globex, email="alice@acme.test")
    for _ in range(3):
        password_login("acme.localhost", "alice@acme.test")

    assert login("acme.localhost", "bob@acme.test")["access_token"]
    assert login("globex.localhost", "alice@acme.test")["access_token"]


def test_address_limit_stops_spraying_across_accounts(acme, settings):
    settings.IAM_THROTTLE_ADDRESS_ATTEMPTS = 5
    make_user(acme, email="victim@acme.test")
    for number in range(5):
        password_login("acme.localhost", f"user{number}@acme.test")

    response = password_login("acme.localhost", "victim@acme.test", PASSWORD)

    assert response.status_code == 429


def test_access_key_guessing_is_throttled(acme_root_client):
    key = acme_root_client.call("POST", "/iam/users/me/credentials").json()
    client = IamClient("acme.localhost")
    for _ in range(3):
        client.call(
            "POST",
            "/iam/auth/token",
            {"access_key_id": key["access_key_id"], "secret_access_key": "x" * 40},
        )

    response = client.call(
        "POST",
        "/iam/auth/token",
        {
            "access_key_id": key["access_key_id"],
            "secret_access_key": key["secret_access_key"],
        },
    )

    assert response.status_code == 429


def test_basic_auth_guessing_is_throttled_too(acme_root_client):
    key = acme_root_client.call("POST", "/iam/users/me/credentials").json()
    for _ in range(3):
        IamClient("acme.localhost").basic(key["access_key_id"], "y" * 40).call(
            "GET", "/iam/users/me"
        )

    response = (
        IamClient("acme.localhost")
        .basic(key["access_key_id"], key["secret_access_key"])
        .call("GET", "/iam/users/me")
    )

    assert response.status_code == 429


def test_link_token_guessing_is_throttled(acme):
    alice = make_user(acme, email="alice@acme.test")
    forged = f"acme.r.{alice.id.hex}.abcdef.{'0' * 40}"
    for _ in range(3):
        IamClient("acme.localhost").call(
            "POST",
            "/iam/password/reset/confirm",
            {"token": forged, "password": "x" * 20},
        )

    response = IamClient("acme.localhost").call(
        "POST", "/iam/password/reset/confirm", {"token": forged, "password": "x" * 20}
    )

    assert response.status_code == 429


def test_failed_and_throttled_logins_are_audited_in_the_tenant(acme):
    make_user(acme, email="alice@acme.test")
    for _ in range(4):
        password_login("acme.localhost", "alice@acme.test")

    with tenant_context(acme):
        outcomes = list(
            AuditEvent.objects.filter(action="iam:Login").values_list(
                "outcome", flat=True
            )
        )

    assert sorted(outcomes) == ["failure", "failure", "failure", "throttled"]


def test_successful_login_is_audited_with_the_user(acme):
    alice = make_user(acme, email="alice@acme.test")

    login("acme.localhost", "alice@acme.test")

    with tenant_context(acme):
        event = AuditEvent.objects.get(action="iam:Login", outcome="success")
    assert event.actor == f"urn:iam:acme:user/{alice.id}"
    assert event.credential == "password"
    assert event.client_ip == "127.0.0.1"


def test_guessing_the_current_password_is_throttled_and_audited(acme):
    make_user(acme, email="alice@acme.test")
    client = IamClient("acme.localhost").bearer(
        login("acme.localhost", "alice@acme.test")["access_token"]
    )
    body = {
        "current_password": "not it, but long",
        "new_password": "a new long passphrase",
    }
    answers = [
        client.call("POST", "/iam/users/me/password", body).status_code
        for _ in range(4)
    ]

    with tenant_context(acme):
        failures = AuditEvent.objects.filter(
            action="iam:ChangePassword", outcome="failure"
        ).count()

    assert answers == [400, 400, 400, 429]
    assert failures == 3


def test_another_address_is_not_locked_out_by_guessing(acme):
    make_user(acme, email="alice@acme.test")
    for _ in range(3):
        IamClient("acme.localhost").call(
            "POST",
            "/iam/auth/token",
            {"email": "alice@acme.test", "password": "wrong password, long enough"},
            REMOTE_ADDR="203.0.113.66",
        )

    assert login("acme.localhost", "alice@acme.test")["access_token"]
