"""Celery tasks of the outbox. tenant_schemas_celery runs each task in the
schema named by its `_schema_name` header, which the outbox sets when queuing.
"""

import smtplib

from celery import shared_task

from notifications import services


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=services.RETRY_BACKOFF_SECONDS,
    retry_backoff_max=services.RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=services.MAX_RETRIES,
    acks_late=True,
)
def send_outbox_email_task(self, outbox_id: int) -> None:
    """Send one outbox email; SMTP failures are retried with backoff."""
    last_try = self.request.retries >= self.max_retries
    services.send_outbox_email(outbox_id=outbox_id, last_try=last_try)


@shared_task
def sweep_outbox_task() -> int:
    """Queue again the pending emails that no worker has in hand, in every tenant."""
    return services.sweep_outbox()
