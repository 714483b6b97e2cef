"""The per-process cache of effective statements never outlives a change."""

from django.db import connection
from django_tenants.utils import tenant_context

from accounts import statement_cache
from accounts.models import GroupMembership, Policy
from tenants import selectors
from tenants.selectors import get_tenant_generation
from tests.accounts.conftest import allow, client_of, deny, grant, make_group


def get_me(client):
    return client.call("GET", "/iam/users/me").status_code


def test_a_deny_attached_after_a_cached_decision_applies_to_the_next_request(
    acme, alice
):
    client = client_of(acme, alice)
    assert get_me(client) == 200

    grant(acme, alice, deny("iam:GetUser"))

    assert get_me(client) == 403


def test_leaving_a_group_ends_its_permissions_at_once(acme, alice, bob):
    policy = grant(acme, bob, allow("iam:GetUser"))
    group = make_group(acme, "readers", members=[alice], policies=[policy])
    client = client_of(acme, alice)
    assert client.call("GET", f"/iam/users/{bob.id}").status_code == 200

    with tenant_context(acme):
        GroupMembership.objects.filter(group=group, user=alice).delete()

    assert client.call("GET", f"/iam/users/{bob.id}").status_code == 403


def test_editing_a_policy_document_applies_at_once(acme, alice, bob):
    policy = grant(acme, alice, allow("iam:GetUser"))
    client = client_of(acme, alice)
    assert client.call("GET", f"/iam/users/{bob.id}").status_code == 200

    with tenant_context(acme):
        policy = Policy.objects.get(id=policy.id)
        policy.document = {"Statement": [allow("iam:ListUsers")]}
        policy.save()

    assert client.call("GET", f"/iam/users/{bob.id}").status_code == 403


def test_a_change_in_one_tenant_keeps_the_other_tenants_cache(acme, globex):
    before = get_tenant_generation(globex)
    with tenant_context(acme):
        statement_cache.forget_effective_statements()

    assert get_tenant_generation(globex) == before


def test_statements_cached_in_one_tenant_are_not_served_in_another(acme, globex):
    with tenant_context(acme):
        statement_cache.get_cached_statements("same-id", lambda: ("acme",))
    with tenant_context(globex):
        found = statement_cache.get_cached_statements("same-id", lambda: ("globex",))

    assert found == ("globex",)


def test_the_generation_changes_again_when_the_change_commits(
    acme, django_capture_on_commit_callbacks
):
    with tenant_context(acme):
        with django_capture_on_commit_callbacks(execute=True):
            statement_cache.forget_effective_statements()
            during = get_tenant_generation(acme)
        after = get_tenant_generation(acme)

    assert during != after
    assert connection.schema_name == "public"


def test_a_wrong_schema_guess_for_a_host_never_lends_another_tenants_generation(
    acme, globex
):
    selectors.get_tenant_for_host("acme.localhost")
    selectors._host_schemas["acme.localhost"] = globex.schema_name
    with tenant_context(acme):
        statement_cache.forget_effective_statements()

    tenant = selectors.get_tenant_for_host("acme.localhost")

    assert get_tenant_generation(tenant) == get_tenant_generation(acme)
    assert get_tenant_generation(tenant) != get_tenant_generation(globex)


def test_a_host_cached_by_another_process_brings_its_generation_from_then_on(acme):
    generation = get_tenant_generation(acme)
    selectors.get_tenant_for_host("acme.localhost")
    selectors._host_schemas.clear()  # as in a worker that never loaded it
    selectors.get_tenant_for_host("acme.localhost")

    tenant = selectors.get_tenant_for_host("acme.localhost")

    assert tenant.prefetched_generation == generation
