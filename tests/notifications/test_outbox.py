"""The outbox: written with the change, sent once, in the right tenant, retried."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from kombu.exceptions import OperationalError

from accounts import services as accounts
from accounts.models import User
from notifications import services
from notifications.models import Outbox
from notifications.tasks import send_outbox_email_task
from tests.conftest import make_user
from tests.emails import html_part, link_token, only_email_to
from tests.smtp import SmtpCatcher


@pytest.fixture
def mailed(django_capture_on_commit_callbacks, outbox):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(scope="module")
def smtp_catcher():
    catcher = SmtpCatcher().start()
    yield catcher
    catcher.stop()


@pytest.fixture
def smtp(smtp_catcher, settings):
    """Send through real SMTP to a server on loopback."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_catcher.port
    smtp_catcher.clear()
    return smtp_catcher


def queue_welcome(tenant, email="queued@example.test"):
    """A user whose welcome email waits in the outbox, not yet sent."""
    with tenant_context(tenant):
        user = User(email=email)
        user.set_unusable_password()
        user.save()
        row = services.send_welcome_email(user=user)
    return row


def row_in(tenant, row_id) -> Outbox:
    with tenant_context(tenant):
        return Outbox.objects.get(id=row_id)


def send_now(tenant, row_id):
    with tenant_context(tenant):
        services.enqueue_outbox_email(outbox_id=row_id, schema_name=tenant.schema_name)


def test_email_row_is_rolled_back_with_the_change(acme, mailed):
    with mailed(), tenant_context(acme):
        with pytest.raises(RuntimeError), transaction.atomic():
            accounts.create_user(email="rolled-back@example.test")
            raise RuntimeError("the change fails after the user was written")

        assert not Outbox.objects.filter(recipient="rolled-back@example.test").exists()
    assert mail.outbox == []


def test_outbox_row_holds_the_user_id_and_no_link(acme, mailed):
    with mailed(), tenant_context(acme):
        user = accounts.create_user(email="stored@example.test")

    token = link_token(only_email_to("stored@example.test"))
    with tenant_context(acme):
        row = Outbox.objects.get(recipient="stored@example.test")
    assert row.context == {"user_id": str(user.id)}
    assert token not in str(row.__dict__)


def test_email_is_sent_once_when_its_task_runs_twice(acme, outbox):
    row = queue_welcome(acme)

    send_now(acme, row.id)
    send_now(acme, row.id)

    assert len(only_email_to("queued@example.test").to) == 1
    assert row_in(acme, row.id).status == Outbox.Status.SENT


def test_sending_refuses_the_public_schema(acme):
    row = queue_welcome(acme)

    with pytest.raises(RuntimeError):
        services.send_outbox_email(outbox_id=row.id)


def test_welcome_email_of_a_new_tenant_root_is_sent_in_its_schema(db, mailed):
    from tenants.services import create_tenant

    with mailed():
        tenant = create_tenant(
            slug="initech",
            name="Initech",
            domain="initech.localhost",
            root_email="root@initech.test",
        )

    message = only_email_to("root@initech.test")
    assert message.subject == "Welcome to Initech"
    assert "http://initech.localhost/iam/reset-password?token=initech.w." in (
        message.body
    )
    with tenant_context(tenant):
        assert Outbox.objects.get().status == Outbox.Status.SENT


def test_each_tenant_email_names_its_own_tenant(acme, globex, mailed):
    with mailed():
        for tenant in (acme, globex):
            with tenant_context(tenant):
                accounts.create_user(email=f"named@{tenant.slug}.test")

    assert "Acme Corp" in only_email_to("named@acme.test").subject
    assert "Globex" in only_email_to("named@globex.test").subject
    assert "http://globex.localhost/" in only_email_to("named@globex.test").body


def test_transient_smtp_failure_is_retried_until_sent(acme, smtp):
    row = queue_welcome(acme)
    smtp.fail_next("451 4.3.0 Try again later")

    send_now(acme, row.id)

    row = row_in(acme, row.id)
    assert row.status == Outbox.Status.SENT
    assert row.attempts == 2
    assert len(smtp.sent_to("queued@example.test")) == 1


def test_email_is_marked_failed_after_the_last_try(acme, smtp):
    row = queue_welcome(acme)
    smtp.fail_next(*["451 4.3.0 Try again later"] * (services.MAX_RETRIES + 1))

    send_now(acme, row.id)

    row = row_in(acme, row.id)
    assert row.status == Outbox.Status.FAILED
    assert row.attempts == services.MAX_RETRIES + 1
    assert smtp.sent_to("queued@example.test") == []


def test_permanent_smtp_refusal_fails_without_retrying(acme, smtp):
    row = queue_welcome(acme)
    smtp.fail_next("550 5.7.1 Refused for root@acme.test secret-reply")

    send_now(acme, row.id)

    row = row_in(acme, row.id)
    assert row.status == Outbox.Status.FAILED
    assert row.attempts == 1
    assert row.last_error == "SMTPDataError 550"


