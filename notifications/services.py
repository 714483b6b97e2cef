"""The emails the service sends, through an outbox in each tenant's schema.

A change writes its Outbox row in its own transaction; once that commits, a
Celery task sends the email in the same tenant. If the broker is down the
row waits, and the periodic sweep queues it again. The email is rendered
when it is sent, from the user's state at that moment (see messages.py).
"""

import logging
import smtplib
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, tenant_context
from kombu.exceptions import OperationalError as BrokerError

from accounts import link_tokens
from notifications.messages import compose_email
from notifications.models import Outbox
from notifications.publisher import publish_later

logger = logging.getLogger(__name__)

# Celery retries a failed send after about 10, 20, 40... seconds, at most
# RETRY_BACKOFF_MAX_SECONDS apart; MAX_RETRIES more tries span roughly half
# an hour of SMTP outage before the email is marked failed.
RETRY_BACKOFF_SECONDS = 10
RETRY_BACKOFF_MAX_SECONDS = 600
MAX_RETRIES = 8
# A pending email tried this long ago has lost its retry chain (a worker died
# between tries): the sweep queues it again.
_RETRY_CHAIN_LOST_AFTER = timedelta(seconds=2 * RETRY_BACKOFF_MAX_SECONDS)
_SWEEP_BATCH = 500


def send_welcome_email(*, user) -> Outbox:
    """Mail a new user the link that sets a first password."""
    return _queue(user=user, template=Outbox.Template.WELCOME, recipient=user.email)


def send_password_reset_email(*, user) -> Outbox:
    """Mail an active user a link that resets the password."""
    return _queue(
        user=user, template=Outbox.Template.PASSWORD_RESET, recipient=user.email
    )


def send_email_confirmation(*, user) -> Outbox | None:
    """Mail the pending (or never confirmed) address a link that confirms it."""
    target = link_tokens.confirmation_target(user)
    if not target:
        return None
    return _queue(user=user, template=Outbox.Template.CONFIRM_EMAIL, recipient=target)


def send_email_change_notice(*, user) -> Outbox:
    """Tell the current address that a change is pending, with a link to cancel it."""
    return _queue(
        user=user, template=Outbox.Template.EMAIL_CHANGE_NOTICE, recipient=user.email
    )


def send_password_changed_notice(*, user) -> Outbox:
    """Tell the user that the password has just changed."""
    return _queue(
        user=user,
        template=Outbox.Template.PASSWORD_CHANGED_NOTICE,
        recipient=user.email,
    )


def write_stand_in_email(*, recipient: str) -> None:
    """Write the row a reset email would write, for the caller to roll back.

    It is marked skipped, so that even a caller that forgot to roll back
    would never send it.
    """
    Outbox.objects.create(
        recipient=recipient,
        template=Outbox.Template.PASSWORD_RESET,
        context={"user_id": None},
        status=Outbox.Status.SKIPPED,
    )


def _queue(*, user, template: str, recipient: str) -> Outbox:
    """Write the outbox row now; hand it to a worker after the commit.

    The schema is read here, not in the callback: an on_commit callback may
    run after the caller has left the tenant (create_tenant makes the root
    user inside tenant_context, within a transaction of the public schema),
    and tenant_schemas_celery would otherwise stamp the task with whatever
    schema the connection is in when it is published.
    """
    email = Outbox.objects.create(
        recipient=recipient, template=template, context={"user_id": str(user.id)}
    )
    transaction.on_commit(
        partial(
            publish_later,
            outbox_id=email.id,
            schema_name=connection.schema_name,
        )
    )
    return email


def enqueue_outbox_email(*, outbox_id: int, schema_name: str) -> None:
    """Hand one outbox email to a worker in its schema; if the broker is down, wait.

    Never raises for a broker failure: the API call that wrote the row has
    committed and must succeed; the sweep sends the row later.
    """
    from notifications.tasks import send_outbox_email_task

    try:
        send_outbox_email_task.apply_async(
            args=[outbox_id], headers={"_schema_name": schema_name}, retry=False
        )
    except (BrokerError, OSError) as exc:
        logger.warning(
            "email not queued, left for the sweep outbox=%s schema=%s error=%s",
            outbox_id,
            schema_name,
            type(exc).__name__,
        )


