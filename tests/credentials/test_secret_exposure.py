"""A secret is shown once, in the create response, and stored nowhere."""

import logging

from django.db import connection

from tests.conftest import IamClient

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


def use_the_key_every_way(client, key_id, secret):
    """List, change, exchange, call with Basic, and fumble the fields once."""
    outputs = [
        client.call("GET", "/iam/users/me/credentials"),
        client.call(
            "PATCH", f"/iam/users/me/credentials/{key_id}", {"status": "active"}
        ),
    ]
    body = {"access_key_id": key_id, "secret_access_key": secret}
    outputs.append(IamClient("acme.localhost").call("POST", "/iam/auth/token", body))
    outputs.append(IamClient("localhost").call("POST", "/iam/auth/token", body))
    outputs.append(
        IamClient("acme.localhost").basic(key_id, secret).call("GET", "/iam/users/me")
    )
    # A client that swapped the two fields must not get its secret logged.
    swapped = {"access_key_id": secret, "secret_access_key": key_id}
    outputs.append(IamClient("acme.localhost").call("POST", "/iam/auth/token", swapped))
    return outputs


def rows_containing(needle: str) -> list[str]:
    """Every column of every table in every schema that holds the needle."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_schema, c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE t.table_type = 'BASE TABLE'
              AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
              AND c.table_schema NOT LIKE 'pg\\_%%'
              AND (c.data_type = ANY(%s) OR c.data_type = 'bytea')
            """,
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        found = []
        for schema, table, column, data_type in columns:
            if data_type == "bytea":
                condition = f"position(convert_to(%s, 'UTF8') in \"{column}\") > 0"
            else:
                condition = f'position(%s in "{column}"::text) > 0'
            cursor.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE {condition}',
                [needle],
            )
            if cursor.fetchone()[0]:
                found.append(f"{schema}.{table}.{column}")
    return found


def test_secret_appears_only_in_the_create_response(alice_client):
    created = alice_client.call("POST", "/iam/users/me/credentials").json()
    key_id, secret = created["access_key_id"], created["secret_access_key"]

    outputs = use_the_key_every_way(alice_client, key_id, secret)

    assert [r.status_code for r in outputs] == [200, 200, 200, 200, 200, 401]
    for response in outputs:
        assert secret[:8] not in response.content.decode()
        assert secret[:8] not in str(response.headers)


def test_no_column_of_any_schema_holds_the_secret_or_its_prefix(alice_client):
    created = alice_client.call("POST", "/iam/users/me/credentials").json()
    key_id, secret = created["access_key_id"], created["secret_access_key"]
    use_the_key_every_way(alice_client, key_id, secret)

    assert rows_containing(key_id), "the scan must see the rows of this test"
    assert rows_containing(secret) == []
    assert rows_containing(secret[:8]) == []


def test_logs_never_hold_the_secret(alice_client, caplog):
    caplog.set_level(logging.DEBUG)
    created = alice_client.call("POST", "/iam/users/me/credentials").json()
    key_id, secret = created["access_key_id"], created["secret_access_key"]

    use_the_key_every_way(alice_client, key_id, secret)

    assert key_id in caplog.text, "the key's events must be logged by id"
    assert secret[:8] not in caplog.text
    for record in caplog.records:
        assert secret[:8] not in str(record.args)
