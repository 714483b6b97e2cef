"""The groups API: CRUD, members, attached policies, and two tenants."""

import uuid

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Group, GroupMembership
from tests.accounts.conftest import allow, client_of, make_group, make_policy
from tests.conftest import make_user


def test_root_creates_a_group(acme_root_client):
    response = acme_root_client.call("POST", "/iam/groups", {"name": "Admins"})

    body = response.json()
    assert response.status_code == 201, body
    assert body["urn"] == f"urn:iam:acme:group/{body['id']}"
    assert body["name"] == "Admins"


def test_group_detail_shows_members_and_attached_policies(
    acme, acme_root_client, alice, bob
):
    policy = make_policy(acme, allow("*"), name="Everything")
    group = make_group(acme, "Admins", members=[bob, alice], policies=[policy])

    response = acme_root_client.call("GET", f"/iam/groups/{group.id}")

    body = response.json()
    assert response.status_code == 200
    assert [m["email"] for m in body["members"]] == ["alice@acme.test", "bob@acme.test"]
    assert body["members"][0]["urn"] == f"urn:iam:acme:user/{alice.id}"
    assert [p["name"] for p in body["policies"]] == ["Everything"]


def test_root_lists_renames_and_deletes_a_group(acme, acme_root_client, alice):
    group = make_group(acme, "Before", members=[alice])
    path = f"/iam/groups/{group.id}"

    listed = acme_root_client.call("GET", "/iam/groups")
    renamed = acme_root_client.call("PATCH", path, {"name": "After"})
    deleted = acme_root_client.call("DELETE", path)

    assert [g["name"] for g in listed.json()["results"]] == ["Before"]
    assert renamed.json()["name"] == "After"
    assert deleted.status_code == 204
    with tenant_context(acme):
        assert not GroupMembership.objects.filter(user=alice).exists()


def test_group_names_are_unique_in_a_tenant_ignoring_case(acme, acme_root_client):
    make_group(acme, "Admins")

    response = acme_root_client.call("POST", "/iam/groups", {"name": "ADMINS"})

    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]


def test_the_same_group_name_may_exist_in_two_tenants(acme, globex_root_client):
    make_group(acme, "Admins")

    response = globex_root_client.call("POST", "/iam/groups", {"name": "Admins"})

    assert response.status_code == 201


def test_membership_is_added_and_removed_idempotently(acme, acme_root_client, alice):
    group = make_group(acme, "Admins")
    path = f"/iam/groups/{group.id}/members/{alice.id}"

    added = [acme_root_client.call("PUT", path).status_code for _ in range(2)]
    with tenant_context(acme):
        members_after_add = list(group.members.all())
    removed = [acme_root_client.call("DELETE", path).status_code for _ in range(2)]

    assert added == [204, 204] and removed == [204, 204]
    assert members_after_add == [alice]
    with tenant_context(acme):
        assert not group.members.exists()


def test_a_member_gains_the_rights_of_the_group_and_loses_them_on_removal(
    acme, acme_root_client, alice, alice_client
):
    policy = make_policy(acme, allow("iam:ListUsers"))
    group = make_group(acme, "Readers", policies=[policy])
    member_path = f"/iam/groups/{group.id}/members/{alice.id}"

    before = alice_client.call("GET", "/iam/users")
    acme_root_client.call("PUT", member_path)
    during = alice_client.call("GET", "/iam/users")
    acme_root_client.call("DELETE", member_path)
    after = alice_client.call("GET", "/iam/users")

    assert (before.status_code, during.status_code, after.status_code) == (
        403,
        200,
        403,
    )


def test_deleting_a_group_takes_its_rights_from_its_members(
    acme, acme_root_client, alice, alice_client
):
    policy = make_policy(acme, allow("iam:ListUsers"))
    group = make_group(acme, "Readers", members=[alice], policies=[policy])

    before = alice_client.call("GET", "/iam/users")
    acme_root_client.call("DELETE", f"/iam/groups/{group.id}")
    after = alice_client.call("GET", "/iam/users")

    assert (before.status_code, after.status_code) == (200, 403)


def test_root_attaches_and_detaches_a_group_policy(acme, acme_root_client):
    policy = make_policy(acme, allow("*"), name="Attached")
    group = make_group(acme, "Admins")
    path = f"/iam/groups/{group.id}/policies/{policy.id}"

    attached = acme_root_client.call("PUT", path)
    shown = acme_root_client.call("GET", f"/iam/groups/{group.id}")
    detached = acme_root_client.call("DELETE", path)

    assert (attached.status_code, detached.status_code) == (204, 204)
    assert [p["name"] for p in shown.json()["policies"]] == ["Attached"]
    with tenant_context(acme):
        assert not group.policies.exists()


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("PUT", "/members/{user}")],
)
def test_a_group_of_another_tenant_is_not_found(
    globex, acme_root_client, alice, method, suffix
):
    foreign = make_group(globex, "Admins")
    body = {"name": "Mine"} if method == "PATCH" else None

    response = acme_root_client.call(
        method, f"/iam/groups/{foreign.id}" + suffix.format(user=alice.id), body
    )

    assert response.status_code == 404
    with tenant_context(globex):
        assert Group.objects.get(id=foreign.id).name == "Admins"


def test_a_user_of_another_tenant_cannot_join_a_group(acme, globex, acme_root_client):
    group = make_group(acme, "Admins")
    outsider = make_user(globex, email="outsider@globex.test")

    response = acme_root_client.call(
        "PUT", f"/iam/groups/{group.id}/members/{outsider.id}"
    )

    assert response.status_code == 404
    with tenant_context(acme):
        assert not group.members.exists()


def test_attaching_a_policy_of_another_tenant_to_a_group_is_not_found(
    acme, globex, acme_root_client
):
    group = make_group(acme, "Admins")
    foreign = make_policy(globex, allow("*"))

    response = acme_root_client.call(
        "PUT", f"/iam/groups/{group.id}/policies/{foreign.id}"
    )

    assert response.status_code == 404


def test_an_unknown_group_is_not_found(acme_root_client):
    response = acme_root_client.call("GET", f"/iam/groups/{uuid.uuid4()}")

    assert response.status_code == 404


def test_globex_root_sees_none_of_acmes_groups(acme, globex, globex_root):
    make_group(acme, "AcmeOnly")
    client = client_of(globex, globex_root)

    response = client.call("GET", "/iam/groups")

    assert response.json()["results"] == []
