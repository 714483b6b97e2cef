"""A downstream service verifies IAM tokens through JWKS over real HTTP."""

import jwt

from tests.conftest import login


def test_pyjwt_jwks_client_verifies_a_token_from_the_running_server(
    live_server, acme_root
):
    token = login("acme.localhost", acme_root.email)["access_token"]
    issuer = "http://localhost/t/acme"
    jwks_url = f"{live_server.url.replace('127.0.0.1', 'localhost')}/t/acme/.well-known/jwks.json"

    signing_key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, signing_key.key, algorithms=["ES256"], issuer=issuer)

    assert claims["sub"] == f"urn:iam:acme:user/{acme_root.id}"
    assert claims["tenant"] == "acme"
