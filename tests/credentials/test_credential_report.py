"""The credential report: every user's password and keys, as JSON or CSV."""

import csv
import io
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from tests.conftest import make_user
from tests.credentials.conftest import new_key


def rows_of(response):
    return {row["email"]: row for row in response.json()["users"]}


def test_root_gets_every_user_with_password_and_key_state(
    acme, acme_root_client, alice
):
    key_id, _ = new_key(acme, alice)

    response = acme_root_client.call("GET", "/iam/credential-report")

    assert response.status_code == 200
    row = rows_of(response)["alice@acme.test"]
    assert row["password_enabled"] is True
    assert row["email_confirmed"] is True
    assert row["unconfirmed_email"] is None
    [key] = row["access_keys"]
    assert key["access_key_id"] == key_id
    assert key["status"] == "active"
    assert key["age_days"] == 0
    assert key["last_used_at"] is None
    assert "root@acme.test" in rows_of(response)


def test_report_shows_password_age_in_days(acme, acme_root_client, alice):
    with tenant_context(acme):
        User.objects.filter(id=alice.id).update(
            password_changed_at=timezone.now() - timedelta(days=100, hours=1)
        )

    response = acme_root_client.call("GET", "/iam/credential-report")

    assert rows_of(response)["alice@acme.test"]["password_age_days"] == 100


def test_report_never_holds_a_secret_or_hash(acme, acme_root_client, alice):
    _, secret = new_key(acme, alice)

    response = acme_root_client.call("GET", "/iam/credential-report")

    assert secret[:8] not in response.content.decode()
    assert "hash" not in response.content.decode()


def test_report_covers_only_its_own_tenant(acme, alice, globex_root_client):
    response = globex_root_client.call("GET", "/iam/credential-report")

    assert "alice@acme.test" not in rows_of(response)


def test_report_as_csv_by_format_parameter(acme, acme_root_client, alice):
    key_id, _ = new_key(acme, alice)

    response = acme_root_client.call(
        "GET", "/iam/credential-report", QUERY_STRING="format=csv"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = {
        r["email"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))
    }
    assert rows["alice@acme.test"]["access_key_1_access_key_id"] == key_id
    assert rows["alice@acme.test"]["access_key_1_status"] == "active"
    assert rows["alice@acme.test"]["access_key_2_access_key_id"] == ""


def test_report_as_csv_by_accept_header(acme_root_client):
    response = acme_root_client.call(
        "GET", "/iam/credential-report", HTTP_ACCEPT="text/csv"
    )

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("id,urn,email,")


def test_csv_keeps_a_formula_like_cell_as_text(acme, acme_root_client):
    make_user(acme, email="=cmd@acme.test")

    response = acme_root_client.call(
        "GET", "/iam/credential-report", QUERY_STRING="format=csv"
    )

    emails = [
        r["email"] for r in csv.DictReader(io.StringIO(response.content.decode()))
    ]
    assert "'=cmd@acme.test" in emails


def test_user_without_permission_gets_a_json_403_even_for_csv(alice_client):
    response = alice_client.call(
        "GET", "/iam/credential-report", QUERY_STRING="format=csv"
    )

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "permission_denied"


def report_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.call("GET", "/iam/credential-report")
    assert response.status_code == 200
    return len(queries)


def test_report_costs_the_same_queries_whatever_the_number_of_users(
    acme, acme_root_client
):
    first = make_user(acme, email="first@acme.test")
    new_key(acme, first)
    baseline = report_queries(acme_root_client)
    for number in range(5):
        user = make_user(acme, email=f"more{number}@acme.test")
        new_key(acme, user)
        new_key(acme, user)

    assert report_queries(acme_root_client) == baseline
