"""Writing audit events. Call inside the transaction of the change it records."""

import logging

from django.db import connection

from audit.context import current_origin
from audit.models import AuditEvent

logger = logging.getLogger(__name__)

# Keys whose values must never reach the audit trail, whatever a caller passes.
_SECRET_KEYS = {
    "password",
    "secret",
    "secret_access_key",
    "token",
    "refresh_token",
    "current_password",
    "new_password",
}


def _clean(details: dict | None) -> dict:
    cleaned = {}
    for key, value in (details or {}).items():
        if any(part in key.lower() for part in _SECRET_KEYS):
            continue
        cleaned[key] = (
            value
            if isinstance(value, (str, int, float, bool, type(None), list))
            else str(value)
        )
    return cleaned


def record_event(
    *,
    actor,
    action: str,
    target: str = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
    details: dict | None = None,
    credential: str = "",
) -> AuditEvent | None:
    """Record one event in the current tenant's trail.

    `actor` is a principal (user or platform owner) or None for anonymous
    callers. Events outside a tenant schema are logged but not stored: the
    trail lives with the tenant it concerns.
    """
    origin = current_origin()
    actor_urn = getattr(actor, "urn", "") if actor is not None else ""
    if connection.schema_name == "public":
        logger.info(
            "platform event action=%s target=%s outcome=%s", action, target, outcome
        )
        return None
    return AuditEvent.objects.create(
        actor=actor_urn,
        credential=credential or origin.credential,
        access_key_id=origin.access_key_id,
        impersonator=origin.impersonator,
        reason=origin.reason,
        action=action,
        target=target,
        outcome=outcome,
        client_ip=origin.client_ip,
        user_agent=origin.user_agent[:300],
        request_id=origin.request_id,
        details=_clean(details),
    )
