"""Access key material: recognisable ids, random secrets and their keyed hash.

A secret is 240 random bits, so it needs no slow password hash: nobody can
guess it, and a slow hash would only make every API call cost tens of
milliseconds. What a database dump must not give is a way to test guesses or
replay hashes, so the hash is HMAC-SHA-256 under a key (the "pepper") that
lives in the server configuration, never in the database.
"""

import functools
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

ACCESS_KEY_ID_PREFIX = "IAMK"
SSH_PUBLIC_KEY_ID_PREFIX = "IAMS"
# Base32 without 0/O and 1/I: an id read aloud or retyped cannot be misread,
# and a fixed prefix plus this alphabet lets secret scanners match leaked ids.
ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ID_RANDOM_CHARS = 16  # 80 bits: collisions are not a practical concern
SECRET_BYTES = 30  # 240 bits, encoded as 40 URL-safe characters

_DUMMY_ACCESS_KEY_ID = ACCESS_KEY_ID_PREFIX + "2" * ID_RANDOM_CHARS


def generate_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_RANDOM_CHARS))


def generate_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


@functools.lru_cache(maxsize=4)
def _derive_pepper(material: str) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"iam access key secrets v1",
    )
    return hkdf.derive(material.encode())


def _pepper() -> bytes:
    return _derive_pepper(settings.IAM_ACCESS_KEY_PEPPER or settings.SECRET_KEY)


def hash_secret(*, access_key_id: str, secret: str) -> str:
    """Return the hex HMAC that is stored for a secret.

    The id is part of the message, so a hash copied onto another key's row
    does not verify there.
    """
    message = f"{access_key_id}:{secret}".encode()
    return hmac.new(_pepper(), message, hashlib.sha256).hexdigest()


def verify_secret(*, access_key_id: str, secret: str, secret_hash: str) -> bool:
    """Compare in constant time, so response timing leaks no matching prefix."""
    expected = hash_secret(access_key_id=access_key_id, secret=secret)
    return hmac.compare_digest(expected, secret_hash)


def spend_dummy_verification(secret: str) -> None:
    """Do the work of one verification where no key matched.

    An unknown id then costs the same as a wrong secret, so timing does not
    tell an attacker which ids exist.
    """
    verify_secret(
        access_key_id=_DUMMY_ACCESS_KEY_ID, secret=secret, secret_hash="0" * 64
    )
