"""Policies enforced on every IAM endpoint, object by object, and the simulator.

The table lists every call with the action and resource the contract names.
A user without policies is refused each one; the exact policy (and nothing
broader) allows it; and /iam/authorize answers as enforcement does.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts import services
from accounts.authorization import decide
from accounts.exceptions import RootUserChangeDeniedError
from accounts.models import User, UserPolicyAttachment
from accounts.selectors import list_effective_statements
from tests.accounts.conftest import (
    allow,
    client_of,
    deny,
    grant,
    make_group,
    make_policy,
    managed,
)
from tests.conftest import make_user, root_of

NEW_DOCUMENT = {"Statement": [allow("iam:GetUser")]}

# (method, path, body, [(action, resource)]): every statement is needed.
ENDPOINTS = [
    ("GET", "/iam/users", None, [("iam:ListUsers", "user/*")]),
    (
        "POST",
        "/iam/users",
        {"email": "carol@acme.test"},
        [("iam:CreateUser", "user/*")],
    ),
    ("GET", "/iam/users/{bob}", None, [("iam:GetUser", "user/{bob}")]),
    (
        "PATCH",
        "/iam/users/{bob}",
        {"name": "Robert"},
        [("iam:UpdateUser", "user/{bob}")],
    ),
    (
        "PATCH",
        "/iam/users/{bob}",
        {"email": "robert@acme.test"},
        [("iam:UpdateUser", "user/{bob}"), ("iam:UpdateLoginProfile", "user/{bob}")],
    ),
    ("DELETE", "/iam/users/{bob}", None, [("iam:DeleteUser", "user/{bob}")]),
    ("GET", "/iam/users/{bob}/policies", None, [("iam:GetUser", "user/{bob}")]),
    (
        "PUT",
        "/iam/users/{bob}/policies/{policy}",
        None,
        [("iam:AttachPolicy", "user/{bob}"), ("iam:GetPolicy", "policy/{policy}")],
    ),
    (
        "DELETE",
        "/iam/users/{bob}/policies/{policy}",
        None,
        [("iam:DetachPolicy", "user/{bob}"), ("iam:GetPolicy", "policy/{policy}")],
    ),
    (
        "GET",
        "/iam/users/{bob}/credentials",
        None,
        [("iam:ListAccessKeys", "user/{bob}")],
    ),
    (
        "POST",
        "/iam/users/{bob}/credentials",
        None,
        [("iam:CreateAccessKey", "user/{bob}")],
    ),
    (
        "PATCH",
        "/iam/users/{bob}/credentials/{key}",
        {"status": "inactive"},
        [("iam:UpdateAccessKey", "access-key/{key}")],
    ),
    (
        "DELETE",
        "/iam/users/{bob}/credentials/{key}",
        None,
        [("iam:DeleteAccessKey", "access-key/{key}")],
    ),
    ("GET", "/iam/policies", None, [("iam:ListPolicies", "policy/*")]),
    (
        "POST",
        "/iam/policies",
        {"name": "New", "document": NEW_DOCUMENT},
        [("iam:CreatePolicy", "policy/*")],
    ),
    ("GET", "/iam/policies/{policy}", None, [("iam:GetPolicy", "policy/{policy}")]),
    (
        "PATCH",
        "/iam/policies/{policy}",
        {"description": "changed"},
        [("iam:UpdatePolicy", "policy/{policy}")],
    ),
    (
        "DELETE",
        "/iam/policies/{policy}",
        None,
        [("iam:DeletePolicy", "policy/{policy}")],
    ),
    ("GET", "/iam/groups", None, [("iam:ListGroups", "group/*")]),
    ("POST", "/iam/groups", {"name": "New"}, [("iam:CreateGroup", "group/*")]),
    ("GET", "/iam/groups/{group}", None, [("iam:GetGroup", "group/{group}")]),
    (
        "PATCH",
        "/iam/groups/{group}",
        {"name": "Renamed"},
        [("iam:UpdateGroup", "group/{group}")],
    ),
    ("DELETE", "/iam/groups/{group}", None, [("iam:DeleteGroup", "group/{group}")]),
    (
        "PUT",
        "/iam/groups/{group}/members/{bob}",
        None,
        [("iam:UpdateGroup", "group/{group}")],
    ),
    (
        "DELETE",
        "/iam/groups/{group}/members/{bob}",
        None,
        [("iam:UpdateGroup", "group/{group}")],
    ),
    (
        "PUT",
        "/iam/groups/{group}/policies/{policy}",
        None,
        [("iam:AttachPolicy", "group/{group}"), ("iam:GetPolicy", "policy/{policy}")],
    ),
    (
        "DELETE",
        "/iam/groups/{group}/policies/{policy}",
        None,
        [("iam:DetachPolicy", "group/{group}"), ("iam:GetPolicy", "policy/{policy}")],
    ),
    (
        "POST",
        "/iam/authorize",
        {"action": "iam:GetUser", "resource": "*", "principal": "{bob}"},
        [("iam:SimulatePrincipalPolicy", "user/{bob}")],
    ),
]
ENDPOINT_IDS = [f"{method} {path}" for method, path, _, _ in ENDPOINTS]


@pytest.fixture
def world(acme, bob, acme_root_client):
    """Objects every endpoint of the table can name, in tenant acme."""
    key = acme_root_client.call("POST", f"/iam/users/{bob.id}/credentials")
    assert key.status_code == 201, key.content
    return {
        "bob": str(bob.id),
        "policy": str(make_policy(acme, allow("iam:GetUser"), name="Target").id),
        "group": str(make_group(acme, "Team", members=[bob]).id),
        "key": key.json()["access_key_id"],
    }


def fill(value, world):
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    return value


def exact_statements(needed, world):
    return [
        allow(action, f"urn:iam:acme:{fill(resource, world)}")
        for action, resource in needed
    ]


@pytest.mark.parametrize(
    ("method", "path", "body", "needed"), ENDPOINTS, ids=ENDPOINT_IDS
)
def test_a_user_without_policies_is_refused(
    world, alice_client, method, path, body, needed
):
    response = alice_client.call(method, fill(path, world), fill(body, world))

    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("method", "path", "body", "needed"), ENDPOINTS, ids=ENDPOINT_IDS
)
def test_the_exact_policy_allows_the_call(
    acme, world, alice, alice_client, method, path, body, needed
):
    grant(acme, alice, *exact_statements(needed, world))

    response = alice_client.call(method, fill(path, world), fill(body, world))

    assert response.status_code < 400, response.content


@pytest.mark.parametrize(
    ("method", "path", "body", "needed"), ENDPOINTS, ids=ENDPOINT_IDS
)
def test_the_authorize_endpoint_agrees_with_enforcement(
    acme, world, alice, alice_client, method, path, body, needed
):
    action, resource = needed[0]
    question = {"action": action, "resource": f"urn:iam:acme:{fill(resource, world)}"}

    before = alice_client.call("POST", "/iam/authorize", question).json()
    refused = alice_client.call(method, fill(path, world), fill(body, world))
    grant(acme, alice, *exact_statements(needed, world))
    after = alice_client.call("POST", "/iam/authorize", question).json()
    allowed = alice_client.call(method, fill(path, world), fill(body, world))

    assert (before["allowed"], refused.status_code == 403) == (False, True)
    assert (after["allowed"], allowed.status_code < 400) == (True, True)


# --- object-level checks ---------------------------------------------------


def test_a_right_on_one_user_does_not_reach_another(acme, alice, bob, alice_client):
    carol = make_user(acme, email="carol@acme.test")
    grant(acme, alice, allow("iam:GetUser", f"urn:iam:acme:user/{carol.id}"))

    on_carol = alice_client.call("GET", f"/iam/users/{carol.id}")
    on_bob = alice_client.call("GET", f"/iam/users/{bob.id}")

    assert (on_carol.status_code, on_bob.status_code) == (200, 403)


def test_a_wildcard_urn_reaches_every_user_of_the_tenant(
    acme, alice, bob, alice_client
):
    grant(acme, alice, allow("iam:GetUser", "urn:iam:acme:user/*"))

    response = alice_client.call("GET", f"/iam/users/{bob.id}")

    assert response.status_code == 200


def test_a_policy_naming_another_tenant_grants_nothing_here(
    acme, alice, bob, alice_client
):
    grant(acme, alice, allow("iam:GetUser", "urn:iam:globex:user/*"))

    response = alice_client.call("GET", f"/iam/users/{bob.id}")

    assert response.status_code == 403


@pytest.mark.parametrize(
    "spelling", [str.upper, lambda s: s.replace("-", ""), "{{{}}}".format]
)
def test_a_deny_cannot_be_dodged_with_another_spelling_of_the_id(
    acme, alice, bob, alice_client, spelling
):
    grant(
        acme,
        alice,
        allow("iam:UpdateUser"),
        deny("iam:UpdateUser", f"urn:iam:acme:user/{bob.id}"),
    )

    response = alice_client.call(
        "PATCH", f"/iam/users/{spelling(str(bob.id))}", {"name": "Owned"}
    )

    assert response.status_code == 403
    with tenant_context(acme):
        assert User.objects.get(id=bob.id).name == "Bob"


def test_a_deny_through_a_group_beats_an_allow_on_the_user(
    acme, alice, bob, alice_client
):
    grant(acme, alice, allow("iam:*"))
    make_group(
        acme,
        "NoDeletes",
        members=[alice],
        policies=[make_policy(acme, deny("iam:DeleteUser"))],
    )

    deleted = alice_client.call("DELETE", f"/iam/users/{bob.id}")
    read = alice_client.call("GET", f"/iam/users/{bob.id}")

    assert (deleted.status_code, read.status_code) == (403, 200)


def test_self_service_needs_no_policy(alice, alice_client):
    read = alice_client.call("GET", "/iam/users/me")
    renamed = alice_client.call("PATCH", f"/iam/users/{alice.id}", {"name": "Al"})
    keys = alice_client.call("GET", "/iam/users/me/credentials")

    assert (read.status_code, renamed.status_code, keys.status_code) == (200, 200, 200)


def test_an_explicit_deny_takes_self_service_away(acme, alice, alice_client):
    grant(acme, alice, deny("iam:UpdateUser", f"urn:iam:acme:user/{alice.id}"))

    response = alice_client.call("PATCH", "/iam/users/me", {"name": "Al"})

    assert response.status_code == 403


# --- escalation attempts ---------------------------------------------------


@pytest.mark.parametrize("target", ["me", "{alice}"])
def test_a_user_allowed_to_update_users_cannot_make_itself_root(
    acme, alice, alice_client, target
):
    grant(acme, alice, allow("iam:UpdateUser"))

    response = alice_client.call(
        "PATCH", f"/iam/users/{target.format(alice=alice.id)}", {"is_root": True}
    )

    assert response.status_code == 400
    with tenant_context(acme):
        assert User.objects.get(id=alice.id).is_root is False


def test_a_user_allowed_to_create_users_cannot_create_a_root(acme, alice, alice_client):
    grant(acme, alice, allow("iam:CreateUser"))

    alice_client.call("POST", "/iam/users", {"email": "eve@acme.test", "is_root": True})

    with tenant_context(acme):
        assert User.objects.filter(is_root=True).count() == 1
        assert not User.objects.filter(email="eve@acme.test", is_root=True).exists()


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"name": "Owned"}),
        ("PATCH", "", {"email": "eve@evil.test"}),
        ("PATCH", "", {"is_active": False}),
        ("DELETE", "", None),
        ("POST", "/credentials", None),
    ],
)
def test_an_administrator_cannot_change_root(
    acme, alice, acme_root, alice_client, method, suffix, body
):
    grant(acme, alice, allow("*"))

    response = alice_client.call(method, f"/iam/users/{acme_root.id}{suffix}", body)

    assert response.status_code == 403
    with tenant_context(acme):
        root = User.objects.get(id=acme_root.id)
        assert (root.name, root.email, root.is_active) == (
            acme_root.name,
            acme_root.email,
            True,
        )


def test_an_administrator_cannot_disable_roots_access_key(
    acme, alice, acme_root, acme_root_client, alice_client
):
    key = acme_root_client.call("POST", "/iam/users/me/credentials").json()
    grant(acme, alice, allow("*"))

    response = alice_client.call(
        "PATCH",
        f"/iam/users/{acme_root.id}/credentials/{key['access_key_id']}",
        {"status": "inactive"},
    )

    assert response.status_code == 403


@pytest.mark.parametrize("home", ["acme", "globex"])
def test_changing_another_users_email_needs_update_login_profile(request, home):
    tenant = request.getfixturevalue(home)
    mallory = make_user(tenant, email=f"mallory@{home}.test")
    victim = make_user(tenant, email=f"victim@{home}.test")
    grant(tenant, mallory, allow(["iam:GetUser", "iam:UpdateUser"]))

    response = client_of(tenant, mallory).call(
        "PATCH", f"/iam/users/{victim.id}", {"email": f"mallory+2@{home}.test"}
    )

    assert response.status_code == 403
    with tenant_context(tenant):
        assert User.objects.get(id=victim.id).unconfirmed_email is None


@pytest.mark.parametrize("managed_policy", ["IamFullAccess", "AdministratorAccess"])
def test_managed_full_access_may_change_another_users_email(
    acme, alice, bob, alice_client, managed_policy
):
    with tenant_context(acme):
        UserPolicyAttachment.objects.create(
            user=alice, policy=managed(acme, managed_policy)
        )

    response = alice_client.call(
        "PATCH", f"/iam/users/{bob.id}", {"email": "robert@acme.test"}
    )

    assert response.status_code == 200
    assert response.json()["unconfirmed_email"] == "robert@acme.test"


@pytest.mark.parametrize("target", ["me", "{alice}"])
def test_a_user_may_change_its_own_email_without_a_policy(alice, alice_client, target):
    response = alice_client.call(
        "PATCH", f"/iam/users/{target.format(alice=alice.id)}", {"email": "al@new.test"}
    )

    assert response.status_code == 200
    assert response.json()["unconfirmed_email"] == "al@new.test"


def test_authorize_answers_update_login_profile_as_enforcement_does(
    acme, alice, bob, alice_client
):
    grant(acme, alice, allow("iam:UpdateUser"))

    def ask(user):
        question = {
            "action": "iam:UpdateLoginProfile",
            "resource": f"urn:iam:acme:user/{user.id}",
        }
        return alice_client.call("POST", "/iam/authorize", question).json()

    assert (ask(bob)["decision"], ask(alice)["decision"]) == ("implicit_deny", "allow")


def test_root_still_changes_itself(acme_root_client):
    response = acme_root_client.call("PATCH", "/iam/users/me", {"name": "Boss"})

    assert response.status_code == 200


def test_update_user_refuses_a_non_root_actor_on_root(acme, alice, acme_root):
    with tenant_context(acme), pytest.raises(RootUserChangeDeniedError):
        services.update_user(actor=alice, user=acme_root, name="Owned")


def test_attaching_a_policy_one_cannot_see_is_not_found(acme, alice, alice_client):
    grant(acme, alice, allow("iam:AttachPolicy"))
    hidden = managed(acme, "AdministratorAccess")

    invisible = alice_client.call("PUT", f"/iam/users/me/policies/{hidden.id}")
    unknown = alice_client.call("PUT", f"/iam/users/me/policies/{uuid.uuid4()}")

    assert invisible.status_code == unknown.status_code == 404
    assert invisible.json() == unknown.json()
    with tenant_context(acme):
        assert not alice.attached_policies.filter(id=hidden.id).exists()


def test_attaching_a_policy_of_another_tenant_is_not_found_even_when_allowed(
    acme, globex, alice, alice_client
):
    grant(acme, alice, allow(["iam:AttachPolicy", "iam:GetPolicy"]))
    foreign = make_policy(globex, allow("*"))

    response = alice_client.call("PUT", f"/iam/users/me/policies/{foreign.id}")

    assert response.status_code == 404


# --- the simulator ---------------------------------------------------------


def test_authorize_answers_for_the_caller_with_the_deciding_statement(
    acme, alice, alice_client
):
    policy = grant(acme, alice, allow("iam:ListUsers", Sid="ReadUsers"))

    response = alice_client.call(
        "POST", "/iam/authorize", {"action": "iam:ListUsers", "resource": "x"}
    )

    assert response.json() == {
        "allowed": True,
        "decision": "allow",
        "sid": "ReadUsers",
        "policy": f"urn:iam:acme:policy/{policy.id}",
    }


@pytest.mark.parametrize(
    ("statements", "decision"),
    [([], "implicit_deny"), ([allow("*"), deny("shop:Refund")], "explicit_deny")],
)
def test_authorize_reports_the_two_denials(
    acme, alice, alice_client, statements, decision
):
    if statements:
        grant(acme, alice, *statements)

    response = alice_client.call(
        "POST", "/iam/authorize", {"action": "shop:Refund", "resource": "order/1"}
    )

    assert response.json()["decision"] == decision
    assert response.json()["allowed"] is False


@pytest.mark.parametrize("reference", ["{id}", "urn:iam:acme:user/{id}"])
def test_simulating_another_user_answers_for_that_user(
    acme, alice, bob, alice_client, reference
):
    grant(acme, alice, allow("iam:SimulatePrincipalPolicy", "urn:iam:acme:user/*"))
    grant(acme, bob, allow("shop:*"))

    response = alice_client.call(
        "POST",
        "/iam/authorize",
        {
            "action": "shop:Refund",
            "resource": "order/1",
            "principal": reference.format(id=bob.id),
        },
    )

    assert response.json()["decision"] == "allow"


def test_simulating_a_user_of_another_tenant_is_not_found(
    acme, globex, alice, alice_client
):
    grant(acme, alice, allow("iam:SimulatePrincipalPolicy"))
    outsider = make_user(globex, email="outsider@globex.test")

    by_urn = alice_client.call(
        "POST",
        "/iam/authorize",
        {
            "action": "x:Y",
            "resource": "*",
            "principal": f"urn:iam:globex:user/{outsider.id}",
        },
    )
    by_id = alice_client.call(
        "POST",
        "/iam/authorize",
        {"action": "x:Y", "resource": "*", "principal": str(outsider.id)},
    )

    assert (by_urn.status_code, by_id.status_code) == (404, 404)


def test_simulating_a_group_is_a_validation_error(acme, alice_client):
    group = make_group(acme, "Team")

    response = alice_client.call(
        "POST",
        "/iam/authorize",
        {
            "action": "x:Y",
            "resource": "*",
            "principal": f"urn:iam:acme:group/{group.id}",
        },
    )

    assert response.status_code == 400
    assert "principal" in response.json()["error"]["details"]


@pytest.mark.parametrize(
    "resource", ["urn:iam:globex:user/1", "urn:iam::tenant/globex"]
)
def test_no_one_is_allowed_on_another_tenants_resources(
    acme, alice, acme_root_client, alice_client, resource
):
    grant(acme, alice, allow("*"))
    question = {"action": "iam:GetUser", "resource": resource}

    as_root = acme_root_client.call("POST", "/iam/authorize", question)
    as_admin = alice_client.call("POST", "/iam/authorize", question)

    assert as_root.json()["decision"] == as_admin.json()["decision"] == "implicit_deny"


TWO_TENANTS = [("acme", "globex"), ("globex", "acme")]


def admin_client_of(tenant, slug):
    admin = make_user(tenant, email=f"admin@{slug}.test")
    grant(tenant, admin, allow("*"))
    return client_of(tenant, admin)


@pytest.mark.parametrize("home", ["acme", "globex"])
@pytest.mark.parametrize(
    "spelling",
    [str.upper, lambda s: s.replace("-", ""), "{{{}}}".format],
    ids=["upper", "no-hyphens", "braces"],
)
def test_authorize_applies_the_root_guard_to_every_spelling_of_roots_id(
    request, home, spelling
):
    tenant = request.getfixturevalue(home)
    root = root_of(tenant)
    resource = f"urn:iam:{home}:user/{spelling(str(root.id))}"

    response = admin_client_of(tenant, home).call(
        "POST", "/iam/authorize", {"action": "iam:UpdateUser", "resource": resource}
    )

    assert response.json()["decision"] == "explicit_deny"
    assert response.json()["sid"] == "OnlyRootChangesRoot"


@pytest.mark.parametrize(("home", "other"), TWO_TENANTS)
@pytest.mark.parametrize(
    "template",
    ["URN:IAM:{other}:user/x", "Urn:Iam:{other}:user/x", "urn:iam:{upper}:user/x"],
)
def test_authorize_denies_another_tenants_resource_in_any_spelling(
    request, home, other, template
):
    tenant = request.getfixturevalue(home)
    resource = template.format(other=other, upper=other.upper())

    response = admin_client_of(tenant, home).call(
        "POST", "/iam/authorize", {"action": "iam:GetUser", "resource": resource}
    )

    assert response.json()["decision"] == "implicit_deny"


def test_a_policy_on_the_canonical_urn_matches_any_spelling(acme, alice, bob):
    grant(acme, alice, allow("iam:GetUser", f"urn:iam:acme:user/{bob.id}"))
    resource = f"URN:IAM:ACME:USER/{str(bob.id).upper()}"

    with tenant_context(acme):
        result = decide(User.objects.get(id=alice.id), "iam:GetUser", resource)

    assert result.allowed


# --- loading effective statements ------------------------------------------


def member_of_groups(tenant, email, group_count):
    user = make_user(tenant, email=email)
    for g in range(group_count):
        policies = [
            make_policy(tenant, allow(f"svc:Action{g}{p}"), name=f"{email}-{g}-{p}")
            for p in range(10)
        ]
        make_group(tenant, f"{email}-g{g}", members=[user], policies=policies)
    grant(tenant, user, allow("svc:Direct"))
    return user


def selects(captured):
    """Statements run, without django-tenants' `SET search_path` per cursor."""
    return [q["sql"] for q in captured if not q["sql"].startswith("SET search_path")]


