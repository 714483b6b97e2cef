"""Signing keys, refresh tokens, access keys and SSH public keys.

Signing keys and refresh tokens live in every tenant schema and in the public
schema, where they serve the platform owner. Rows are never shared: each
schema signs with its own key. Access keys and SSH public keys belong to
tenant users and exist only in tenant schemas (see credentials.routers).
"""

import uuid

from django.db import models


class SigningKey(models.Model):
    kid = models.CharField(max_length=64, primary_key=True)
    algorithm = models.CharField(max_length=16, default="ES256")
    # AES-GCM ciphertext of the PKCS#8 private key; the key that opens it is
    # derived from server configuration, never stored in the database.
    encrypted_private_key = models.BinaryField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.kid


class RefreshToken(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # SHA-256 of the opaque token: it is 256 random bits, so a fast hash is
    # enough and a dump of this table logs nobody in.
    token_hash = models.CharField(max_length=64, unique=True)
    subject_id = models.UUIDField(db_index=True)
    # Every rotation stays in the family of the first login; reusing a rotated
    # token revokes the whole family (a stolen copy is then worthless too).
    family_id = models.UUIDField(db_index=True)
    auth_method = models.CharField(max_length=16)
    access_key_id = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.id)


def credential_urn(kind: str, object_id: str) -> str:
    from accounts.models import current_tenant_slug

    return f"urn:iam:{current_tenant_slug()}:{kind}/{object_id}"


class CredentialStatus(models.TextChoices):
    ACTIVE = "active"
    INACTIVE = "inactive"


class AccessKey(models.Model):
    """A programmatic credential: a public id and a secret kept only as a hash."""

    Status = CredentialStatus

    access_key_id = models.CharField(max_length=32, unique=True)
    # HMAC-SHA-256 of the secret under a server-side key that is not in the
    # database (see credentials.hashing): a dump of this table logs nobody in.
    secret_hash = models.CharField(max_length=64)
    status = models.CharField(
        max_length=8, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="access_keys"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.access_key_id

    @property
    def urn(self) -> str:
        return credential_urn("access-key", self.access_key_id)


class SSHPublicKey(models.Model):
    """An OpenSSH public key a user presents to services that offer SSH or SFTP."""

    Status = CredentialStatus

    ssh_public_key_id = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="ssh_public_keys"
    )
    # "<type> <base64>", re-serialised from the parsed key without the comment.
    public_key = models.TextField()
    # "SHA256:<base64>" as `ssh-keygen -l` prints it. Unique within the
    # tenant, so a key names exactly one user when a service asks whose it is.
    fingerprint = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=8, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.ssh_public_key_id

    @property
    def urn(self) -> str:
        return credential_urn("ssh-key", self.ssh_public_key_id)
