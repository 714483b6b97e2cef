"""Who a subject id names in the current schema: a tenant user or the owner."""

import uuid

from django.db import connection


def get_principal(subject_id) -> object | None:
    """Return the user (tenant schema) or platform owner (public) with this id."""
    if connection.schema_name == "public":
        from tenants.models import PlatformOwner

        return PlatformOwner.objects.filter(id=subject_id).first()
    from accounts.models import User

    return User.objects.filter(id=subject_id).first()


def subject_id_from_urn(urn: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(urn.rsplit("/", 1)[1])
    except (AttributeError, IndexError, ValueError):
        return None