def test_effective_statements_load_in_one_query_for_one_or_five_groups(acme):
    one = member_of_groups(acme, "one@acme.test", 1)
    five = member_of_groups(acme, "five@acme.test", 5)

    with tenant_context(acme):
        with CaptureQueriesContext(connection) as for_one:
            from_one = list_effective_statements(User(id=one.id))
        with CaptureQueriesContext(connection) as for_five:
            from_five = list_effective_statements(User(id=five.id))

    assert (len(from_one), len(from_five)) == (11, 51)
    assert len(selects(for_one)) == len(selects(for_five)) == 1


def test_effective_statements_are_loaded_once_per_principal_object(acme, alice):
    grant(acme, alice, allow("iam:GetPolicy"))

    with tenant_context(acme):
        principal = User.objects.get(id=alice.id)
        decide(principal, "iam:GetPolicy", "urn:iam:acme:policy/1")
        with CaptureQueriesContext(connection) as again:
            second = decide(principal, "iam:GetPolicy", "urn:iam:acme:policy/2")

    assert second.allowed
    assert selects(again) == []


def test_a_policy_reached_through_two_paths_counts_once(acme, alice):
    policy = grant(acme, alice, allow("svc:Once"))
    make_group(acme, "A", members=[alice], policies=[policy])
    make_group(acme, "B", members=[alice], policies=[policy])

    with tenant_context(acme):
        statements = list_effective_statements(User.objects.get(id=alice.id))

    assert len(statements) == 1


def test_another_tenants_attachments_never_reach_a_user(acme, globex, alice):
    twin = make_user(globex, email="alice@acme.test", id=alice.id)
    grant(globex, twin, allow("*"))

    with tenant_context(acme):
        result = decide(
            User.objects.get(id=alice.id), "iam:ListUsers", "urn:iam:acme:user/*"
        )

    assert result.decision == "implicit_deny"
