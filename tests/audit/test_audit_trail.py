"""The audit trail: who did what to whom, and never a secret."""

import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from tests.conftest import PASSWORD, IamClient, login, make_user


@pytest.fixture(autouse=True)
def started_at(request):
    # The trail already holds the session's tenant creation; look past it.
    request.module.STARTED_AT = timezone.now()


def events(tenant, **filters):
    with tenant_context(tenant):
        recent = AuditEvent.objects.filter(occurred_at__gte=STARTED_AT, **filters)
        return list(recent.order_by("id"))


STARTED_AT = None


def urn_of(user, slug="acme"):
    return f"urn:iam:{slug}:user/{user.id}"


def test_api_changes_are_recorded_with_actor_target_and_origin(
    acme, acme_root, acme_root_client
):
    created = acme_root_client.call(
        "POST",
        "/iam/users",
        {"email": "alice@acme.test"},
        HTTP_USER_AGENT="curl/8",
        REMOTE_ADDR="198.51.100.7",
    ).json()

    [event] = events(acme, action="iam:CreateUser")
    assert event.actor == urn_of(acme_root)
    assert event.target == created["urn"]
    assert event.outcome == "success"
    assert event.credential == "password"
    assert event.client_ip == "198.51.100.7"
    assert event.user_agent == "curl/8"
    assert event.request_id


def test_access_key_changes_name_the_key_used(acme, acme_root_client):
    key = acme_root_client.call("POST", "/iam/users/me/credentials").json()
    client = IamClient("acme.localhost").basic(
        key["access_key_id"], key["secret_access_key"]
    )

    client.call("POST", "/iam/users", {"email": "bob@acme.test"})

    [event] = events(acme, action="iam:CreateUser")
    assert event.credential == "access_key"
    assert event.access_key_id == key["access_key_id"]


def test_privileged_session_events_name_the_owner_and_reason(
    acme, owner_client, platform_owner
):
    token = owner_client.call(
        "POST", "/iam/tenants/acme/sessions", {"reason": "ticket 7"}
    ).json()["access_token"]

    IamClient("acme.localhost").bearer(token).call(
        "POST", "/iam/users", {"email": "helped@acme.test"}
    )

    [event] = events(acme, action="iam:CreateUser")
    assert event.impersonator == platform_owner.urn
    assert event.reason == "ticket 7"
    assert event.credential == "privileged_session"


def test_suspension_is_recorded_in_the_tenants_own_trail(
    acme, owner_client, platform_owner
):
    owner_client.call("PATCH", "/iam/tenants/acme", {"is_active": False})

    [event] = events(acme, action="iam:UpdateTenant")
    assert event.actor == platform_owner.urn
    assert event.details["is_active"] is False


def test_command_changes_are_recorded_as_the_operators(acme):
    call_command("rotate_signing_key", "--tenant", "acme")

    [event] = events(acme, action="iam:RotateSigningKey")
    assert event.credential == "command" and event.actor == ""


def test_a_rolled_back_change_leaves_no_event(acme, acme_root_client):
    make_user(acme, email="taken@acme.test")

    acme_root_client.call("POST", "/iam/users", {"email": "TAKEN@acme.test"})

    assert events(acme, action="iam:CreateUser") == []


def test_events_stay_in_their_tenant(
    acme, globex, acme_root_client, globex_root_client
):
    acme_root_client.call("POST", "/iam/users", {"email": "alice@acme.test"})

    listed = globex_root_client.call(
        "GET", "/iam/audit-events?action=iam:CreateUser"
    ).json()

    assert "alice@acme.test" not in json.dumps(listed)


