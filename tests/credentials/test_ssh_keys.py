"""SSH public keys: upload, list, deactivate, delete, and whose-key lookups."""

import base64
import hashlib
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django_tenants.utils import tenant_context

from credentials.models import SSHPublicKey
from tests.conftest import IamClient, login, make_user
from tests.credentials.conftest import openssh_public_key


def fingerprint_of(line: str) -> str:
    blob = base64.b64decode(line.split()[1])
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode()
    return "SHA256:" + digest.rstrip("=")


def query(line: str) -> str:
    return urlencode({"fingerprint": fingerprint_of(line)})


def upload(client, line, user="me"):
    return client.call("POST", f"/iam/users/{user}/ssh-keys", {"public_key": line})


def test_user_uploads_a_key_and_sees_its_fingerprint(alice_client):
    line = openssh_public_key("alice@laptop")

    response = upload(alice_client, line)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["fingerprint"] == fingerprint_of(line)
    assert body["status"] == "active"
    assert body["urn"] == f"urn:iam:acme:ssh-key/{body['ssh_public_key_id']}"
    assert body["public_key"] == line.rsplit(" ", 1)[0]


def test_rsa_key_of_2048_bits_is_accepted(alice_client):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    line = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        .decode()
    )

    assert upload(alice_client, line).status_code == 201


@pytest.mark.parametrize(
    "line",
    [
        "not a key",
        "ssh-ed25519 AAAAnotbase64!!",
        "ssh-ed25519 " + base64.b64encode(b"garbage").decode(),
        'command="rm -rf /" ' + "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA",
        "ssh-ed25519 AAAA\nssh-ed25519 AAAA",
    ],
)
def test_malformed_key_is_a_validation_error(alice_client, line):
    response = upload(alice_client, line)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "public_key" in response.json()["error"]["details"]


def test_short_rsa_key_is_refused(alice_client):
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    line = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        .decode()
    )

    response = upload(alice_client, line)

    assert response.status_code == 400
    assert "2048" in response.json()["error"]["details"]["public_key"][0]


def test_key_held_by_another_user_of_the_tenant_is_a_conflict(alice_client, bob_client):
    line = openssh_public_key()
    upload(alice_client, line)

    response = upload(bob_client, line.split()[0] + " " + line.split()[1] + " other")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_same_key_may_belong_to_users_of_two_tenants(alice_client, globex):
    line = openssh_public_key()
    make_user(globex, email="twin@globex.test")
    twin_client = IamClient("globex.localhost").bearer(
        login("globex.localhost", "twin@globex.test")["access_token"]
    )
    upload(alice_client, line)

    response = upload(twin_client, line)

    assert response.status_code == 201


def test_user_lists_deactivates_and_deletes_its_keys(alice_client):
    key_id = upload(alice_client, openssh_public_key()).json()["ssh_public_key_id"]

    listed = alice_client.call("GET", "/iam/users/me/ssh-keys")
    changed = alice_client.call(
        "PATCH", f"/iam/users/me/ssh-keys/{key_id}", {"status": "inactive"}
    )
    deleted = alice_client.call("DELETE", f"/iam/users/me/ssh-keys/{key_id}")
    after = alice_client.call("GET", "/iam/users/me/ssh-keys")

    assert [k["ssh_public_key_id"] for k in listed.json()["results"]] == [key_id]
    assert changed.json()["status"] == "inactive"
    assert deleted.status_code == 204
    assert after.json()["results"] == []


def test_ssh_key_limit_follows_the_setting(alice_client, settings):
    settings.IAM_MAX_SSH_KEYS_PER_USER = 1
    upload(alice_client, openssh_public_key())

    response = upload(alice_client, openssh_public_key())

    assert response.status_code == 409


def test_user_cannot_upload_a_key_for_another_user(alice, bob_client):
    response = upload(bob_client, openssh_public_key(), user=alice.id)

    assert response.status_code == 403


def test_user_cannot_list_another_users_ssh_keys(alice, alice_client, bob_client):
    upload(alice_client, openssh_public_key())

    response = bob_client.call("GET", f"/iam/users/{alice.id}/ssh-keys")

    assert response.status_code == 403


def test_user_cannot_delete_another_users_ssh_key(
    acme, alice, alice_client, bob_client
):
    key_id = upload(alice_client, openssh_public_key()).json()["ssh_public_key_id"]

    by_path = bob_client.call("DELETE", f"/iam/users/{alice.id}/ssh-keys/{key_id}")
    under_me = bob_client.call("DELETE", f"/iam/users/me/ssh-keys/{key_id}")

    assert by_path.status_code == 403
    assert under_me.status_code == 404
    with tenant_context(acme):
        assert SSHPublicKey.objects.filter(ssh_public_key_id=key_id).exists()


def test_root_finds_whose_key_a_fingerprint_is(alice, alice_client, acme_root_client):
    line = openssh_public_key()
    upload(alice_client, line)

    response = acme_root_client.call("GET", "/iam/ssh-keys", QUERY_STRING=query(line))

    assert response.status_code == 200
    [match] = response.json()["results"]
    assert match["user"]["id"] == str(alice.id)
    assert match["user"]["urn"] == f"urn:iam:acme:user/{alice.id}"


def test_lookup_needs_permission(alice_client, bob_client):
    line = openssh_public_key()
    upload(alice_client, line)

    response = bob_client.call("GET", "/iam/ssh-keys", QUERY_STRING=query(line))

    assert response.status_code == 403


def test_lookup_leaves_out_a_deactivated_key(alice_client, acme_root_client):
    line = openssh_public_key()
    key_id = upload(alice_client, line).json()["ssh_public_key_id"]
    alice_client.call(
        "PATCH", f"/iam/users/me/ssh-keys/{key_id}", {"status": "inactive"}
    )

    response = acme_root_client.call("GET", "/iam/ssh-keys", QUERY_STRING=query(line))

    assert response.json()["results"] == []


def test_lookup_does_not_see_another_tenants_keys(alice_client, globex_root_client):
    line = openssh_public_key()
    upload(alice_client, line)

    response = globex_root_client.call("GET", "/iam/ssh-keys", QUERY_STRING=query(line))

    assert response.json()["results"] == []


def test_lookup_refuses_a_malformed_fingerprint(acme_root_client):
    response = acme_root_client.call(
        "GET", "/iam/ssh-keys", QUERY_STRING="fingerprint=MD5:aa:bb"
    )

    assert response.status_code == 400
    assert "fingerprint" in response.json()["error"]["details"]


def test_lookup_accepts_a_fingerprint_with_an_unencoded_plus(
    alice_client, acme_root_client
):
    line = openssh_public_key()
    while "+" not in fingerprint_of(line):
        line = openssh_public_key()
    upload(alice_client, line)

    response = acme_root_client.call(
        "GET", "/iam/ssh-keys", QUERY_STRING=f"fingerprint={fingerprint_of(line)}"
    )

    assert len(response.json()["results"]) == 1
