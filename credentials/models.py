"""Signing keys and refresh tokens.

Both live in every tenant schema and in the public schema, where they serve
the platform owner. Rows are never shared: each schema signs with its own key.
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
