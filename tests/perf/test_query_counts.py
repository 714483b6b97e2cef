"""Query counts on the hot paths: deterministic, so they are tested (no timings).

A token-authenticated read of oneself costs at most one query once the
process is warm (tenant, signing key and effective statements cached), and
list endpoints cost the same number of queries whatever the page size.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from credentials.access_keys import create_access_key
from tests.accounts.conftest import allow, client_of, grant, make_group, make_policy
from tests.conftest import IamClient, make_user

LIST_SIZE = 6


def queries_of(client, method, path, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.call(method, path, data)
    assert response.status_code == 200, response.content
    return [query["sql"] for query in captured]


@pytest.mark.parametrize("tenant_name", ["acme", "globex"])
def test_token_get_me_makes_at_most_one_query_on_a_warm_cache(request, tenant_name):
    tenant = request.getfixturevalue(tenant_name)
    user = make_user(tenant, email=f"warm@{tenant_name}.test")
    grant(tenant, user, allow("iam:GetUser"), allow("svc:Read*", "urn:svc:*"))
    client = client_of(tenant, user)
    queries_of(client, "GET", "/iam/users/me")

    queries = queries_of(client, "GET", "/iam/users/me")

    assert len(queries) <= 1, queries


@pytest.mark.parametrize("tenant_name", ["acme", "globex"])
def test_a_key_minted_token_adds_one_query_cold_and_none_warm(request, tenant_name):
    tenant = request.getfixturevalue(tenant_name)
    user = make_user(tenant, email=f"keyed@{tenant_name}.test")
    host = tenant.domains.get(is_primary=True).domain
    queries_of(client_of(tenant, user), "GET", "/iam/users/me")
    with tenant_context(tenant):
        key, secret = create_access_key(user=user)
    pair = IamClient(host).call(
        "POST",
        "/iam/auth/token",
        {"access_key_id": key.access_key_id, "secret_access_key": secret},
    )
    client = IamClient(host).bearer(pair.json()["access_token"])

    cold = queries_of(client, "GET", "/iam/users/me")
    warm = queries_of(client, "GET", "/iam/users/me")

    assert len(cold) <= 2, cold
    assert len(warm) <= 1, warm


def test_authorize_for_a_user_in_many_groups_makes_at_most_one_query_when_warm(acme):
    user = make_user(acme, email="groups@acme.test")
    for index in range(5):
        policies = [
            make_policy(acme, allow(f"svc{index}:Get*", f"urn:svc:{index}:*"))
            for _ in range(3)
        ]
        make_group(acme, f"g{index}", members=[user], policies=policies)
    client = client_of(acme, user)
    body = {"action": "svc3:GetThing", "resource": "urn:svc:3:thing"}
    queries_of(client, "POST", "/iam/authorize", body)

    queries = queries_of(client, "POST", "/iam/authorize", body)

    assert len(queries) <= 1, queries


def test_warm_requests_to_one_tenant_send_no_search_path_statement(acme, alice):
    client = client_of(acme, alice)
    queries_of(client, "GET", "/iam/users/me")

    queries = queries_of(client, "GET", "/iam/users/me")

    assert not [sql for sql in queries if sql.startswith("SET search_path")]


@pytest.fixture
def alice(acme):
    return make_user(acme, email="alice@acme.test")


def _fill_users(tenant, client):
    for index in range(LIST_SIZE):
        make_user(tenant, email=f"user{index}@acme.test")


def _fill_policies(tenant, client):
    for index in range(LIST_SIZE):
        make_policy(tenant, allow(f"svc:Get{index}"), name=f"policy{index}")


def _fill_groups(tenant, client):
    member = make_user(tenant, email="member@acme.test")
    for index in range(LIST_SIZE):
        make_group(tenant, f"group{index}", members=[member])


def _fill_audit_events(tenant, client):
    for index in range(LIST_SIZE):
        response = client.call("POST", "/iam/groups", {"name": f"audited{index}"})
        assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("path", "fill"),
    [
        ("/iam/users", _fill_users),
        ("/iam/policies", _fill_policies),
        ("/iam/groups", _fill_groups),
        ("/iam/audit-events", _fill_audit_events),
    ],
)
def test_tenant_list_queries_do_not_grow_with_page_size(
    acme, acme_root_client, path, fill
):
    fill(acme, acme_root_client)
    queries_of(acme_root_client, "GET", f"{path}?page_size=1")

    small = queries_of(acme_root_client, "GET", f"{path}?page_size=2")
    large = queries_of(acme_root_client, "GET", f"{path}?page_size={LIST_SIZE}")

    assert len(small) == len(large), (small, large)


def test_tenant_list_for_the_platform_owner_does_not_grow_with_page_size(
    acme, globex, owner_client
):
    queries_of(owner_client, "GET", "/iam/tenants?page_size=1")

    small = queries_of(owner_client, "GET", "/iam/tenants?page_size=1")
    large = queries_of(owner_client, "GET", "/iam/tenants?page_size=2")

    assert len(small) == len(large), (small, large)


def test_a_tenant_host_answers_from_cache_without_a_tenant_query(acme, alice):
    client = IamClient("acme.localhost")
    client.call("GET", "/iam/users/me")

    with CaptureQueriesContext(connection) as captured:
        response = client.call("GET", "/iam/users/me")

    assert response.status_code == 401
    assert [query["sql"] for query in captured] == []
