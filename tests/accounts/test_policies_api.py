"""The policies API: CRUD, validation, managed policies, attachments, tenants."""

import pytest
from django_tenants.utils import tenant_context

from accounts.managed_policies import MANAGED_POLICIES, sync_managed_policies
from accounts.models import Policy, UserPolicyAttachment
from tests.accounts.conftest import allow, make_policy, managed

READ_USERS = {
    "Statement": [
        {"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser"], "Resource": "*"}
    ]
}


def test_root_creates_a_policy(acme_root_client):
    response = acme_root_client.call(
        "POST",
        "/iam/policies",
        {"name": "ReadUsers", "description": "Read", "document": READ_USERS},
    )

    body = response.json()
    assert response.status_code == 201, body
    assert body["urn"] == f"urn:iam:acme:policy/{body['id']}"
    assert body["document"] == READ_USERS
    assert body["is_managed"] is False


def test_root_lists_reads_updates_and_deletes_a_policy(acme, acme_root_client):
    policy = make_policy(acme, allow("iam:GetUser"), name="Before")
    path = f"/iam/policies/{policy.id}"

    listed = acme_root_client.call("GET", "/iam/policies")
    updated = acme_root_client.call(
        "PATCH", path, {"name": "After", "document": READ_USERS}
    )
    read = acme_root_client.call("GET", path)
    deleted = acme_root_client.call("DELETE", path)

    assert "Before" in [p["name"] for p in listed.json()["results"]]
    assert updated.status_code == 200, updated.content
    assert read.json()["name"] == "After" and read.json()["document"] == READ_USERS
    assert deleted.status_code == 204
    assert acme_root_client.call("GET", path).status_code == 404


def test_an_invalid_document_is_a_validation_error_naming_the_path(acme_root_client):
    document = {"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}

    response = acme_root_client.call(
        "POST", "/iam/policies", {"name": "Bad", "document": document}
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["details"]) == ["document.Statement[0].Action"]


def test_an_invalid_document_cannot_be_patched_in(acme, acme_root_client):
    policy = make_policy(acme, allow("*"))

    response = acme_root_client.call(
        "PATCH", f"/iam/policies/{policy.id}", {"document": {"Statement": "x"}}
    )

    assert response.status_code == 400
    assert "document.Statement" in response.json()["error"]["details"]


@pytest.mark.parametrize("field", ["is_managed", "id", "urn"])
def test_read_only_fields_cannot_be_set(acme_root_client, field):
    response = acme_root_client.call(
        "POST",
        "/iam/policies",
        {"name": "Sneaky", "document": READ_USERS, field: True},
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_policy_names_are_unique_in_a_tenant_ignoring_case(acme, acme_root_client):
    make_policy(acme, allow("*"), name="Readers")

    response = acme_root_client.call(
        "POST", "/iam/policies", {"name": "READERS", "document": READ_USERS}
    )

    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]


def test_the_same_policy_name_may_exist_in_two_tenants(acme, globex_root_client):
    make_policy(acme, allow("*"), name="Readers")

    response = globex_root_client.call(
        "POST", "/iam/policies", {"name": "Readers", "document": READ_USERS}
    )

    assert response.status_code == 201


@pytest.mark.parametrize("name", ["", "has space", "x" * 129, "slash/name"])
def test_policy_names_outside_the_alphabet_are_refused(acme_root_client, name):
    response = acme_root_client.call(
        "POST", "/iam/policies", {"name": name, "document": READ_USERS}
    )

    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]


@pytest.mark.parametrize("tenant_name", ["acme", "globex"])
def test_every_tenant_has_the_managed_policies(db, request, tenant_name):
    # `db` in the signature keeps pytest-django from ordering this test after
    # the transactional ones, whose flush empties the tenants table.
    tenant = request.getfixturevalue(tenant_name)

    with tenant_context(tenant):
        found = {p.name: p.document for p in Policy.objects.filter(is_managed=True)}

    assert found == {name: spec["document"] for name, spec in MANAGED_POLICIES.items()}


