"""The access key API: create once-visible secrets, list, change, delete."""

import re

from django_tenants.utils import schema_context, tenant_context

from credentials.models import AccessKey
from tenants.models import AccessKeyIndex
from tests.conftest import IamClient
from tests.credentials.conftest import new_key

KEY_ID = re.compile(r"^IAMK[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{16}$")


def test_user_creates_a_key_and_sees_its_secret_in_the_response(alice_client):
    response = alice_client.call("POST", "/iam/users/me/credentials")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "access_key_id",
        "urn",
        "secret_access_key",
        "status",
        "created_at",
    }
    assert body["status"] == "active"
    assert body["urn"] == f"urn:iam:acme:access-key/{body['access_key_id']}"
    assert "no-store" in response["Cache-Control"]


def test_key_id_has_a_fixed_prefix_and_no_ambiguous_characters(alice_client):
    response = alice_client.call("POST", "/iam/users/me/credentials")

    assert KEY_ID.match(response.json()["access_key_id"])


def test_secret_carries_at_least_160_bits(alice_client):
    response = alice_client.call("POST", "/iam/users/me/credentials")

    secret = response.json()["secret_access_key"]
    assert re.fullmatch(r"[A-Za-z0-9_-]+", secret)
    assert len(secret) * 6 >= 160


def test_list_shows_keys_without_any_secret(alice_client):
    created = alice_client.call("POST", "/iam/users/me/credentials").json()

    listed = alice_client.call("GET", "/iam/users/me/credentials")

    assert listed.status_code == 200
    [key] = listed.json()["results"]
    assert set(key) == {
        "access_key_id",
        "urn",
        "status",
        "created_at",
        "last_used_at",
    }
    assert created["secret_access_key"] not in listed.content.decode()


def test_third_key_is_refused_with_access_key_limit(alice_client):
    for _ in range(2):
        alice_client.call("POST", "/iam/users/me/credentials")

    response = alice_client.call("POST", "/iam/users/me/credentials")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "access_key_limit"


def test_limit_follows_the_setting(alice_client, settings):
    settings.IAM_MAX_ACCESS_KEYS_PER_USER = 1
    alice_client.call("POST", "/iam/users/me/credentials")

    response = alice_client.call("POST", "/iam/users/me/credentials")

    assert response.status_code == 409


def test_user_deactivates_and_reactivates_its_key(alice_client):
    key_id = alice_client.call("POST", "/iam/users/me/credentials").json()[
        "access_key_id"
    ]

    off = alice_client.call(
        "PATCH", f"/iam/users/me/credentials/{key_id}", {"status": "inactive"}
    )
    on = alice_client.call(
        "PATCH", f"/iam/users/me/credentials/{key_id}", {"status": "active"}
    )

    assert off.status_code == 200 and off.json()["status"] == "inactive"
    assert "secret_access_key" not in off.json()
    assert on.json()["status"] == "active"


