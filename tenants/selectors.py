"""Tenant look-ups on the hot path of every request, cached in Redis."""

from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context
from psycopg import sql as pg_sql

from tenants.models import Domain, Tenant

# A missed host is cached too, so that unknown hosts cannot hammer Postgres.
_MISSING = "missing"
TENANT_CACHE_SECONDS = 300


def _host_key(hostname: str) -> str:
    return f"tenant-host:{hostname}"


def _slug_key(slug: str) -> str:
    return f"tenant-slug:{slug}"


def get_tenant_for_host(hostname: str) -> Tenant | None:
    """Return the tenant that serves a host, or None."""
    with schema_context("public"):
        cached = cache.get(_host_key(hostname))
        if cached is not None:
            return None if cached == _MISSING else cached

        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        tenant = domain.tenant if domain else None
        cache.set(_host_key(hostname), tenant or _MISSING, TENANT_CACHE_SECONDS)
        return tenant


def get_tenant_for_slug(slug: str) -> Tenant | None:
    """Return the tenant with this slug, or None."""
    if not slug or not isinstance(slug, str) or len(slug) > 40:
        return None
    with schema_context("public"):
        cached = cache.get(_slug_key(slug))
        if cached is not None:
            return None if cached == _MISSING else cached

        tenant = Tenant.objects.filter(slug=slug).first()
        cache.set(_slug_key(slug), tenant or _MISSING, TENANT_CACHE_SECONDS)
        return tenant


def forget_cached_tenant(tenant: Tenant, *, hostnames: list[str] | None = None) -> None:
    """Drop every cached look-up of a tenant; call after any change to it."""
    with schema_context("public"):
        names = hostnames or list(
            Domain.objects.filter(tenant=tenant).values_list("domain", flat=True)
        )
        cache.delete_many(
            [_slug_key(tenant.slug), *(_host_key(name) for name in names)]
        )


def list_tenants():
    return Tenant.objects.exclude(schema_name="public").prefetch_related("domains")


def get_tenant_for_access_key(access_key_id: str) -> Tenant | None:
    """Return the tenant that holds an access key id, or None."""
    from tenants.models import AccessKeyIndex

    if not access_key_id or len(access_key_id) > 32:
        return None
    with schema_context("public"):
        row = (
            AccessKeyIndex.objects.select_related("tenant")
            .filter(pk=access_key_id)
            .first()
        )
        return row.tenant if row else None


def count_users_by_schema(schema_names: list[str]) -> dict[str, int]:
    """Return the number of users in each of these tenant schemas, in one query.

    Users live in each tenant's own schema, so a list of tenants cannot join
    them; one UNION ALL over the listed schemas keeps a page at one query.
    """
    if not schema_names:
        return {}
    connection.ensure_connection()
    raw = connection.connection
    parts = [
        pg_sql.SQL("SELECT {name}, count(*) FROM {table}").format(
            name=pg_sql.Literal(name),
            table=pg_sql.Identifier(name, "accounts_user"),
        )
        for name in schema_names
    ]
    query = pg_sql.SQL(" UNION ALL ").join(parts).as_string(raw)
    with connection.cursor() as cursor:
        cursor.execute(query)
        return dict(cursor.fetchall())