def test_failed_email_can_be_queued_again(acme, smtp):
    row = queue_welcome(acme)
    smtp.fail_next("550 5.7.1 Refused")
    send_now(acme, row.id)

    with tenant_context(acme):
        services.resend_outbox_emails(emails=Outbox.objects.filter(id=row.id))
        send_now(acme, row.id)

    assert row_in(acme, row.id).status == Outbox.Status.SENT
    assert len(smtp.sent_to("queued@example.test")) == 1


def test_broker_outage_keeps_the_email_and_the_call_succeeds(
    acme_root_client, acme, mailed, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399.")

    monkeypatch.setattr(send_outbox_email_task, "apply_async", broker_down)

    with mailed(), caplog.at_level(logging.WARNING, "notifications.services"):
        response = acme_root_client.call(
            "POST", "/iam/users", {"email": "outage@example.test"}
        )

    assert response.status_code == 201, response.content
    assert mail.outbox == []
    assert "left for the sweep" in caplog.text
    with tenant_context(acme):
        assert Outbox.objects.get(recipient="outage@example.test").status == "pending"


def age(tenant, row_id, *, seconds=120, tried_seconds_ago=None):
    with tenant_context(tenant):
        tried = (
            None
            if tried_seconds_ago is None
            else timezone.now() - timedelta(seconds=tried_seconds_ago)
        )
        Outbox.objects.filter(id=row_id).update(
            created_at=timezone.now() - timedelta(seconds=seconds),
            last_attempt_at=tried,
        )


def test_sweep_sends_waiting_emails_of_every_tenant(acme, globex, outbox):
    acme_row = queue_welcome(acme, "swept@acme.test")
    globex_row = queue_welcome(globex, "swept@globex.test")
    age(acme, acme_row.id)
    age(globex, globex_row.id)

    services.sweep_outbox()

    assert "Acme Corp" in only_email_to("swept@acme.test").subject
    assert "Globex" in only_email_to("swept@globex.test").subject


def test_sweep_leaves_fresh_emails_and_emails_in_retry(acme, outbox):
    fresh = queue_welcome(acme, "fresh@example.test")
    retrying = queue_welcome(acme, "retrying@example.test")
    age(acme, retrying.id, tried_seconds_ago=30)

    queued = services.sweep_outbox()

    assert queued == 0
    assert mail.outbox == []
    assert row_in(acme, fresh.id).status == Outbox.Status.PENDING


def test_sweep_deletes_sent_emails_past_the_retention(acme, outbox, settings):
    row = queue_welcome(acme)
    send_now(acme, row.id)
    age(acme, row.id, seconds=(settings.IAM_OUTBOX_RETENTION_DAYS + 1) * 86400)

    services.sweep_outbox()

    with tenant_context(acme):
        assert not Outbox.objects.filter(id=row.id).exists()


def test_confirmation_is_not_sent_once_its_address_is_superseded(acme, outbox):
    user = make_user(acme, email="was@example.test")
    with tenant_context(acme):
        user.unconfirmed_email = "first-choice@example.test"
        user.save()
        row = services.send_email_confirmation(user=user)
        User.objects.filter(id=user.id).update(
            unconfirmed_email="second-choice@example.test"
        )

    send_now(acme, row.id)

    assert mail.outbox == []
    assert row_in(acme, row.id).status == Outbox.Status.SKIPPED


def test_subject_stays_on_one_line_whatever_the_tenant_name(acme, outbox):
    acme.name = "Acme\r\nBcc: victim@example.test"
    row = queue_welcome(acme)

    with tenant_context(acme):
        services.send_outbox_email(outbox_id=row.id)

    message = only_email_to("queued@example.test")
    assert message.subject == "Welcome to Acme Bcc: victim@example.test"
    assert message.bcc == []
    assert "\n" not in message.message()["Subject"]


@pytest.mark.parametrize(
    "send",
    [
        services.send_welcome_email,
        services.send_password_reset_email,
        services.send_email_confirmation,
        services.send_email_change_notice,
        services.send_password_changed_notice,
    ],
    ids=lambda send: send.__name__,
)
def test_every_email_has_text_and_html_naming_the_tenant(acme, outbox, send):
    user = make_user(acme, email="parts@example.test", confirmed=False)
    with tenant_context(acme):
        user.unconfirmed_email = "parts-new@example.test"
        if send is services.send_welcome_email:
            user.set_unusable_password()
        user.save()
        row = send(user=user)
        services.send_outbox_email(outbox_id=row.id)

    (message,) = mail.outbox
    assert "Acme Corp" in message.subject
    assert "Acme Corp" in message.body
    assert "Acme Corp" in html_part(message)
