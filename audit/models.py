"""The audit trail of one tenant: who did what to whom, when, from where."""

from django.db import models


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success"
        FAILURE = "failure"
        DENIED = "denied"
        THROTTLED = "throttled"

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The principal that acted: a user URN, the platform owner's URN, or ""
    # for an anonymous caller (a failed login) or the system.
    actor = models.CharField(max_length=200, blank=True, db_index=True)
    # How the actor proved itself: password, access_key, admin, command...
    credential = models.CharField(max_length=20, blank=True)
    access_key_id = models.CharField(max_length=32, blank=True)
    # The platform owner, when it acted as the actor through a privileged
    # session (POST /iam/tenants/{slug}/sessions).
    impersonator = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    target = models.CharField(max_length=200, blank=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"