def test_a_new_tenant_starts_with_the_managed_policies(db):
    from tenants.services import create_tenant

    tenant = create_tenant(
        slug="initech",
        name="Initech",
        domain="initech.localhost",
        root_email="root@initech.test",
    )

    with tenant_context(tenant):
        names = set(
            Policy.objects.filter(is_managed=True).values_list("name", flat=True)
        )
    assert names == {"AdministratorAccess", "IamFullAccess", "IamReadOnlyAccess"}


def test_syncing_managed_policies_restores_a_drifted_one(acme):
    with tenant_context(acme):
        Policy.objects.filter(name="IamReadOnlyAccess").update(
            document={"Statement": [allow("*")]}
        )

        sync_managed_policies(Policy)

        restored = Policy.objects.get(name="IamReadOnlyAccess")
    assert restored.document == MANAGED_POLICIES["IamReadOnlyAccess"]["document"]


@pytest.mark.parametrize(
    ("method", "body"),
    [("PATCH", {"description": "mine now"}), ("DELETE", None)],
)
def test_managed_policies_cannot_be_changed_or_deleted(
    acme, acme_root_client, method, body
):
    policy = managed(acme, "AdministratorAccess")

    response = acme_root_client.call(method, f"/iam/policies/{policy.id}", body)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    with tenant_context(acme):
        assert Policy.objects.get(id=policy.id).description == policy.description


def test_an_attached_policy_cannot_be_deleted_until_detached(
    acme, acme_root_client, alice
):
    policy = make_policy(acme, allow("*"))
    acme_root_client.call("PUT", f"/iam/users/{alice.id}/policies/{policy.id}")

    refused = acme_root_client.call("DELETE", f"/iam/policies/{policy.id}")
    acme_root_client.call("DELETE", f"/iam/users/{alice.id}/policies/{policy.id}")
    deleted = acme_root_client.call("DELETE", f"/iam/policies/{policy.id}")

    assert refused.status_code == 409
    assert deleted.status_code == 204


def test_root_attaches_lists_and_detaches_a_user_policy(acme, acme_root_client, alice):
    policy = make_policy(acme, allow("*"), name="Attached")
    path = f"/iam/users/{alice.id}/policies/{policy.id}"

    first = acme_root_client.call("PUT", path)
    again = acme_root_client.call("PUT", path)
    listed = acme_root_client.call("GET", f"/iam/users/{alice.id}/policies")
    detached = acme_root_client.call("DELETE", path)

    assert (first.status_code, again.status_code, detached.status_code) == (
        204,
        204,
        204,
    )
    assert [p["name"] for p in listed.json()["results"]] == ["Attached"]
    with tenant_context(acme):
        assert not UserPolicyAttachment.objects.filter(user=alice).exists()


def test_a_user_lists_its_own_attached_policies(acme, alice, alice_client):
    policy = make_policy(acme, allow("iam:GetUser"), name="Mine")
    with tenant_context(acme):
        UserPolicyAttachment.objects.create(user=alice, policy=policy)

    response = alice_client.call("GET", "/iam/users/me/policies")

    assert response.status_code == 200
    assert [p["name"] for p in response.json()["results"]] == ["Mine"]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_policy_of_another_tenant_is_not_found(globex, acme_root_client, method):
    foreign = make_policy(globex, allow("*"))

    body = {"description": "x"} if method == "PATCH" else None

    response = acme_root_client.call(method, f"/iam/policies/{foreign.id}", body)

    assert response.status_code == 404
    with tenant_context(globex):
        assert Policy.objects.filter(id=foreign.id).exists()


def test_attaching_a_policy_of_another_tenant_is_not_found(
    globex, acme_root_client, alice
):
    foreign = make_policy(globex, allow("*"))

    response = acme_root_client.call(
        "PUT", f"/iam/users/{alice.id}/policies/{foreign.id}"
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    "policy_id", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"]
)
def test_unknown_policy_ids_are_not_found(acme_root_client, policy_id):
    response = acme_root_client.call("GET", f"/iam/policies/{policy_id}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
