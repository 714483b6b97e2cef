"""Every endpoint of the OpenAPI document, attacked across tenants.

Objects, tokens and keys of tenant acme are used on tenant globex's host.
Each must be refused, and a refusal about one of acme's objects must look
exactly like the refusal about an id that exists nowhere: globex learns
nothing about what acme holds.
"""

import json
import re
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.conftest import IamClient

# Calls that take no credential (they ignore the Authorization header).
UNAUTHENTICATED = {
    "/iam/auth/token",
    "/iam/auth/refresh",
    "/iam/auth/logout",
    "/iam/password/reset",
    "/iam/password/reset/confirm",
    "/iam/email/confirm",
    "/iam/email/confirmation",
    "/iam/email/cancel",
    "/iam/schema",
}
PLATFORM_ONLY = re.compile(r"^/iam/tenants")
PUBLIC_DOCUMENTS = re.compile(r"^/\.well-known/")
PARAM = re.compile(r"\{(\w+)\}")
BODY_METHODS = {"post", "put", "patch"}


def ssh_public_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()


@pytest.fixture(autouse=True)
def loose_throttling(settings):
    # The matrix fires one credential at every endpoint; throttling has its
    # own tests and would only turn the later refusals into 429s.
    settings.IAM_THROTTLE_ACCOUNT_ATTEMPTS = 10_000
    settings.IAM_THROTTLE_ADDRESS_ATTEMPTS = 10_000


@pytest.fixture
def acme_objects(acme_root_client):
    """One object of each kind in acme, made through the API as root."""
    client = acme_root_client
    user = client.call("POST", "/iam/users", {"email": "victim@acme.test"}).json()
    key = client.call("POST", f"/iam/users/{user['id']}/credentials").json()
    policy = client.call(
        "POST",
        "/iam/policies",
        {
            "name": "Victim",
            "document": {
                "Statement": [
                    {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}
                ]
            },
        },
    ).json()
    group = client.call("POST", "/iam/groups", {"name": "victims"}).json()
    ssh = client.call(
        "POST", f"/iam/users/{user['id']}/ssh-keys", {"public_key": ssh_public_key()}
    ).json()
    return {
        "user_id": user["id"],
        "credential_id": key.get("access_key_id") or ssh.get("id"),
        "policy_id": policy.get("id"),
        "group_id": group.get("id"),
        "secret": key.get("secret_access_key"),
        "ssh_key_id": ssh.get("id"),
    }


def operations(client):
    schema = client.call("GET", "/iam/schema?format=json")
    assert schema.status_code == 200
    for path, methods in json.loads(schema.content)["paths"].items():
        for method in methods:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method


def fill(path: str, values: dict) -> str:
    return PARAM.sub(lambda match: str(values.get(match.group(1), "x")), path)


def call(client, method, path):
    body = {} if method in BODY_METHODS else None
    return client.call(method.upper(), path, body)


def tenant_operations(client):
    return [
        (path, method)
        for path, method in operations(client)
        if path not in UNAUTHENTICATED
        and not PLATFORM_ONLY.match(path)
        and not PUBLIC_DOCUMENTS.match(path)
    ]


def test_matrix_covers_the_api(acme_root_client):
    paths = {path for path, _ in tenant_operations(acme_root_client)}

    assert {
        "/iam/users/{user_id}",
        "/iam/policies/{policy_id}",
        "/iam/groups/{group_id}",
    } <= paths


def test_acme_token_is_refused_on_every_globex_endpoint(
    acme_root_client, acme_objects, globex_root
):
    token = acme_root_client._credentials["HTTP_AUTHORIZATION"].split()[1]
    attacker = IamClient("globex.localhost").bearer(token)

    for path, method in tenant_operations(acme_root_client):
        response = call(attacker, method, fill(path, acme_objects))

        assert response.status_code == 401, (method, path, response.content)
        assert response.json()["error"]["code"] == "token_invalid"


def test_acme_access_key_is_refused_on_every_globex_endpoint(
    acme_root_client, acme_objects, globex_root
):
    key_id, secret = acme_objects["credential_id"], acme_objects["secret"]
    attacker = IamClient("globex.localhost").basic(key_id, secret)

    for path, method in tenant_operations(acme_root_client):
        response = call(attacker, method, fill(path, acme_objects))

        assert response.status_code == 401, (method, path, response.content)
        assert response.json()["error"]["code"] == "invalid_credentials"


def test_acme_object_ids_look_like_missing_ids_to_globex_root(
    acme_root_client, acme_objects, globex_root_client
):
    nowhere = {name: str(uuid.uuid4()) for name in ("user_id", "policy_id", "group_id")}
    nowhere["credential_id"] = "IAMKNOWHERE0000000000"

    for path, method in tenant_operations(acme_root_client):
        if not PARAM.search(path):
            continue
        seen = call(globex_root_client, method, fill(path, acme_objects))
        unseen = call(globex_root_client, method, fill(path, nowhere))

        assert seen.status_code not in range(200, 300), (method, path, seen.content)
        assert (seen.status_code, seen.json()) == (unseen.status_code, unseen.json()), (
            method,
            path,
        )
