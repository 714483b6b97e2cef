"""Tenant look-ups on the hot path of every request, cached in Redis."""

import re
import secrets

from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context
from psycopg import sql as pg_sql

from tenants.models import Domain, Tenant, schema_name_for_slug

# A missed host is cached too, so that unknown hosts cannot hammer Postgres.
_MISSING = "missing"
TENANT_CACHE_SECONDS = 300
MAX_REMEMBERED_HOSTS = 10_000
# host -> schema, learned by this process; only a guess of which generation
# key to fetch with the tenant (see get_tenant_generation).
_host_schemas: dict[str, str] = {}


def _host_key(hostname: str) -> str:
    return f"tenant-host:{hostname}"


def _slug_key(slug: str) -> str:
    return f"tenant-slug:{slug}"


def get_tenant_for_host(hostname: str) -> Tenant | None:
    """Return the tenant that serves a host, or None."""
    with schema_context("public"):
        key = _host_key(hostname)
        found = cache.get_many([key, *_generation_keys(_host_schemas.get(hostname))])
        cached = found.get(key)
        if cached is not None:
            if cached == _MISSING:
                return None
            _attach_generation(cached, found)
            _remember_schema(hostname, cached)
            return cached

        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        tenant = domain.tenant if domain else None
        cache.set(key, tenant or _MISSING, TENANT_CACHE_SECONDS)
        if tenant is not None:
            _remember_schema(hostname, tenant)
        return tenant


def _remember_schema(hostname: str, tenant: Tenant) -> None:
    if _host_schemas.get(hostname) != tenant.schema_name:
        if len(_host_schemas) >= MAX_REMEMBERED_HOSTS:
            _host_schemas.clear()
        _host_schemas[hostname] = tenant.schema_name


_SLUG_SHAPE = re.compile(r"[a-z0-9-]{1,40}")


def get_tenant_for_slug(slug: str) -> Tenant | None:
    """Return the tenant with this slug, or None."""
    # Only what could be a slug reaches the cache or the database: anything
    # else (a client's odd `account` field) is simply no tenant.
    if not isinstance(slug, str) or not _SLUG_SHAPE.fullmatch(slug):
        return None
    with schema_context("public"):
        key = _slug_key(slug)
        found = cache.get_many([key, *_generation_keys(schema_name_for_slug(slug))])
        cached = found.get(key)
        if cached is not None:
            if cached == _MISSING:
                return None
            _attach_generation(cached, found)
            return cached

        tenant = Tenant.objects.filter(slug=slug).first()
        cache.set(key, tenant or _MISSING, TENANT_CACHE_SECONDS)
        return tenant


# --- Generation: when per-process caches of a tenant must be dropped ---------
#
# A random token per tenant in the shared cache, replaced by
# bump_tenant_generation() whenever something that workers keep in memory
# for that tenant changes (its effective policy statements, see
# accounts.statement_cache). The look-ups above fetch it in the same round
# trip as the tenant: the schema of a host is learned per process (a guess,
# used only when the cached tenant confirms it) and that of a slug follows
# from the slug.


def _generation_key(schema_name: str) -> str:
    return f"tenant-generation:{schema_name}"


def _generation_keys(schema_name: str | None) -> list[str]:
    return [_generation_key(schema_name)] if schema_name else []


def _attach_generation(tenant: Tenant, found: dict) -> None:
    generation = found.get(_generation_key(tenant.schema_name))
    if generation is not None:
        tenant.prefetched_generation = generation


def get_tenant_generation(tenant) -> str:
    """Return the tenant's current generation token, starting one if none exists.

    Uses the value fetched with the tenant for this request when there is one.
    """
    prefetched = getattr(tenant, "prefetched_generation", None)
    if prefetched is not None:
        return prefetched
    with schema_context("public"):
        key = _generation_key(tenant.schema_name)
        generation = cache.get(key)
        if generation is None:
            # Lost (eviction, a fresh Redis) or never set: a new token, so that
            # nothing kept under an older one can match.
            cache.add(key, secrets.token_hex(8), timeout=None)
            generation = cache.get(key)
    return generation


def bump_tenant_generation(schema_name: str) -> None:
    """Retire what every process keeps in memory for this tenant."""
    with schema_context("public"):
        cache.set(_generation_key(schema_name), secrets.token_hex(8), timeout=None)
    current = getattr(connection, "tenant", None)
    if getattr(current, "schema_name", None) == schema_name:
        # The request that made the change reads the new token from now on.
        current.__dict__.pop("prefetched_generation", None)


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
