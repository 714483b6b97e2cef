"""Tokens verified once per process: a repeat skips the signature, never a rule."""

import pytest
from django_tenants.utils import tenant_context

from credentials import tokens
from credentials.tokens import decode_access_token, issue_access_token
from iam_project.errors import TokenInvalidError
from tests.conftest import root_of


def issue(tenant, **kwargs):
    with tenant_context(tenant):
        return issue_access_token(root_of(tenant), auth_method="password", **kwargs)[0]


def expired(token):
    raise TokenInvalidError()


def test_a_cached_token_is_refused_once_it_expires(acme, monkeypatch):
    token = issue(acme, ttl_seconds=60)
    with tenant_context(acme):
        decode_access_token(token)
    later = tokens.time.time() + 120
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    # PyJWT reads its own clock: stand in for its verdict on an expired token.
    monkeypatch.setattr(tokens, "_verify", expired)

    with tenant_context(acme), pytest.raises(TokenInvalidError):
        decode_access_token(token)


def test_a_token_verified_in_one_tenant_is_refused_in_another(acme, globex):
    token = issue(acme)
    with tenant_context(acme):
        decode_access_token(token)

    with tenant_context(globex), pytest.raises(TokenInvalidError):
        decode_access_token(token)


def test_a_token_altered_after_its_verification_is_verified_again(acme):
    token = issue(acme)
    with tenant_context(acme):
        decode_access_token(token)
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    with tenant_context(acme), pytest.raises(TokenInvalidError):
        decode_access_token(altered)


def test_claims_handed_out_are_copies_of_the_cached_ones(acme):
    token = issue(acme)
    with tenant_context(acme):
        decode_access_token(token)["sub"] = "changed"

        assert decode_access_token(token)["sub"] != "changed"
