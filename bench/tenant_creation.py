"""Time the real tenant creation at tenant number N and at tenant number M.

Tenants below N are made by the real service (tenants.services.create_tenant).
The fillers between the two points are made in bulk for speed: their rows
with bulk_create and their schemas by running the service's own clone
script (tenants.schema_clone) rendered once with the name swapped, on two
connections at once. A filler holds the same tables, indexes, sequences and
seed rows as a real tenant; it lacks only a root user and a signing key,
which live inside its own schema and cannot slow another tenant's creation.

Usage: python -m bench.tenant_creation FIRST SECOND SAMPLES
Prints one JSON line: {"first_ms": [...], "second_ms": [...]}.
"""

import json
import sys
import threading
import time

import django
import psycopg

FILLER_THREADS = 2


def _existing_count() -> int:
    from tenants.models import Tenant

    return Tenant.objects.exclude(schema_name="public").count()


def _create(number: int) -> float:
    from tenants.services import create_tenant

    slug = f"tenant{number:05d}"
    start = time.perf_counter()
    create_tenant(
        slug=slug,
        name=slug,
        domain=f"{slug}.localhost",
        root_email=f"root@{slug}.test",
    )
    return (time.perf_counter() - start) * 1000


def _fill(first: int, last: int) -> None:
    """Make tenants number first..last (inclusive) in bulk."""
    from django.conf import settings
    from django.db import connection

    from tenants.models import Domain, Tenant, schema_name_for_slug
    from tenants.schema_clone import render_clone_script

    template = settings.TENANT_BASE_SCHEMA
    placeholder = "bench_filler_placeholder"
    script = render_clone_script(template=template, schema=placeholder)
    slugs = [f"tenant{number:05d}" for number in range(first, last + 1)]
    tenants = Tenant.objects.bulk_create(
        [
            Tenant(schema_name=schema_name_for_slug(slug), slug=slug, name=slug)
            for slug in slugs
        ]
    )
    Domain.objects.bulk_create(
        [
            Domain(domain=f"{t.slug}.localhost", tenant=t, is_primary=True)
            for t in tenants
        ]
    )
    conninfo = connection.get_connection_params()
    conninfo.pop("cursor_factory", None)
    conninfo.pop("context", None)
    conninfo.pop("prepare_threshold", None)

    def clone(schemas: list[str]) -> None:
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            for schema in schemas:
                with conn.transaction():
                    conn.execute(script.replace(f'"{placeholder}"', f'"{schema}"'))

    schemas = [schema_name_for_slug(slug) for slug in slugs]
    threads = [
        threading.Thread(target=clone, args=(schemas[index::FILLER_THREADS],))
        for index in range(FILLER_THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure(first: int, second: int, samples: int) -> dict:
    number = _existing_count() + 1
    while number < first:
        _create(number)
        number += 1
    first_ms = [_create(number + index) for index in range(samples)]
    number += samples

    fill_start = time.perf_counter()
    _fill(number, second - 1)
    fill_seconds = time.perf_counter() - fill_start
    second_ms = [_create(second + index) for index in range(samples)]
    return {
        "first": first,
        "second": second,
        "first_ms": first_ms,
        "second_ms": second_ms,
        "filler_seconds": fill_seconds,
        "tenants_at_end": _existing_count(),
    }


if __name__ == "__main__":
    django.setup()
    first, second, samples = (int(value) for value in sys.argv[1:4])
    sys.stdout.write(json.dumps(measure(first, second, samples)) + "\n")
