"""Per-schema ES256 signing keys: creation, storage at rest, rotation, JWKS.

ES256 signs in tens of microseconds (an RSA-2048 signature costs about a
millisecond) and every JOSE library verifies it, which keeps both token
issue and downstream verification cheap.
"""

import base64
import hashlib
import logging
import os
import secrets
import time
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.services import record_event
from credentials.models import SigningKey

logger = logging.getLogger(__name__)

ALGORITHM = "ES256"
# How long a process keeps using the active key it looked up; a rotation
# reaches every process within this time, and the old key stays published.
ACTIVE_KEY_CACHE_SECONDS = 30

_private_keys: dict[tuple[str, str], ec.EllipticCurvePrivateKey] = {}
_public_keys: dict[tuple[str, str], ec.EllipticCurvePublicKey | None] = {}
_active_kids: dict[str, tuple[str, float]] = {}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _wrapping_key() -> bytes:
    material = settings.IAM_KEY_ENCRYPTION_KEY or settings.SECRET_KEY
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"iam signing keys v1"
    )
    return hkdf.derive(material.encode())


def _encrypt(
    private_key: ec.EllipticCurvePrivateKey, *, schema: str, kid: str
) -> bytes:
    pem = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    nonce = os.urandom(12)
    # The schema and kid are authenticated data: a row copied into another
    # tenant's schema does not decrypt there.
    return nonce + AESGCM(_wrapping_key()).encrypt(
        nonce, pem, f"{schema}:{kid}".encode()
    )


def _decrypt(blob: bytes, *, schema: str, kid: str) -> ec.EllipticCurvePrivateKey:
    blob = bytes(blob)
    der = AESGCM(_wrapping_key()).decrypt(
        blob[:12], blob[12:], f"{schema}:{kid}".encode()
    )
    return serialization.load_der_private_key(der, password=None)


def _public_jwk(public_key: ec.EllipticCurvePublicKey, kid: str) -> dict:
    numbers = public_key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
        "use": "sig",
        "alg": ALGORITHM,
        "kid": kid,
    }


def _public_key_from_jwk(jwk: dict) -> ec.EllipticCurvePublicKey:
    def number(field: str) -> int:
        raw = jwk[field] + "=" * (-len(jwk[field]) % 4)
        return int.from_bytes(base64.urlsafe_b64decode(raw), "big")

    return ec.EllipticCurvePublicNumbers(
        number("x"), number("y"), ec.SECP256R1()
    ).public_key()


def create_signing_key() -> SigningKey:
    """Create and store a new active key for the current schema."""
    schema = connection.schema_name
    private_key = ec.generate_private_key(ec.SECP256R1())
    kid = f"{time.strftime('%Y%m%d')}-{secrets.token_hex(6)}"
    key = SigningKey.objects.create(
        kid=kid,
        algorithm=ALGORITHM,
        encrypted_private_key=_encrypt(private_key, schema=schema, kid=kid),
        public_jwk=_public_jwk(private_key.public_key(), kid),
    )
    logger.info("signing key created schema=%s kid=%s", schema, kid)
    return key


def rotate_signing_key() -> SigningKey:
    """Retire the current key of this schema and start signing with a new one.

    The retired key stays in the JWKS until every token it signed has expired.
    """
    with transaction.atomic():
        _lock_schema_keys()
        SigningKey.objects.filter(retired_at__isnull=True).update(
            retired_at=timezone.now()
        )
        key = create_signing_key()
        record_event(
            actor=None, action="iam:RotateSigningKey", details={"kid": key.kid}
        )
    _active_kids.pop(connection.schema_name, None)
    return key


def _lock_schema_keys() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [_lock_id(connection.schema_name)]
        )


def _lock_id(schema: str) -> int:
    digest = hashlib.sha256(f"signing-key:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def get_active_signing_key() -> tuple[str, ec.EllipticCurvePrivateKey]:
    """Return (kid, private key) to sign with in the current schema."""
    schema = connection.schema_name
    cached = _active_kids.get(schema)
    if cached and time.monotonic() - cached[1] < ACTIVE_KEY_CACHE_SECONDS:
        kid = cached[0]
        if (schema, kid) in _private_keys:
            return kid, _private_keys[(schema, kid)]

    row = SigningKey.objects.filter(retired_at__isnull=True).first()
    if row is None:
        with transaction.atomic():
            _lock_schema_keys()
            row = (
                SigningKey.objects.filter(retired_at__isnull=True).first()
                or create_signing_key()
            )
    private_key = _private_keys.get((schema, row.kid))
    if private_key is None:
        try:
            private_key = _decrypt(
                row.encrypted_private_key, schema=schema, kid=row.kid
            )
        except InvalidTag:
            # IAM_KEY_ENCRYPTION_KEY changed (or the row was tampered with):
            # this key can no longer sign, but its public half still verifies
            # the tokens it signed. Start a new key instead of failing logins.
            logger.error("signing key unreadable schema=%s kid=%s", schema, row.kid)
            row = rotate_signing_key()
            private_key = _decrypt(
                row.encrypted_private_key, schema=schema, kid=row.kid
            )

    def remember() -> None:
        _private_keys[(schema, row.kid)] = private_key
        _active_kids[schema] = (row.kid, time.monotonic())

    # Only a committed key may be remembered: a key read inside a transaction
    # that rolls back would otherwise sign tokens nobody can verify.
    transaction.on_commit(remember)
    return row.kid, private_key


def get_public_key(kid: str) -> ec.EllipticCurvePublicKey | None:
    """Return the public key with this kid in the current schema, or None."""
    schema = connection.schema_name
    if (schema, kid) in _public_keys:
        return _public_keys[(schema, kid)]
    row = SigningKey.objects.filter(kid=kid).only("public_jwk").first()
    key = _public_key_from_jwk(row.public_jwk) if row else None
    if key is not None:
        # Unknown kids are not remembered: a forged header must not grow memory.
        _public_keys[(schema, kid)] = key
    return key


def list_published_jwks() -> list[dict]:
    """Public keys of the current schema that may still verify a live token."""
    grace = timedelta(seconds=settings.IAM_ACCESS_TOKEN_TTL_SECONDS + 60)
    cutoff = timezone.now() - grace
    rows = SigningKey.objects.filter(
        retired_at__isnull=True
    ) | SigningKey.objects.filter(retired_at__gt=cutoff)
    return [row.public_jwk for row in rows.order_by("-created_at")]
