"""Email workflows on the real stack: HTTP, Celery on Redis, SMTP on loopback."""

import time

import pytest

from tests.e2e.conftest import http_call, link_token
from tests.smtp import free_port, text_body

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("live_iam")]

PASSWORD = "alice's own long passphrase"


def test_new_user_sets_a_password_from_the_welcome_email_then_changes_address(
    live_iam, e2e_tenant
):
    host, root = e2e_tenant.host, e2e_tenant.root_token

    created = live_iam.call(
        "POST",
        "/iam/users",
        {"email": "alice@e2e.test", "name": "Alice"},
        host=host,
        token=root,
    )
    assert created.status == 201, created.body
    welcome = live_iam.wait_for_email("alice@e2e.test")
    assert welcome["Subject"] == f"Welcome to E2E {e2e_tenant.slug}"
    assert f"http://{host}:{live_iam.port}/iam/reset-password?token=" in (
        text_body(welcome)
    )

    reset = live_iam.call(
        "POST",
        "/iam/password/reset/confirm",
        {"token": link_token(welcome), "password": PASSWORD},
        host=host,
    )
    assert reset.status == 200, reset.body
    bearer = reset.headers["authorization"].removeprefix("Bearer ")
    me = live_iam.call("GET", "/iam/users/me", host=host, token=bearer)
    assert me.body["email"] == "alice@e2e.test"
    login = live_iam.call(
        "POST",
        "/iam/auth/token",
        {"email": "alice@e2e.test", "password": PASSWORD},
        host=host,
    )
    assert login.status == 200, login.body

    changed = live_iam.call(
        "PATCH",
        "/iam/users/me",
        {"email": "alice.new@e2e.test"},
        host=host,
        token=login.body["access_token"],
    )
    assert changed.body["unconfirmed_email"] == "alice.new@e2e.test"
    confirmation = live_iam.wait_for_email("alice.new@e2e.test")
    notice = live_iam.wait_for_email("alice@e2e.test", count=2)
    assert "alice.new@e2e.test" in text_body(notice)

    confirmed = live_iam.call(
        "POST", "/iam/email/confirm", {"token": link_token(confirmation)}, host=host
    )
    assert confirmed.status == 200, confirmed.body
    new_login = live_iam.call(
        "POST",
        "/iam/auth/token",
        {"email": "alice.new@e2e.test", "password": PASSWORD},
        host=host,
    )
    assert new_login.status == 200, new_login.body


def test_user_created_while_the_broker_is_down_gets_the_welcome_email_later(
    live_iam, e2e_tenant
):
    dead_broker = f"redis://127.0.0.1:{free_port()}/0"
    port = live_iam.start_web("web-broker-down", env={"IAM_BROKER_URL": dead_broker})

    created = http_call(
        port,
        "POST",
        "/iam/users",
        {"email": "outage@e2e.test", "name": "Outage"},
        host=e2e_tenant.host,
        token=e2e_tenant.root_token,
    )

    assert created.status == 201, created.body
    # The publish runs after the answer, on the web process's publisher thread.
    web_log = live_iam.processes[-1].log
    for _ in range(100):
        if "email not queued, left for the sweep" in web_log.read_text():
            break
        time.sleep(0.1)
    assert "email not queued, left for the sweep" in web_log.read_text()
    welcome = live_iam.wait_for_email("outage@e2e.test")
    assert "reset-password?token=" in text_body(welcome)