def test_patch_refuses_an_unknown_status(alice_client):
    key_id = alice_client.call("POST", "/iam/users/me/credentials").json()[
        "access_key_id"
    ]

    response = alice_client.call(
        "PATCH", f"/iam/users/me/credentials/{key_id}", {"status": "disabled"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "status" in response.json()["error"]["details"]


def test_delete_removes_the_key_and_its_public_index_row(acme, alice_client):
    key_id = alice_client.call("POST", "/iam/users/me/credentials").json()[
        "access_key_id"
    ]

    response = alice_client.call("DELETE", f"/iam/users/me/credentials/{key_id}")

    assert response.status_code == 204
    with tenant_context(acme):
        assert not AccessKey.objects.filter(access_key_id=key_id).exists()
    with schema_context("public"):
        assert not AccessKeyIndex.objects.filter(pk=key_id).exists()


def test_creating_a_key_indexes_it_under_its_tenant(acme, alice_client):
    key_id = alice_client.call("POST", "/iam/users/me/credentials").json()[
        "access_key_id"
    ]

    with schema_context("public"):
        assert AccessKeyIndex.objects.get(pk=key_id).tenant_id == acme.id


def test_deleting_a_user_removes_its_keys_index_rows(acme, acme_root_client, alice):
    key_id, _ = new_key(acme, alice)

    response = acme_root_client.call("DELETE", f"/iam/users/{alice.id}")

    assert response.status_code == 204
    with schema_context("public"):
        assert not AccessKeyIndex.objects.filter(pk=key_id).exists()


def test_root_manages_the_keys_of_another_user(acme_root_client, alice):
    created = acme_root_client.call("POST", f"/iam/users/{alice.id}/credentials")
    key_id = created.json()["access_key_id"]

    listed = acme_root_client.call("GET", f"/iam/users/{alice.id}/credentials")
    changed = acme_root_client.call(
        "PATCH", f"/iam/users/{alice.id}/credentials/{key_id}", {"status": "inactive"}
    )
    deleted = acme_root_client.call(
        "DELETE", f"/iam/users/{alice.id}/credentials/{key_id}"
    )

    assert created.status_code == 201
    assert [k["access_key_id"] for k in listed.json()["results"]] == [key_id]
    assert changed.status_code == 200
    assert deleted.status_code == 204


def test_user_manages_its_own_keys_through_its_id_path(alice_client, alice):
    created = alice_client.call("POST", f"/iam/users/{alice.id}/credentials")
    key_id = created.json()["access_key_id"]

    changed = alice_client.call(
        "PATCH", f"/iam/users/{alice.id}/credentials/{key_id}", {"status": "inactive"}
    )

    assert created.status_code == 201
    assert changed.status_code == 200


def test_user_cannot_list_another_users_keys(acme, alice, bob_client):
    new_key(acme, alice)

    response = bob_client.call("GET", f"/iam/users/{alice.id}/credentials")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_user_cannot_create_a_key_for_another_user(acme, alice, bob_client):
    response = bob_client.call("POST", f"/iam/users/{alice.id}/credentials")

    assert response.status_code == 403
    with tenant_context(acme):
        assert not AccessKey.objects.filter(user_id=alice.id).exists()


def test_user_cannot_change_another_users_key_through_its_path(acme, alice, bob_client):
    key_id, _ = new_key(acme, alice)

    response = bob_client.call(
        "PATCH", f"/iam/users/{alice.id}/credentials/{key_id}", {"status": "inactive"}
    )

    assert response.status_code == 403
    with tenant_context(acme):
        assert AccessKey.objects.get(access_key_id=key_id).status == "active"


def test_user_cannot_delete_another_users_key_through_its_path(acme, alice, bob_client):
    key_id, _ = new_key(acme, alice)

    response = bob_client.call("DELETE", f"/iam/users/{alice.id}/credentials/{key_id}")

    assert response.status_code == 403
    with tenant_context(acme):
        assert AccessKey.objects.filter(access_key_id=key_id).exists()


def test_another_users_key_under_me_is_not_found_for_change(acme, alice, bob_client):
    key_id, _ = new_key(acme, alice)

    response = bob_client.call(
        "PATCH", f"/iam/users/me/credentials/{key_id}", {"status": "inactive"}
    )

    assert response.status_code == 404
    with tenant_context(acme):
        assert AccessKey.objects.get(access_key_id=key_id).status == "active"


def test_another_users_key_under_me_is_not_found_for_delete(acme, alice, bob_client):
    key_id, _ = new_key(acme, alice)

    response = bob_client.call("DELETE", f"/iam/users/me/credentials/{key_id}")

    assert response.status_code == 404
    with tenant_context(acme):
        assert AccessKey.objects.filter(access_key_id=key_id).exists()


def test_user_cannot_change_another_users_key_under_its_own_id_path(
    acme, alice, bob, bob_client
):
    key_id, _ = new_key(acme, alice)

    response = bob_client.call(
        "PATCH", f"/iam/users/{bob.id}/credentials/{key_id}", {"status": "inactive"}
    )

    assert response.status_code in (403, 404)
    with tenant_context(acme):
        assert AccessKey.objects.get(access_key_id=key_id).status == "active"


def test_key_named_under_the_wrong_user_is_not_found(
    acme, acme_root_client, alice, bob
):
    key_id, _ = new_key(acme, alice)

    response = acme_root_client.call(
        "DELETE", f"/iam/users/{bob.id}/credentials/{key_id}"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_root_of_another_tenant_cannot_find_the_key(acme, alice, globex_root_client):
    key_id, _ = new_key(acme, alice)

    response = globex_root_client.call(
        "DELETE", f"/iam/users/{alice.id}/credentials/{key_id}"
    )

    assert response.status_code == 404
    with tenant_context(acme):
        assert AccessKey.objects.filter(access_key_id=key_id).exists()


def test_key_calls_need_a_tenant(owner_client):
    response = owner_client.call("GET", "/iam/users/me/credentials")

    assert response.status_code == 403


def test_key_calls_need_authentication(acme):
    response = IamClient("acme.localhost").call("GET", "/iam/users/me/credentials")

    assert response.status_code == 401
