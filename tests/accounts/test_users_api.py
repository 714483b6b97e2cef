"""The users API: CRUD, `me`, case-insensitive emails, root protection."""

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from tests.conftest import PASSWORD, IamClient, login, make_user


def test_root_creates_a_user_without_a_password(acme, acme_root_client):
    response = acme_root_client.call(
        "POST", "/iam/users", {"email": "Alice@Example.TEST", "name": "Alice"}
    )

    body = response.json()
    assert response.status_code == 201
    assert body["email"] == "Alice@example.test"
    assert body["urn"] == f"urn:iam:acme:user/{body['id']}"
    assert body["email_confirmed"] is False and body["is_root"] is False
    assert body["unconfirmed_email"] is None and body["last_login_at"] is None
    with tenant_context(acme):
        assert not User.objects.get(id=body["id"]).has_usable_password()


def test_user_creation_sends_the_welcome_email_with_a_tenant_link(
    acme_root_client, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        acme_root_client.call("POST", "/iam/users", {"email": "alice@example.test"})

    assert len(outbox) == 1
    assert outbox[0].to == ["alice@example.test"]
    assert "http://acme.localhost/iam/reset-password?token=acme." in outbox[0].body


def test_emails_are_unique_per_tenant_ignoring_case(acme, acme_root_client):
    make_user(acme, email="alice@example.test")

    response = acme_root_client.call(
        "POST", "/iam/users", {"email": "ALICE@example.test"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "email" in response.json()["error"]["details"]


def test_same_email_may_exist_in_two_tenants(acme, globex_root_client):
    make_user(acme, email="alice@example.test")

    response = globex_root_client.call(
        "POST", "/iam/users", {"email": "alice@example.test"}
    )

    assert response.status_code == 201


def test_login_matches_email_ignoring_case(acme):
    make_user(acme, email="alice@example.test")

    assert login("acme.localhost", "ALICE@Example.test")["access_token"]


def test_list_is_paginated_and_filters_by_email(acme, acme_root_client):
    make_user(acme, email="alice@example.test")
    make_user(acme, email="bob@example.test")

    page = acme_root_client.call("GET", "/iam/users?page_size=1").json()
    filtered = acme_root_client.call("GET", "/iam/users?email=BOB@example.test").json()

    assert page["count"] == 3 and len(page["results"]) == 1 and page["next"]
    assert [user["email"] for user in filtered["results"]] == ["bob@example.test"]


def test_list_shows_only_the_tenants_own_users(acme, globex, acme_root_client):
    make_user(globex, email="spy@globex.test")

    emails = [
        user["email"]
        for user in acme_root_client.call("GET", "/iam/users").json()["results"]
    ]

    assert "spy@globex.test" not in emails


def test_user_of_another_tenant_is_not_found(globex, acme_root_client):
    spy = make_user(globex, email="spy@globex.test")

    response = acme_root_client.call("GET", f"/iam/users/{spy.id}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_get_me_and_by_id_agree(acme_root, acme_root_client):
    me = acme_root_client.call("GET", "/iam/users/me").json()
    by_id = acme_root_client.call("GET", f"/iam/users/{acme_root.id}").json()

    assert me == by_id


def test_patch_changes_the_name(acme, acme_root_client):
    alice = make_user(acme, email="alice@example.test")

    response = acme_root_client.call(
        "PATCH", f"/iam/users/{alice.id}", {"name": "Alice L."}
    )

    assert response.status_code == 200 and response.json()["name"] == "Alice L."


def test_changing_email_keeps_the_old_one_until_confirmed(acme, acme_root_client):
    alice = make_user(acme, email="alice@example.test")

    response = acme_root_client.call(
        "PATCH", f"/iam/users/{alice.id}", {"email": "alice@new.test"}
    )

    assert response.json()["email"] == "alice@example.test"
    assert response.json()["unconfirmed_email"] == "alice@new.test"
    assert login("acme.localhost", "alice@example.test")["access_token"]


def test_email_change_to_an_address_in_use_is_refused(acme, acme_root_client):
    alice = make_user(acme, email="alice@example.test")
    make_user(acme, email="bob@example.test")

    response = acme_root_client.call(
        "PATCH", f"/iam/users/{alice.id}", {"email": "Bob@example.test"}
    )

    assert response.status_code == 400


def test_patch_refuses_fields_that_cannot_change(acme, acme_root_client):
    alice = make_user(acme, email="alice@example.test")

    response = acme_root_client.call(
        "PATCH", f"/iam/users/{alice.id}", {"is_root": True}
    )

    assert response.status_code == 400
    assert "is_root" in response.json()["error"]["details"]


def test_user_cannot_deactivate_itself_through_me(acme):
    make_user(acme, email="alice@example.test")
    client = IamClient("acme.localhost").bearer(
        login("acme.localhost", "alice@example.test")["access_token"]
    )

    response = client.call("PATCH", "/iam/users/me", {"is_active": False})

    assert response.status_code == 400


def test_user_updates_its_own_name_through_me(acme):
    make_user(acme, email="alice@example.test")
    client = IamClient("acme.localhost").bearer(
        login("acme.localhost", "alice@example.test")["access_token"]
    )

    response = client.call("PATCH", "/iam/users/me", {"name": "Me"})

    assert response.status_code == 200 and response.json()["name"] == "Me"


def test_root_cannot_be_deleted(acme_root, acme_root_client):
    response = acme_root_client.call("DELETE", f"/iam/users/{acme_root.id}")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_root_cannot_be_deactivated(acme_root, acme_root_client):
    response = acme_root_client.call(
        "PATCH", f"/iam/users/{acme_root.id}", {"is_active": False}
    )

    assert response.status_code == 409


def test_delete_removes_the_user(acme, acme_root_client):
    alice = make_user(acme, email="alice@example.test")

    response = acme_root_client.call("DELETE", f"/iam/users/{alice.id}")

    assert response.status_code == 204
    assert acme_root_client.call("GET", f"/iam/users/{alice.id}").status_code == 404


def test_plain_user_cannot_list_or_touch_others_without_a_policy(acme):
    alice = make_user(acme, email="alice@example.test")
    bob = make_user(acme, email="bob@example.test")
    client = IamClient("acme.localhost").bearer(
        login("acme.localhost", alice.email)["access_token"]
    )

    assert client.call("GET", "/iam/users").status_code == 403
    assert client.call("GET", f"/iam/users/{bob.id}").status_code == 403
    assert client.call("DELETE", f"/iam/users/{bob.id}").status_code == 403
    assert client.call("GET", "/iam/users/me").status_code == 200


def test_change_password_needs_the_current_one(acme):
    alice = make_user(acme, email="alice@example.test")
    client = IamClient("acme.localhost").bearer(
        login("acme.localhost", alice.email)["access_token"]
    )

    response = client.call(
        "POST",
        "/iam/users/me/password",
        {"current_password": "wrong one entirely", "new_password": "x" * 20},
    )

    assert response.status_code == 400
    assert "current_password" in response.json()["error"]["details"]


def test_change_password_then_log_in_with_the_new_one(acme):
    alice = make_user(acme, email="alice@example.test")
    client = IamClient("acme.localhost").bearer(
        login("acme.localhost", alice.email)["access_token"]
    )

    response = client.call(
        "POST",
        "/iam/users/me/password",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    )

    assert response.status_code == 204
    assert login("acme.localhost", alice.email, "a brand new passphrase")[
        "access_token"
    ]


@pytest.mark.parametrize("weak", ["short", "1q2w3e4r5t6y7u8i", "acme corp password"])
def test_weak_new_passwords_are_validation_errors(acme, weak):
    alice = make_user(acme, email="alice@example.test")
    client = IamClient("acme.localhost").bearer(
        login("acme.localhost", alice.email)["access_token"]
    )

    response = client.call(
        "POST",
        "/iam/users/me/password",
        {"current_password": PASSWORD, "new_password": weak},
    )

    assert response.status_code == 400
    assert "new_password" in response.json()["error"]["details"]


def test_reset_confirm_sets_password_confirms_email_and_logs_in(
    acme, acme_root_client, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        acme_root_client.call("POST", "/iam/users", {"email": "alice@example.test"})
    token = outbox[0].body.split("token=")[1].split()[0]

    response = IamClient("acme.localhost").call(
        "POST",
        "/iam/password/reset/confirm",
        {"token": token, "password": "alice chose a long one"},
    )

    assert response.status_code == 200
    assert response.json()["email_confirmed"] is True
    assert response["Authorization"].startswith("Bearer ")
    me = (
        IamClient("acme.localhost")
        .bearer(response["Authorization"].split()[1])
        .call("GET", "/iam/users/me")
    )
    assert me.json()["email"] == "alice@example.test"
