"""Admin clients: a browser-like Django client bound to one host, logged in."""

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD


class AdminClient(Client):
    """A session client for one host; resets the schema after each request."""

    def __init__(self, host="localhost", **kwargs):
        super().__init__(HTTP_HOST=host, **kwargs)
        self.host = host

    def request(self, **request):
        try:
            return super().request(**request)
        finally:
            connection.set_schema_to_public()

    def log_in(self, email, password=PASSWORD):
        return self.post(
            "/admin/login/?next=/admin/",
            {"username": email, "password": password},
        )


def admin_login(host, email, password=PASSWORD) -> AdminClient:
    client = AdminClient(host)
    response = client.log_in(email, password)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def owner_admin(platform_owner):
    return admin_login("localhost", platform_owner.email)


@pytest.fixture
def acme_admin(acme_root):
    return admin_login("acme.localhost", acme_root.email)


@pytest.fixture
def globex_admin(globex_root):
    return admin_login("globex.localhost", globex_root.email)
