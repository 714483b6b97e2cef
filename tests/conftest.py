"""Shared fixtures: two tenants made once per test process, and API clients.

Tenants acme and globex are created (and committed) when the test database
is set up; each test then runs inside a transaction that is rolled back.
"""

import base64
import json

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context, tenant_context
from rest_framework.test import APIClient

from accounts.models import User
from tenants.models import Tenant

PASSWORD = "a perfectly long test passphrase"

TENANTS = {
    "acme": {
        "domain": "acme.localhost",
        "root_email": "root@acme.test",
        "name": "Acme Corp",
    },
    "globex": {
        "domain": "globex.localhost",
        "root_email": "root@globex.test",
        "name": "Globex",
    },
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tenants.services import create_tenant

    with django_db_blocker.unblock():
        for slug, spec in TENANTS.items():
            if not Tenant.objects.filter(slug=slug).exists():
                create_tenant(slug=slug, **spec)
    yield


@pytest.fixture(autouse=True)
def _isolated_cache():
    yield
    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    # django-tenants puts the schema first: "<schema>:<prefix>:<version>:<key>".
    keys = list(client.scan_iter(match=f"*:{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _public_schema_after_test():
    yield
    connection.set_schema_to_public()


@pytest.fixture
def acme(db):
    return Tenant.objects.get(slug="acme")


@pytest.fixture
def globex(db):
    return Tenant.objects.get(slug="globex")


def make_user(
    tenant, *, email, password=PASSWORD, confirmed=True, is_root=False, **fields
):
    with tenant_context(tenant):
        user = User(email=email, is_root=is_root, email_confirmed=confirmed, **fields)
        user.set_password(password)
        user.save()
    return user


def root_of(tenant) -> User:
    with tenant_context(tenant):
        root = User.objects.get(is_root=True)
        if not root.has_usable_password():
            root.set_password(PASSWORD)
            root.email_confirmed = True
            root.save()
    return root


class IamClient(APIClient):
    """An API client bound to one host, with JSON helpers."""

    def __init__(self, host="localhost", **kwargs):
        super().__init__(HTTP_HOST=host, **kwargs)

    def call(self, method, path, data=None, **extra):
        if data is not None and not isinstance(data, (str, bytes)):
            data = json.dumps(data)
        kwargs = {"content_type": "application/json"} if data is not None else {}
        response = getattr(self, method.lower())(path, data, **kwargs, **extra)
        connection.set_schema_to_public()
        return response

    def bearer(self, token):
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return self

    def basic(self, key_id, secret):
        raw = base64.b64encode(f"{key_id}:{secret}".encode()).decode()
        self.credentials(HTTP_AUTHORIZATION=f"Basic {raw}")
        return self


def login(host, email, password=PASSWORD, **extra_body):
    client = IamClient(host)
    response = client.call(
        "POST", "/iam/auth/token", {"email": email, "password": password, **extra_body}
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def client_for():
    return IamClient


@pytest.fixture
def acme_root(acme):
    return root_of(acme)


@pytest.fixture
def globex_root(globex):
    return root_of(globex)


@pytest.fixture
def acme_root_client(acme_root):
    tokens = login("acme.localhost", acme_root.email)
    return IamClient("acme.localhost").bearer(tokens["access_token"])


@pytest.fixture
def globex_root_client(globex_root):
    tokens = login("globex.localhost", globex_root.email)
    return IamClient("globex.localhost").bearer(tokens["access_token"])


@pytest.fixture
def platform_owner(db):
    from tenants.models import PlatformOwner

    with schema_context("public"):
        owner = PlatformOwner(email="owner@platform.test")
        owner.set_password(PASSWORD)
        owner.save()
    return owner


@pytest.fixture
def owner_client(platform_owner):
    tokens = login("localhost", platform_owner.email)
    return IamClient("localhost").bearer(tokens["access_token"])


@pytest.fixture
def outbox():
    mail.outbox = []
    return mail.outbox