def test_audit_events_filter_by_actor_action_target_and_time(
    acme, acme_root, acme_root_client
):
    alice = acme_root_client.call(
        "POST", "/iam/users", {"email": "alice@acme.test"}
    ).json()
    acme_root_client.call("PATCH", f"/iam/users/{alice['id']}", {"name": "A"})

    by_target = acme_root_client.call(
        "GET", f"/iam/audit-events?target={alice['urn']}"
    ).json()
    by_action = acme_root_client.call(
        "GET", "/iam/audit-events?action=iam:UpdateUser"
    ).json()
    by_actor = acme_root_client.call(
        "GET", f"/iam/audit-events?actor={urn_of(acme_root)}"
    ).json()
    future = acme_root_client.call(
        "GET", "/iam/audit-events?since=2999-01-01T00:00:00Z"
    ).json()

    assert {event["action"] for event in by_target["results"]} == {
        "iam:CreateUser",
        "iam:UpdateUser",
    }
    assert [event["target"] for event in by_action["results"]] == [alice["urn"]]
    assert by_actor["count"] >= 2
    assert future["count"] == 0


def test_listing_audit_events_needs_permission(acme):
    make_user(acme, email="alice@acme.test")
    client = IamClient("acme.localhost").bearer(
        login("acme.localhost", "alice@acme.test")["access_token"]
    )

    assert client.call("GET", "/iam/audit-events").status_code == 403


def test_listing_audit_events_with_the_policy(acme, acme_root_client):
    alice = make_user(acme, email="alice@acme.test")
    policy = acme_root_client.call(
        "POST",
        "/iam/policies",
        {
            "name": "Audit",
            "document": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "iam:ListAuditEvents",
                        "Resource": "*",
                    }
                ]
            },
        },
    ).json()
    acme_root_client.call("PUT", f"/iam/users/{alice.id}/policies/{policy['id']}")
    client = IamClient("acme.localhost").bearer(
        login("acme.localhost", "alice@acme.test")["access_token"]
    )

    assert client.call("GET", "/iam/audit-events").status_code == 200


def test_no_secret_password_or_token_ever_reaches_the_trail(
    acme, acme_root_client, outbox, django_capture_on_commit_callbacks
):
    """A scripted session of every secret-bearing call, then a scan of every row."""
    secrets = {PASSWORD}
    client = IamClient("acme.localhost")

    with django_capture_on_commit_callbacks(execute=True):
        user = acme_root_client.call(
            "POST", "/iam/users", {"email": "carol@acme.test"}
        ).json()
    link_token = outbox[-1].body.split("token=")[1].split()[0]
    secrets.add(link_token)
    new_password = "carol picked a long passphrase"
    secrets.add(new_password)
    reset = client.call(
        "POST",
        "/iam/password/reset/confirm",
        {"token": link_token, "password": new_password},
    )
    secrets.add(reset["Authorization"].split()[1])
    client.call(
        "POST",
        "/iam/password/reset/confirm",
        {"token": link_token, "password": "x" * 20},
    )
    tokens = login("acme.localhost", "carol@acme.test", new_password)
    secrets.update({tokens["access_token"], tokens["refresh_token"]})
    client.call(
        "POST",
        "/iam/auth/token",
        {"email": "carol@acme.test", "password": "wrong guess for carol"},
    )
    secrets.add("wrong guess for carol")
    refreshed = client.call(
        "POST", "/iam/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    ).json()
    secrets.update({refreshed["access_token"], refreshed["refresh_token"]})
    carol = IamClient("acme.localhost").bearer(refreshed["access_token"])
    key = carol.call("POST", "/iam/users/me/credentials").json()
    secrets.add(key["secret_access_key"])
    client.call(
        "POST",
        "/iam/auth/token",
        {"access_key_id": key["access_key_id"], "secret_access_key": "bad" * 10},
    )
    IamClient("acme.localhost").basic(
        key["access_key_id"], key["secret_access_key"]
    ).call("GET", "/iam/users/me")
    carol.call(
        "POST",
        "/iam/users/me/password",
        {
            "current_password": new_password,
            "new_password": "carol changes it again today",
        },
    )
    secrets.add("carol changes it again today")
    client.call(
        "POST", "/iam/auth/logout", {"refresh_token": refreshed["refresh_token"]}
    )

    with tenant_context(acme):
        rows = list(AuditEvent.objects.values())
    dump = json.dumps(rows, default=str)
    assert len(rows) >= 8, "the scripted session should leave a trail"
    assert user["urn"] in dump
    for secret in secrets:
        assert secret not in dump
        assert secret[:12] not in dump
