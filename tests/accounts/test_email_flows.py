"""The email journeys over the API: welcome, reset, confirm, change, cancel.

Emails are sent by Celery tasks after commit; the test settings run tasks
in-process, and django_capture_on_commit_callbacks(execute=True) fires the
on_commit hooks that the rolled-back test transaction would otherwise drop.
"""

import pytest
from django.core import mail
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from tenants.models import Domain
from tests.conftest import PASSWORD, IamClient, login, make_user
from tests.emails import link_token, only_email_to, sent_to

NEW_PASSWORD = "another quite long passphrase"


@pytest.fixture
def mailed(django_capture_on_commit_callbacks, outbox):
    """Run a block and send the emails its commits queued."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def create_user(client, mailed, email, name="New User"):
    with mailed():
        response = client.call("POST", "/iam/users", {"email": email, "name": name})
    assert response.status_code == 201, response.content
    return response.json()


def request_reset(host, mailed, email, headers=None, **extra):
    with mailed():
        response = IamClient(host).call(
            "POST", "/iam/password/reset", {"email": email, **extra}, **(headers or {})
        )
    assert response.status_code == 202, response.content
    return response


def confirm_reset(host, token, password=NEW_PASSWORD):
    return IamClient(host).call(
        "POST", "/iam/password/reset/confirm", {"token": token, "password": password}
    )


def test_welcome_link_sets_the_password_and_logs_the_user_in(acme_root_client, mailed):
    create_user(acme_root_client, mailed, "welcome@example.test")
    token = link_token(only_email_to("welcome@example.test"))

    response = confirm_reset("acme.localhost", token)

    assert response.status_code == 200, response.content
    assert response.json()["email_confirmed"] is True
    assert response["Authorization"].startswith("Bearer ")
    assert login("acme.localhost", "welcome@example.test", NEW_PASSWORD)


def test_new_user_cannot_log_in_before_confirming_the_email(
    acme, acme_root_client, mailed
):
    create_user(acme_root_client, mailed, "pending@example.test")
    with tenant_context(acme):
        user = User.objects.get(email="pending@example.test")
        user.set_password(PASSWORD)
        user.save()

    response = IamClient("acme.localhost").call(
        "POST",
        "/iam/auth/token",
        {"email": "pending@example.test", "password": PASSWORD},
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_not_confirmed"


def test_reset_token_works_only_once(acme, mailed):
    make_user(acme, email="once@example.test")
    request_reset("acme.localhost", mailed, "once@example.test")
    token = link_token(only_email_to("once@example.test"))
    assert confirm_reset("acme.localhost", token).status_code == 200

    again = confirm_reset("acme.localhost", token, "yet another long passphrase")

    assert again.status_code == 400
    assert again.json()["error"]["code"] == "token_invalid"


def test_reset_token_dies_when_the_password_changes_another_way(acme, mailed):
    make_user(acme, email="changer@example.test")
    request_reset("acme.localhost", mailed, "changer@example.test")
    token = link_token(only_email_to("changer@example.test"))
    access = login("acme.localhost", "changer@example.test")["access_token"]
    changed = (
        IamClient("acme.localhost")
        .bearer(access)
        .call(
            "POST",
            "/iam/users/me/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
    )
    assert changed.status_code == 204, changed.content

    response = confirm_reset("acme.localhost", token, "yet another long passphrase")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_invalid"


def test_reset_request_for_an_unknown_address_sends_nothing(acme, globex, mailed):
    make_user(globex, email="globex-only@example.test")

    response = request_reset("acme.localhost", mailed, "globex-only@example.test")

    assert response.status_code == 202
    assert mail.outbox == []


def test_reset_request_for_an_inactive_user_sends_nothing(acme, mailed):
    make_user(acme, email="inactive@example.test", is_active=False)

    response = request_reset("acme.localhost", mailed, "inactive@example.test")

    assert response.status_code == 202
    assert mail.outbox == []


def test_reset_request_writes_no_outbox_row_for_an_unknown_address(acme, mailed):
    from notifications.models import Outbox

    request_reset("acme.localhost", mailed, "nobody@example.test")

    with tenant_context(acme):
        assert not Outbox.objects.filter(recipient="nobody@example.test").exists()


def test_reset_request_on_the_platform_host_names_the_tenant(acme, mailed):
    make_user(acme, email="platform@example.test")

    request_reset("localhost", mailed, "platform@example.test", account="acme")

    message = only_email_to("platform@example.test")
    assert "http://acme.localhost/iam/reset-password?token=acme." in message.body


def test_reset_link_uses_the_tenant_domain_whatever_the_host_header(acme, mailed):
    make_user(acme, email="hosts@example.test")
    with schema_context("public"):
        Domain.objects.create(
            domain="evil-alias.localhost", tenant=acme, is_primary=False
        )

    request_reset(
        "evil-alias.localhost",
        mailed,
        "hosts@example.test",
        headers={"HTTP_X_FORWARDED_HOST": "attacker.example"},
    )

    body = only_email_to("hosts@example.test").body
    assert "http://acme.localhost/iam/reset-password?token=" in body
    assert "evil-alias" not in body and "attacker" not in body


def test_reset_link_points_to_the_tenant_frontend_url_when_set(acme, mailed):
    make_user(acme, email="frontend@example.test")
    with schema_context("public"):
        acme.frontend_url = "https://app.acme.example/account"
        acme.save(update_fields=["frontend_url"])

    request_reset("acme.localhost", mailed, "frontend@example.test")

    body = only_email_to("frontend@example.test").body
    assert "https://app.acme.example/account/reset-password?token=acme." in body


def test_token_of_one_tenant_is_refused_on_another_tenant_host(acme, globex, mailed):
    make_user(acme, email="cross@example.test")
    make_user(globex, email="cross@example.test")
    request_reset("acme.localhost", mailed, "cross@example.test")
    token = link_token(only_email_to("cross@example.test"))

    response = confirm_reset("globex.localhost", token)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_invalid"


def test_token_with_another_tenant_prefix_is_refused(acme, globex, mailed):
    globex_user = make_user(globex, email="forged@example.test")
    make_user(acme, email="forged@example.test")
    request_reset("acme.localhost", mailed, "forged@example.test")
    token = link_token(only_email_to("forged@example.test"))
    forged = "globex." + token.split(".", 1)[1].replace(
        token.split(".")[2], globex_user.id.hex
    )

    response = confirm_reset("localhost", forged)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_invalid"


def test_link_token_on_the_platform_host_reaches_its_own_tenant(acme, mailed):
    make_user(acme, email="routed@example.test")
    request_reset("acme.localhost", mailed, "routed@example.test")
    token = link_token(only_email_to("routed@example.test"))

    response = confirm_reset("localhost", token)

    assert response.status_code == 200, response.content
    assert response.json()["urn"].startswith("urn:iam:acme:user/")


@pytest.mark.parametrize(
    "password",
    [
        "short pass",
        "Password123456789!",
        "abcabcabcabcabcabc",
        "123456789012345",
        "qwertyuiopasdfgh",
        "weak@example.test2",
        "acme corp acme corp!",
    ],
    ids=[
        "too_short",
        "padded_common",
        "repeated",
        "sequence",
        "keyboard",
        "email",
        "tenant_name",
    ],
)
def test_weak_password_is_refused_as_validation_error(acme, mailed, password):
    make_user(acme, email="weak@example.test")
    request_reset("acme.localhost", mailed, "weak@example.test")
    token = link_token(only_email_to("weak@example.test"))

    response = confirm_reset("acme.localhost", token, password)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["details"]["password"]


def test_password_of_the_documented_maximum_length_is_accepted(acme, mailed):
    make_user(acme, email="long@example.test")
    request_reset("acme.localhost", mailed, "long@example.test")
    token = link_token(only_email_to("long@example.test"))
    password = " ".join(f"word{number}" for number in range(50))[:256]

    response = confirm_reset("acme.localhost", token, password)

    assert response.status_code == 200, response.content


def test_password_past_the_maximum_length_is_refused(acme, mailed):
    make_user(acme, email="toolong@example.test")
    request_reset("acme.localhost", mailed, "toolong@example.test")
    token = link_token(only_email_to("toolong@example.test"))

    password = " ".join(f"word{number}" for number in range(60))[:257]

    response = confirm_reset("acme.localhost", token, password)

    assert response.status_code == 400
    assert "at most 256" in response.json()["error"]["details"]["password"][0]


def test_password_matches_whatever_the_unicode_composition(acme, mailed):
    make_user(acme, email="unicode@example.test")
    request_reset("acme.localhost", mailed, "unicode@example.test")
    token = link_token(only_email_to("unicode@example.test"))
    composed = "caf\u00e9 au lait sans sucre"
    assert confirm_reset("acme.localhost", token, composed).status_code == 200

    tokens = login(
        "acme.localhost", "unicode@example.test", "cafe\u0301 au lait sans sucre"
    )

    assert tokens["access_token"]


def test_email_change_keeps_the_old_address_until_confirmed(acme, mailed):
    make_user(acme, email="old@example.test")
    access = login("acme.localhost", "old@example.test")["access_token"]

    with mailed():
        response = (
            IamClient("acme.localhost")
            .bearer(access)
            .call("PATCH", "/iam/users/me", {"email": "new@example.test"})
        )

    assert response.status_code == 200, response.content
    assert response.json()["email"] == "old@example.test"
    assert response.json()["unconfirmed_email"] == "new@example.test"
    assert login("acme.localhost", "old@example.test")["access_token"]
    assert sent_to("new@example.test") and sent_to("old@example.test")


def change_email(tenant, mailed, old, new):
    make_user(tenant, email=old)
    host = f"{tenant.slug}.localhost"
    access = login(host, old)["access_token"]
    with mailed():
        response = (
            IamClient(host)
            .bearer(access)
            .call("PATCH", "/iam/users/me", {"email": new})
        )
    assert response.status_code == 200, response.content


def test_confirmation_link_moves_the_login_to_the_new_address(acme, mailed):
    change_email(acme, mailed, "move-old@example.test", "move-new@example.test")
    token = link_token(only_email_to("move-new@example.test"))

    response = IamClient("acme.localhost").call(
        "POST", "/iam/email/confirm", {"token": token}
    )

    assert response.status_code == 200, response.content
    assert response.json()["email"] == "move-new@example.test"
    assert response.json()["unconfirmed_email"] is None
    assert login("acme.localhost", "move-new@example.test")["access_token"]


def confirm_new_address(host, address):
    token = link_token(only_email_to(address))
    response = IamClient(host).call("POST", "/iam/email/confirm", {"token": token})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_reset_link_sent_to_an_old_address_dies_when_the_email_changes(
    request, mailed, slug
):
    tenant = request.getfixturevalue(slug)
    host = f"{slug}.localhost"
    change_email(tenant, mailed, "left@example.test", "kept@example.test")
    request_reset(host, mailed, "left@example.test")
    reset_token = link_token(sent_to("left@example.test")[-1])
    confirm_new_address(host, "kept@example.test")

    response = confirm_reset(host, reset_token)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_invalid"


def test_welcome_link_dies_when_the_email_changes(acme, acme_root_client, mailed):
    user = create_user(acme_root_client, mailed, "typo@example.test")
    welcome_token = link_token(only_email_to("typo@example.test"))
    with mailed():
        acme_root_client.call(
            "PATCH", f"/iam/users/{user['id']}", {"email": "right@example.test"}
        )
    confirm_new_address("acme.localhost", "right@example.test")

    response = confirm_reset("acme.localhost", welcome_token)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_invalid"


def test_superseded_confirmation_link_is_refused(acme, mailed):
    change_email(acme, mailed, "first@example.test", "second@example.test")
    stale = link_token(only_email_to("second@example.test"))
    access = login("acme.localhost", "first@example.test")["access_token"]
    with mailed():
        IamClient("acme.localhost").bearer(access).call(
            "PATCH", "/iam/users/me", {"email": "third@example.test"}
        )

    response = IamClient("acme.localhost").call(
        "POST", "/iam/email/confirm", {"token": stale}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_invalid"


def test_old_address_gets_a_notice_whose_link_cancels_the_change(acme, mailed):
    change_email(acme, mailed, "keep@example.test", "hijack@example.test")
    notice = only_email_to("keep@example.test")
    assert "hijack@example.test" in notice.body

    response = IamClient("acme.localhost").call(
        "POST", "/iam/email/cancel", {"token": link_token(notice)}
    )

    assert response.status_code == 200, response.content
    assert response.json()["email"] == "keep@example.test"
    assert response.json()["unconfirmed_email"] is None


def test_cancel_link_dies_once_the_change_is_confirmed(acme, mailed):
    change_email(acme, mailed, "late@example.test", "late-new@example.test")
    cancel = link_token(only_email_to("late@example.test"))
    confirm = link_token(only_email_to("late-new@example.test"))
    IamClient("acme.localhost").call("POST", "/iam/email/confirm", {"token": confirm})

    response = IamClient("acme.localhost").call(
        "POST", "/iam/email/cancel", {"token": cancel}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_invalid"


def test_confirmation_link_cannot_cancel_a_change(acme, mailed):
    change_email(acme, mailed, "mixed@example.test", "mixed-new@example.test")
    confirm = link_token(only_email_to("mixed-new@example.test"))

    response = IamClient("acme.localhost").call(
        "POST", "/iam/email/cancel", {"token": confirm}
    )

    assert response.status_code == 400


def test_password_change_sends_a_notice(acme, mailed):
    make_user(acme, email="notice@example.test")
    access = login("acme.localhost", "notice@example.test")["access_token"]

    with mailed():
        IamClient("acme.localhost").bearer(access).call(
            "POST",
            "/iam/users/me/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )

    assert "password was changed" in only_email_to("notice@example.test").subject


def test_password_reset_sends_a_notice(acme, mailed):
    make_user(acme, email="reset-notice@example.test")
    request_reset("acme.localhost", mailed, "reset-notice@example.test")
    token = link_token(only_email_to("reset-notice@example.test"))
    mail.outbox.clear()

    with mailed():
        confirm_reset("acme.localhost", token)

    assert "password was changed" in only_email_to("reset-notice@example.test").subject


def test_resend_confirmation_mails_an_unconfirmed_address(acme, globex, mailed):
    make_user(acme, email="resend@example.test", confirmed=False)
    make_user(globex, email="resend-globex@example.test", confirmed=False)

    with mailed():
        response = IamClient("acme.localhost").call(
            "POST", "/iam/email/confirmation", {"email": "resend-globex@example.test"}
        )
        IamClient("acme.localhost").call(
            "POST", "/iam/email/confirmation", {"email": "resend@example.test"}
        )

    assert response.status_code == 202
    assert sent_to("resend-globex@example.test") == []
    token = link_token(only_email_to("resend@example.test"))
    confirmed = IamClient("acme.localhost").call(
        "POST", "/iam/email/confirm", {"token": token}
    )
    assert confirmed.json()["email_confirmed"] is True


def reads_and_writes(queries) -> list[str]:
    """The statements that touch rows, without transaction control."""
    statements = [query["sql"].split(" ", 3)[:3] for query in queries]
    return [
        " ".join(words)
        for words in statements
        if words[0] not in {"SAVEPOINT", "RELEASE", "ROLLBACK", "SET"}
    ]


def test_reset_request_reads_and_writes_alike_for_known_and_unknown_addresses(
    acme,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.services import request_password_reset

    make_user(acme, email="known@example.test")

    with tenant_context(acme):
        with CaptureQueriesContext(connection) as known:
            request_password_reset(email="known@example.test")
        with CaptureQueriesContext(connection) as unknown:
            request_password_reset(email="unknown@example.test")

    assert reads_and_writes(known.captured_queries) == reads_and_writes(
        unknown.captured_queries
    )
    assert 'INSERT INTO "notifications_outbox"' in reads_and_writes(
        unknown.captured_queries
    )


def test_cancel_link_works_through_the_platform_host(acme, mailed):
    change_email(acme, mailed, "via-platform@example.test", "elsewhere@example.test")
    cancel = link_token(only_email_to("via-platform@example.test"))

    response = IamClient("localhost").call(
        "POST", "/iam/email/cancel", {"token": cancel}
    )

    assert response.status_code == 200, response.content
    assert response.json()["unconfirmed_email"] is None
