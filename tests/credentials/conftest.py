"""Fixtures for access keys and SSH keys: two users of acme and their clients."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django_tenants.utils import tenant_context

from credentials.access_keys import create_access_key
from tests.conftest import IamClient, login, make_user


@pytest.fixture
def alice(acme):
    return make_user(acme, email="alice@acme.test", name="Alice")


@pytest.fixture
def bob(acme):
    return make_user(acme, email="bob@acme.test", name="Bob")


@pytest.fixture
def alice_client(alice):
    tokens = login("acme.localhost", alice.email)
    return IamClient("acme.localhost").bearer(tokens["access_token"])


@pytest.fixture
def bob_client(bob):
    tokens = login("acme.localhost", bob.email)
    return IamClient("acme.localhost").bearer(tokens["access_token"])


def new_key(tenant, user):
    """Create a key through the service; return (access_key_id, secret)."""
    with tenant_context(tenant):
        key, secret = create_access_key(user=user)
    return key.access_key_id, secret


def openssh_public_key(comment: str = "") -> str:
    public = ed25519.Ed25519PrivateKey.generate().public_key()
    line = public.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()
    return f"{line} {comment}".strip()
