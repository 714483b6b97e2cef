"""A downstream service verifies IAM tokens through JWKS over real HTTP."""

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import jwt
import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connections

from tests.conftest import login


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_server(db):
    """The real WSGI app on a loopback port, in a thread of its own.

    Its database connection is its own, so it sees only committed rows: the
    tenants and signing keys made at session start. (pytest-django's
    live_server would flush the tenant tables after the test.)
    """
    django_app = get_wsgi_application()

    def app(environ, start_response):
        try:
            return list(django_app(environ, start_response))
        finally:
            # Leave no connection behind to block dropping the test database.
            connections.close_all()

    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_pyjwt_jwks_client_verifies_a_token_from_the_running_server(
    http_server, acme_root
):
    token = login("acme.localhost", acme_root.email)["access_token"]
    issuer = "http://localhost/t/acme"

    signing_key = jwt.PyJWKClient(
        f"{http_server}/t/acme/.well-known/jwks.json"
    ).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, signing_key.key, algorithms=["ES256"], issuer=issuer)

    assert claims["sub"] == f"urn:iam:acme:user/{acme_root.id}"
    assert claims["tenant"] == "acme"


def test_another_tenants_jwks_does_not_verify_the_token(http_server, acme_root, globex):
    token = login("acme.localhost", acme_root.email)["access_token"]

    with pytest.raises(jwt.PyJWKClientError):
        jwt.PyJWKClient(
            f"{http_server}/t/globex/.well-known/jwks.json"
        ).get_signing_key_from_jwt(token)
