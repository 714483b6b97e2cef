"""A new tenant's schema is an exact copy of the migrated template."""

import re

import pytest
from django.conf import settings
from django.db import connection

from tenants import services
from tenants.exceptions import TemplateSchemaUnsupportedError
from tenants.schema_clone import clone_template_schema

COLUMNS = """
    SELECT table_name, column_name, data_type, is_nullable, column_default,
           is_identity, identity_generation, is_generated, generation_expression
    FROM information_schema.columns WHERE table_schema = %s
"""
CONSTRAINTS = """
    SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = %s
"""
INDEXES = "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s"
SEQUENCES = """
    SELECT sequencename, data_type, start_value, min_value, max_value,
           increment_by, cycle, cache_size
    FROM pg_sequences WHERE schemaname = %s
"""


def describe(schema):
    """Every column, constraint, index and sequence, with the schema name masked."""
    mask = re.compile(rf'"?{re.escape(schema)}"?\.')
    found = {}
    with connection.cursor() as cursor:
        for name, query in [
            ("columns", COLUMNS),
            ("constraints", CONSTRAINTS),
            ("indexes", INDEXES),
            ("sequences", SEQUENCES),
        ]:
            cursor.execute(query, [schema])
            found[name] = sorted(
                tuple(mask.sub("S.", v) if isinstance(v, str) else v for v in row)
                for row in cursor.fetchall()
            )
    return found


def make_tenant():
    return services.create_tenant(
        slug="initech",
        name="Initech",
        domain="initech.localhost",
        root_email="root@initech.test",
    )


def test_a_new_tenant_schema_matches_the_template_object_for_object(db):
    tenant = make_tenant()

    assert describe(tenant.schema_name) == describe(settings.TENANT_BASE_SCHEMA)


def test_tenants_made_at_session_start_match_the_template_too(acme, globex):
    template = describe(settings.TENANT_BASE_SCHEMA)

    assert describe(acme.schema_name) == template
    assert describe(globex.schema_name) == template


def test_identity_sequences_start_past_the_copied_rows(db):
    tenant = make_tenant()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND is_identity = 'YES'",
            [tenant.schema_name],
        )
        for table, column in cursor.fetchall():
            qualified = f'"{tenant.schema_name}"."{table}"'
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [qualified, column])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT last_value FROM {sequence}")
            position = cursor.fetchone()[0]
            cursor.execute(f'SELECT coalesce(max("{column}"), 0) FROM {qualified}')
            highest = cursor.fetchone()[0]

            assert highest <= position, (table, column)


def test_template_rows_are_copied(db):
    tenant = make_tenant()

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{tenant.schema_name}".django_migrations')
        copied = cursor.fetchone()[0]
        cursor.execute(
            f'SELECT count(*) FROM "{settings.TENANT_BASE_SCHEMA}".django_migrations'
        )

        assert copied == cursor.fetchone()[0] > 0


def test_a_template_with_objects_it_cannot_copy_is_refused(db):
    template = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE VIEW "{template}".every_user AS '
            f'SELECT id FROM "{template}".accounts_user'
        )
        cursor.execute(
            f'INSERT INTO "{template}".django_migrations (app, name, applied) '
            "VALUES ('late', '0001_view', now())"
        )

    with pytest.raises(TemplateSchemaUnsupportedError, match="every_user"):
        clone_template_schema(template=template, schema="t_refused")


def test_a_migration_recorded_in_the_template_reaches_the_next_clone(db):
    template = settings.TENANT_BASE_SCHEMA
    clone_template_schema(template=template, schema="t_before")
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{template}".late_table (id integer)')
        cursor.execute(
            f'INSERT INTO "{template}".django_migrations (app, name, applied) '
            "VALUES ('late', '0001_initial', now())"
        )

    clone_template_schema(template=template, schema="t_after")

    assert describe("t_after") == describe(template)
