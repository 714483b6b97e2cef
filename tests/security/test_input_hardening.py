"""Malformed, hostile or odd input gets a clear error, never a 500."""

import logging

import pytest
from django.test import Client

from iam_project.logging import RedactLinkTokensFilter
from tenants.exceptions import TenantInvalidError
from tenants.services import validate_domain
from tests.conftest import IamClient


def test_deeply_nested_json_is_a_400_not_a_500(acme):
    body = '{"email": ' + "[" * 30000 + "]" * 30000 + "}"

    for host in ("acme.localhost", "localhost"):
        response = IamClient(host).call("POST", "/iam/password/reset", body)

        assert response.status_code == 400, host
        assert response.json()["error"]["code"] == "invalid_request"


def test_duplicate_json_keys_are_refused(acme_root_client):
    body = (
        '{"name": "Dup", "document": {"Statement": [{"Effect": "Deny", '
        '"Effect": "Allow", "Action": "*", "Resource": "*"}]}}'
    )

    response = acme_root_client.call("POST", "/iam/policies", body)

    assert response.status_code == 400
    assert "Effect" in response.json()["error"]["message"]


def test_nan_is_not_json(acme):
    response = IamClient("acme.localhost").call(
        "POST", "/iam/auth/token", '{"email": NaN}'
    )

    assert response.status_code == 400


def test_nul_in_a_query_string_is_a_400(acme_root_client):
    response = acme_root_client.call("GET", "/iam/users?email=%00")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_refused_csrf_check_under_the_api_is_json(acme):
    client = Client(HTTP_HOST="acme.localhost", enforce_csrf_checks=True)

    response = client.post("/iam/reset-password", {"token": "x", "password": "y"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("domain", ["127.0.0.1", "10.0.0.8", "::1"])
def test_an_address_is_not_a_tenant_domain(domain):
    with pytest.raises(TenantInvalidError):
        validate_domain(domain)


def test_compatibility_characters_in_emails_are_folded(acme_root_client):
    # U+212A KELVIN SIGN: Python and PostgreSQL fold it differently.
    response = acme_root_client.call(
        "POST", "/iam/users", {"email": "\u212aate@acme.test"}
    )

    assert response.status_code == 201
    assert response.json()["email"] == "Kate@acme.test"


def test_link_tokens_never_reach_the_log():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (
            "GET /iam/reset-password?token=acme.w.abc.def.0123&x=1 HTTP/1.1",
            "200",
            "512",
        ),
        None,
    )

    RedactLinkTokensFilter().filter(record)

    assert "acme.w.abc" not in record.getMessage()
    assert "token=[redacted]&x=1" in record.getMessage()


def test_reset_requests_cannot_flood_an_inbox(
    acme, outbox, settings, django_capture_on_commit_callbacks
):
    from tests.conftest import make_user

    settings.IAM_LINK_EMAILS_PER_HOUR = 3
    make_user(acme, email="dave@acme.test")

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            IamClient("acme.localhost")
            .call("POST", "/iam/password/reset", {"email": "dave@acme.test"})
            .status_code
            for _ in range(6)
        ]

    assert answers == [202] * 6
    assert len([m for m in outbox if m.to == ["dave@acme.test"]]) == 3
