"""Password rules in the style of NIST SP 800-63B rev. 4.

Length is what counts: no composition rules. Common passwords and those
built from the account's own context (email, name, tenant) are refused by
the validators listed in settings.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection


class LengthValidator:
    def validate(self, password, user=None):
        minimum = settings.IAM_PASSWORD_MIN_LENGTH
        maximum = settings.IAM_PASSWORD_MAX_LENGTH
        if len(password) < minimum:
            raise ValidationError(
                "This password is too short. "
                f"It must contain at least {minimum} characters.",
                code="password_too_short",
            )
        if len(password) > maximum:
            raise ValidationError(
                "This password is too long. "
                f"It may contain at most {maximum} characters.",
                code="password_too_long",
            )

    def get_help_text(self):
        return (
            f"Use {settings.IAM_PASSWORD_MIN_LENGTH} to "
            f"{settings.IAM_PASSWORD_MAX_LENGTH} "
            "characters; a passphrase of several words works well."
        )


class TenantNameValidator:
    """Refuse passwords that contain the tenant's slug or name."""

    def validate(self, password, user=None):
        tenant = getattr(connection, "tenant", None)
        lowered = password.lower()
        for word in (getattr(tenant, "slug", ""), getattr(tenant, "name", "")):
            word = (word or "").lower()
            if len(word) >= 4 and word in lowered and len(lowered) < len(word) + 12:
                raise ValidationError(
                    "This password is too close to the organisation's name.",
                    code="password_too_similar",
                )

    def get_help_text(self):
        return "Do not build your password from your organisation's name."
