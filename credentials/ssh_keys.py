"""SSH public keys: upload, change status and delete, in the current tenant.

Services that give users SSH or SFTP access ask IAM whose key a fingerprint
is; a key is therefore unique within a tenant and names exactly one user.
"""

import base64
import hashlib
import logging

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from audit.services import record_event
from credentials import hashing
from credentials.access_keys import lock_user_credentials
from credentials.exceptions import (
    SSHPublicKeyDuplicateError,
    SSHPublicKeyInvalidError,
    SSHPublicKeyLimitError,
)
from credentials.models import SSHPublicKey

logger = logging.getLogger(__name__)

MIN_RSA_BITS = 2048
# Key types OpenSSH still accepts by default; DSA is gone from it, and
# cryptography would load it otherwise.
ALLOWED_KEY_TYPES = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
)


def parse_openssh_public_key(text: str) -> tuple[str, str]:
    """Validate one OpenSSH public key line; return (key without comment, fingerprint).

    The fingerprint is the SHA-256 of the key blob in base64 without padding,
    as `ssh-keygen -l` prints it.
    """
    text = text.strip()
    if "\n" in text or not text.startswith(ALLOWED_KEY_TYPES):
        raise SSHPublicKeyInvalidError(
            "Paste one OpenSSH public key line, such as the content of "
            "id_ed25519.pub (Ed25519, ECDSA or RSA)."
        )
    try:
        key = serialization.load_ssh_public_key(text.encode())
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SSHPublicKeyInvalidError("This is not a valid SSH public key.") from exc
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise SSHPublicKeyInvalidError(f"RSA keys need at least {MIN_RSA_BITS} bits.")

    normalized = key.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()
    blob = base64.b64decode(normalized.split()[1])
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return normalized, f"SHA256:{digest}"


def upload_ssh_public_key(*, user: User, public_key: str, actor=None) -> SSHPublicKey:
    """Register an SSH public key for a user.

    Raises SSHPublicKeyInvalidError for anything but one supported OpenSSH
    key, SSHPublicKeyDuplicateError when any user of the tenant already has
    it, SSHPublicKeyLimitError past IAM_MAX_SSH_KEYS_PER_USER.
    """
    normalized, fingerprint = parse_openssh_public_key(public_key)

    with transaction.atomic():
        lock_user_credentials(user)
        held = SSHPublicKey.objects.filter(user=user).count()
        if held >= settings.IAM_MAX_SSH_KEYS_PER_USER:
            raise SSHPublicKeyLimitError()
        if SSHPublicKey.objects.filter(fingerprint=fingerprint).exists():
            raise SSHPublicKeyDuplicateError()
        try:
            with transaction.atomic():
                key = SSHPublicKey.objects.create(
                    ssh_public_key_id=hashing.generate_id(
                        hashing.SSH_PUBLIC_KEY_ID_PREFIX
                    ),
                    user=user,
                    public_key=normalized,
                    fingerprint=fingerprint,
                )
        except IntegrityError as exc:
            # Two users uploading one key at once: the unique index decides.
            raise SSHPublicKeyDuplicateError() from exc
        record_event(
            actor=actor,
            action="iam:UploadSSHPublicKey",
            target=key.urn,
            details={"user": user.urn, "fingerprint": fingerprint},
        )

    logger.info(
        "ssh key uploaded key=%s user=%s fingerprint=%s",
        key.ssh_public_key_id,
        user.id,
        fingerprint,
    )
    return key


def update_ssh_public_key(
    *, key: SSHPublicKey, status: str, actor=None
) -> SSHPublicKey:
    """Activate or deactivate an SSH public key."""
    if key.status != status:
        key.status = status
        with transaction.atomic():
            key.save(update_fields=["status", "updated_at"])
            record_event(
                actor=actor,
                action="iam:UpdateSSHPublicKey",
                target=key.urn,
                details={"status": status},
            )
        logger.info(
            "ssh key status changed key=%s user=%s status=%s",
            key.ssh_public_key_id,
            key.user_id,
            status,
        )
    return key


def delete_ssh_public_key(*, key: SSHPublicKey, actor=None) -> None:
    """Delete an SSH public key."""
    urn = key.urn
    with transaction.atomic():
        key.delete()
        record_event(actor=actor, action="iam:DeleteSSHPublicKey", target=urn)
    logger.info("ssh key deleted key=%s user=%s", key.ssh_public_key_id, key.user_id)