def send_outbox_email(*, outbox_id: int, last_try: bool = False) -> None:
    """Send one pending outbox email of the current tenant, at most once.

    The row stays locked while the email goes out, so a task that runs twice
    (a redelivery, the sweep) finds it locked or sent and does nothing. A
    failed send is recorded and its error raised for Celery to retry; on the
    last try, or when the server refuses for good, the row is marked failed.
    """
    if connection.schema_name == get_public_schema_name():
        raise RuntimeError("Outbox emails are sent in their tenant's schema.")

    failure = None
    with transaction.atomic():
        email = (
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(id=outbox_id, status=Outbox.Status.PENDING)
            .first()
        )
        if email is None:
            return
        message = compose_email(email)
        if message is None:
            _finish(email, Outbox.Status.SKIPPED, "no longer applies")
            logger.info("email skipped outbox=%s template=%s", email.id, email.template)
            return

        email.attempts += 1
        email.last_attempt_at = timezone.now()
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            failure = exc
            _record_failure(email, exc, give_up=last_try or _is_permanent(exc))
        else:
            email.sent_at = timezone.now()
            _finish(email, Outbox.Status.SENT, "")
            logger.info(
                "email sent outbox=%s template=%s tenant=%s",
                email.id,
                email.template,
                connection.schema_name,
            )
    if failure is not None and email.status == Outbox.Status.PENDING:
        raise failure


def _finish(email: Outbox, status: str, note: str) -> None:
    email.status = status
    email.last_error = note
    email.save(
        update_fields=["status", "last_error", "attempts", "last_attempt_at", "sent_at"]
    )


def _record_failure(email: Outbox, exc: Exception, *, give_up: bool) -> None:
    # Only the error's class and SMTP code are kept: server replies can quote
    # addresses or credentials, and root reads this column in the admin.
    code = getattr(exc, "smtp_code", "")
    note = f"{type(exc).__name__} {code}".strip()
    if give_up:
        _finish(email, Outbox.Status.FAILED, note)
        logger.error(
            "email failed, giving up outbox=%s template=%s attempts=%s error=%s",
            email.id,
            email.template,
            email.attempts,
            note,
        )
    else:
        _finish(email, Outbox.Status.PENDING, note)
        logger.warning(
            "email send failed, will retry outbox=%s attempts=%s error=%s",
            email.id,
            email.attempts,
            note,
        )


def _is_permanent(exc: Exception) -> bool:
    """A 5xx reply for every recipient: trying again cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def resend_outbox_emails(*, emails) -> int:
    """Put failed or skipped emails back in the outbox of the current tenant."""
    ids = [email.id for email in emails if email.status != Outbox.Status.SENT]
    Outbox.objects.filter(id__in=ids).update(
        status=Outbox.Status.PENDING, attempts=0, last_error=""
    )
    for outbox_id in ids:
        transaction.on_commit(
            partial(
                enqueue_outbox_email,
                outbox_id=outbox_id,
                schema_name=connection.schema_name,
            )
        )
    logger.info("emails queued again count=%s", len(ids))
    return len(ids)


def sweep_outbox() -> int:
    """Queue again the pending emails of every tenant that no worker has in hand.

    Those are emails whose publish failed (broker down at commit) and emails
    whose retry chain was lost. Also deletes old sent and skipped emails.
    Returns how many emails were queued.
    """
    from tenants.models import Tenant

    now = timezone.now()
    created_before = now - timedelta(seconds=settings.IAM_OUTBOX_SWEEP_AGE_SECONDS)
    tried_before = now - _RETRY_CHAIN_LOST_AFTER
    kept_since = now - timedelta(days=settings.IAM_OUTBOX_RETENTION_DAYS)
    queued = 0
    # FIXME: visits every tenant schema on each sweep, two queries each; past a
    # few thousand tenants, record in the public schema which tenants have
    # pending mail and visit only those.
    for tenant in Tenant.objects.exclude(schema_name=get_public_schema_name()):
        with tenant_context(tenant):
            not_in_hand = Q(last_attempt_at__isnull=True) | Q(
                last_attempt_at__lte=tried_before
            )
            ids = list(
                Outbox.objects.filter(
                    not_in_hand,
                    status=Outbox.Status.PENDING,
                    created_at__lte=created_before,
                ).values_list("id", flat=True)[:_SWEEP_BATCH]
            )
            Outbox.objects.filter(
                status__in=[Outbox.Status.SENT, Outbox.Status.SKIPPED],
                created_at__lt=kept_since,
            ).delete()
        for outbox_id in ids:
            enqueue_outbox_email(outbox_id=outbox_id, schema_name=tenant.schema_name)
        queued += len(ids)
    if queued:
        logger.info("outbox swept queued=%s", queued)
    return queued
