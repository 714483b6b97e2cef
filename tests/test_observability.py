"""Health probes, metrics and request ids."""

from tests.conftest import IamClient


def test_healthz_answers_on_the_platform_host(db):
    response = IamClient().call("GET", "/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_and_redis(db):
    response = IamClient().call("GET", "/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_metrics_are_readable_from_loopback_only(db):
    local = IamClient().call("GET", "/metrics", REMOTE_ADDR="127.0.0.1")
    remote = IamClient().call("GET", "/metrics", REMOTE_ADDR="203.0.113.9")

    assert local.status_code == 200 and b"iam_http_requests_total" in local.content
    assert remote.status_code == 404


def test_metrics_token_is_required_when_configured(db, settings):
    settings.IAM_METRICS_TOKEN = "scrape-me"

    without = IamClient().call("GET", "/metrics", REMOTE_ADDR="127.0.0.1")
    with_token = IamClient().call(
        "GET",
        "/metrics",
        REMOTE_ADDR="203.0.113.9",
        HTTP_AUTHORIZATION="Bearer scrape-me",
    )

    assert without.status_code == 404 and with_token.status_code == 200


def test_every_response_carries_a_request_id_and_security_headers(acme):
    response = IamClient("acme.localhost").call("GET", "/iam/users")

    assert len(response["X-Request-ID"]) == 32
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"


def test_a_well_formed_request_id_is_kept_and_a_bad_one_replaced(acme):
    kept = IamClient("acme.localhost").call(
        "GET", "/healthz", HTTP_X_REQUEST_ID="abc-123"
    )
    replaced = IamClient("acme.localhost").call(
        "GET", "/healthz", HTTP_X_REQUEST_ID="bad\nid"
    )

    assert kept["X-Request-ID"] == "abc-123"
    assert replaced["X-Request-ID"] != "bad\nid"


def test_cors_exposes_the_authorization_header(acme, settings):
    settings.CORS_ALLOW_ALL_ORIGINS = True

    response = IamClient("acme.localhost").call(
        "GET", "/.well-known/jwks.json", HTTP_ORIGIN="https://app.example.test"
    )

    assert "authorization" in response["Access-Control-Expose-Headers"].lower()


def test_hsts_is_sent_behind_tls(acme, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000

    secure = IamClient("acme.localhost").call(
        "GET", "/healthz", HTTP_X_FORWARDED_PROTO="https"
    )
    plain = IamClient("acme.localhost").call("GET", "/healthz")

    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in plain
