"""Tenant-schema models: the outbox of emails to send."""

from django.db import models


class Outbox(models.Model):
    """One email to send, written in the transaction of the change it reports.

    It holds ids, never a link or token: the link is made when the email is
    rendered, from the user's state at that moment, so a row that waits in
    the outbox never carries a credential and a superseded link is never sent.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"
        # Not sent because it no longer applies: the user is gone, or the
        # address or password it was about has changed since.
        SKIPPED = "skipped"

    class Template(models.TextChoices):
        WELCOME = "welcome"
        PASSWORD_RESET = "password_reset"
        CONFIRM_EMAIL = "confirm_email"
        EMAIL_CHANGE_NOTICE = "email_change_notice"
        PASSWORD_CHANGED_NOTICE = "password_changed_notice"

    recipient = models.EmailField(max_length=254)
    template = models.CharField(max_length=40, choices=Template.choices)
    context = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbox email"
        verbose_name_plural = "outbox"
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.recipient} ({self.status})"
