"""List pages cost the same number of queries for 1 row as for 20 (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.models import Group, Policy
from audit.models import AuditEvent
from credentials import access_keys
from notifications.models import Outbox
from tenants.models import Domain, Tenant
from tests.conftest import make_user

ROWS = 20


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _baseline(client, url) -> int:
    client.get(url)  # warms the tenant and content-type caches
    return _queries(client, url)


def _add_bare_tenants(count):
    """Tenants whose schema holds only the users table the list counts."""
    with connection.cursor() as cursor:
        for number in range(count):
            schema = f"t_bare{number}"
            cursor.execute(f'CREATE SCHEMA "{schema}"')
            cursor.execute(f'CREATE TABLE "{schema}".accounts_user (id int)')
            cursor.execute(f'INSERT INTO "{schema}".accounts_user VALUES (1), (2)')
            tenant = Tenant.objects.create(
                schema_name=schema, slug=f"bare{number}", name=f"Bare {number}"
            )
            Domain.objects.create(
                domain=f"bare{number}.localhost", tenant=tenant, is_primary=True
            )


def test_tenant_list_queries_do_not_grow_with_tenants(
    owner_admin, django_assert_max_num_queries
):
    url = "/admin/tenants/tenant/"
    baseline = _baseline(owner_admin, url)

    _add_bare_tenants(ROWS - Tenant.objects.exclude(schema_name="public").count())

    with django_assert_max_num_queries(baseline):
        response = owner_admin.get(url)
    assert len(response.context["cl"].result_list) == ROWS
    counts = {t.slug: t.user_count for t in response.context["cl"].result_list}
    assert (counts["acme"], counts["bare0"]) == (1, 2)


def test_user_list_queries_do_not_grow_with_users(
    acme_admin, acme, django_assert_max_num_queries
):
    url = "/admin/accounts/user/"
    baseline = _baseline(acme_admin, url)

    for number in range(ROWS - 1):
        make_user(acme, email=f"user{number}@acme.test")

    with django_assert_max_num_queries(baseline):
        response = acme_admin.get(url)
    assert len(response.context["cl"].result_list) == ROWS


def test_access_key_list_queries_do_not_grow_with_keys(
    acme_admin, acme, django_assert_max_num_queries
):
    url = "/admin/credentials/accesskey/"
    owner = make_user(acme, email="first@acme.test")
    with tenant_context(acme):
        access_keys.create_access_key(user=owner)
    baseline = _baseline(acme_admin, url)

    for number in range(ROWS // 2):
        user = make_user(acme, email=f"user{number}@acme.test")
        with tenant_context(acme):
            access_keys.create_access_key(user=user)
            if number < ROWS // 2 - 1:
                access_keys.create_access_key(user=user)

    with django_assert_max_num_queries(baseline):
        response = acme_admin.get(url)
    assert len(response.context["cl"].result_list) == ROWS


def test_group_list_queries_do_not_grow_with_groups(
    acme_admin, acme, django_assert_max_num_queries
):
    url = "/admin/accounts/group/"
    alice = make_user(acme, email="alice@acme.test")
    with tenant_context(acme):
        policy = Policy.objects.get(name="IamReadOnlyAccess")
        Group.objects.create(name="g-first")
    baseline = _baseline(acme_admin, url)

    with tenant_context(acme):
        for number in range(ROWS - 1):
            group = Group.objects.create(name=f"g{number}")
            group.memberships.create(user=alice)
            group.policy_attachments.create(policy=policy)

    with django_assert_max_num_queries(baseline):
        response = acme_admin.get(url)
    assert len(response.context["cl"].result_list) == ROWS
    assert {group.member_total for group in response.context["cl"].result_list} == {
        0,
        1,
    }


@pytest.mark.parametrize(
    ("url", "make_row"),
    [
        (
            "/admin/accounts/policy/",
            lambda n: Policy.objects.create(name=f"p{n}", document={"Statement": []}),
        ),
        (
            "/admin/notifications/outbox/",
            lambda n: Outbox.objects.create(
                recipient=f"u{n}@acme.test", template="welcome"
            ),
        ),
        (
            "/admin/audit/auditevent/",
            lambda n: AuditEvent.objects.create(action=f"iam:Do{n}", outcome="success"),
        ),
    ],
    ids=["policies", "outbox", "audit"],
)
def test_read_mostly_lists_do_not_grow_with_rows(
    acme_admin, acme, url, make_row, django_assert_max_num_queries
):
    with tenant_context(acme):
        make_row(0)
    baseline = _baseline(acme_admin, url)

    with tenant_context(acme):
        for number in range(1, ROWS):
            make_row(number)

    with django_assert_max_num_queries(baseline):
        response = acme_admin.get(url)
    assert len(response.context["cl"].result_list) >= ROWS
