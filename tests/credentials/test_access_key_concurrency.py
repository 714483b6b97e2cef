"""Eight concurrent creations for one user yield exactly the limit.

The threads need their own database connections, which cannot see the
rolled-back transaction of an ordinary test. So everything here runs in
threads of its own (each thread has its own connection, in autocommit): a
tenant is created and committed for this test and dropped at the end, while
the test's own transaction stays untouched.
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from credentials.access_keys import create_access_key
from credentials.exceptions import AccessKeyLimitError
from credentials.models import AccessKey
from tenants.models import AccessKeyIndex
from tenants.services import create_tenant, delete_tenant

THREADS = 8


def in_own_connection(function, *args):
    """Run a function in a fresh thread, hence on a connection of its own."""

    def run():
        try:
            return function(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def make_tenant():
    slug = f"race-{uuid.uuid4().hex[:8]}"
    tenant = create_tenant(
        slug=slug,
        name="Race",
        domain=f"{slug}.localhost",
        root_email=f"root@{slug}.test",
    )
    with tenant_context(tenant):
        return tenant, User.objects.get(is_root=True)


def create_concurrently(tenant, user) -> list[str]:
    barrier = threading.Barrier(THREADS)

    def create():
        connection.set_tenant(tenant)
        barrier.wait()
        try:
            create_access_key(user=user)
            return "created"
        except AccessKeyLimitError:
            return "limit"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(create) for _ in range(THREADS)]
        return [future.result() for future in futures]


def count_keys(tenant, user) -> tuple[int, int]:
    with tenant_context(tenant):
        stored = AccessKey.objects.filter(user=user).count()
    with schema_context("public"):
        indexed = AccessKeyIndex.objects.filter(tenant=tenant).count()
    return stored, indexed


def test_eight_concurrent_creations_yield_two_keys_and_six_limit_errors(db):
    tenant, user = in_own_connection(make_tenant)
    try:
        outcomes = create_concurrently(tenant, user)
        stored, indexed = in_own_connection(count_keys, tenant, user)
    finally:
        in_own_connection(lambda: delete_tenant(tenant=tenant))

    assert sorted(outcomes) == ["created"] * 2 + ["limit"] * 6
    assert (stored, indexed) == (2, 2)
