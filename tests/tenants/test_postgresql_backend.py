"""The backend skips `SET search_path` only when the server already has it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.conftest import make_user


def emails_in(tenant):
    connection.set_tenant(tenant)
    with CaptureQueriesContext(connection) as captured:
        emails = set(User.objects.values_list("email", flat=True))
    return emails, [query["sql"] for query in captured]


def test_switching_tenants_on_one_connection_sets_the_path_and_reads_each_schema(
    acme, globex
):
    make_user(acme, email="only@acme.test")

    acme_emails, _ = emails_in(acme)
    globex_emails, globex_queries = emails_in(globex)

    assert "only@acme.test" in acme_emails
    assert "only@acme.test" not in globex_emails
    assert globex_queries[0].startswith("SET search_path")


def test_the_same_tenant_again_sends_no_search_path_statement(acme):
    emails_in(acme)
    connection.set_schema_to_public()

    _, queries = emails_in(acme)

    assert len(queries) == 1
    assert not queries[0].startswith("SET search_path")


def test_a_path_set_inside_a_rolled_back_block_is_set_again(acme, globex):
    make_user(acme, email="only@acme.test")
    emails_in(globex)
    with pytest.raises(RuntimeError), transaction.atomic():
        emails_in(acme)  # SET inside a savepoint that is rolled back
        raise RuntimeError

    emails, _ = emails_in(acme)

    assert "only@acme.test" in emails
