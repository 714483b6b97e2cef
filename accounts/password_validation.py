"""Password rules in the style of NIST SP 800-63B rev. 4 (section 3.1.1.2).

Length is what counts: at least IAM_PASSWORD_MIN_LENGTH characters (15, the
minimum for a password that is the only factor), up to
IAM_PASSWORD_MAX_LENGTH (256, well past the 64 the guideline asks to accept),
each Unicode code point counting as one. No composition rules. A blocklist
refuses what attackers try first: common passwords, also when padded with
digits or symbols, repeated or keyboard-sequence patterns, and words from
the account's own context (email, name, tenant). The validators are listed
in settings.AUTH_PASSWORD_VALIDATORS.
"""

import re

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.db import connection

# Below this many characters of its own, a password built around a
# context word is mostly that word.
_CONTEXT_REMAINDER_MIN = 12
_MIN_DISTINCT_CHARACTERS = 5
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
)


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


class PredictablePasswordValidator(CommonPasswordValidator):
    """Refuse padded common passwords, repetitions and keyboard sequences.

    Django's own list holds few entries as long as our minimum, so a long
    password is also checked with its padding of digits and symbols taken
    off ("Password123456789!" is "password"), and for the patterns that
    cracking tools try right after the lists.
    """

    def validate(self, password, user=None):
        lowered = password.lower().strip()
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
        if (
            lowered in self.passwords
            or core in self.passwords
            or len(set(lowered)) < _MIN_DISTINCT_CHARACTERS
            or _is_repetition(lowered)
            or _is_sequence(lowered)
        ):
            raise ValidationError(
                "This password is too easy to guess.",
                code="password_too_common",
            )

    def get_help_text(self):
        return "Do not use a common password, a repeated pattern or a key sequence."


def _is_repetition(text: str) -> bool:
    """True when the text is one shorter unit said again ("abcabcabc")."""
    for size in range(1, len(text) // 2 + 1):
        unit = text[:size]
        if (unit * (len(text) // size + 1))[: len(text)] == text:
            return True
    return False


def _is_sequence(text: str) -> bool:
    stripped = re.sub(r"\s+", "", text)
    for sequence in _SEQUENCES:
        cycle = sequence * (len(stripped) // len(sequence) + 2)
        if stripped in cycle or stripped in cycle[::-1]:
            return True
    return False


class TenantNameValidator:
    """Refuse passwords built from the tenant's slug or name."""

    def validate(self, password, user=None):
        remainder = _letters_and_digits(password)
        found = False
        for word in sorted(_context_words(), key=len, reverse=True):
            if word in remainder:
                remainder = remainder.replace(word, "")
                found = True
        if found and len(remainder) < _CONTEXT_REMAINDER_MIN:
            raise ValidationError(
                "This password is too close to the organisation's name.",
                code="password_too_similar",
            )

    def get_help_text(self):
        return "Do not build your password from your organisation's name."


def _context_words() -> set[str]:
    """The current tenant's slug and name, whole and word by word."""
    tenant = getattr(connection, "tenant", None)
    slug = getattr(tenant, "slug", "") or ""
    name = getattr(tenant, "name", "") or ""
    words = {_letters_and_digits(slug), _letters_and_digits(name)}
    words.update(word.lower() for word in re.findall(r"[^\W_]{4,}", name))
    return {word for word in words if len(word) >= 4}


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())
