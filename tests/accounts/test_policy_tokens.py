"""The `policies` claim, and a downstream service deciding from it alone."""

import jwt
import pytest

from accounts.policy_eval import PoliciesUnavailableError, decide_from_token
from tests.accounts.conftest import allow, deny, grant, make_group, make_policy
from tests.conftest import IamClient, login

ISSUER = "http://localhost/t/acme"


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


class InProcessJWKClient(jwt.PyJWKClient):
    """PyJWT's own JWKS client, fetching through the test client instead of HTTP.

    (pytest-django's live_server would force `transactional_db`, whose flush
    empties the shared tenants table.)
    """

    def fetch_data(self):
        response = IamClient("acme.localhost").call("GET", "/.well-known/jwks.json")
        return response.json()


@pytest.fixture
def jwks_client(acme):
    return InProcessJWKClient(f"{ISSUER}/.well-known/jwks.json", cache_jwk_set=False)


@pytest.fixture
def alice_token(acme, alice):
    grant(acme, alice, allow("shop:*", "urn:shop:acme:order/*", Sid="Orders"))
    make_group(
        acme,
        "NoRefunds",
        members=[alice],
        policies=[make_policy(acme, deny("shop:Refund"))],
    )
    return login("acme.localhost", alice.email)["access_token"]


def test_an_access_token_carries_the_users_effective_statements(alice_token):
    claims = claims_of(alice_token)

    assert sorted(claims["policies"], key=lambda s: s["Effect"]) == [
        allow("shop:*", "urn:shop:acme:order/*", Sid="Orders"),
        deny("shop:Refund"),
    ]
    assert "policies_truncated" not in claims


def test_a_user_without_policies_gets_an_empty_list(alice):
    claims = claims_of(login("acme.localhost", alice.email)["access_token"])

    assert claims["policies"] == []


def test_a_root_token_carries_no_policies(acme_root):
    claims = claims_of(login("acme.localhost", acme_root.email)["access_token"])

    assert claims["root"] is True
    assert "policies" not in claims


def test_policies_past_the_size_limit_are_left_out_and_flagged(settings, alice_token):
    settings.IAM_TOKEN_POLICIES_MAX_BYTES = 64

    claims = claims_of(login("acme.localhost", "alice@acme.test")["access_token"])

    assert claims["policies_truncated"] is True
    assert "policies" not in claims


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("shop:ListOrders", "urn:shop:acme:order/1"),
        ("shop:Refund", "urn:shop:acme:order/1"),
        ("shop:ListOrders", "urn:shop:acme:invoice/1"),
    ],
)
def test_a_service_decides_from_the_token_as_iam_does(
    alice_token, jwks_client, client_for, action, resource
):
    asked = (
        client_for("acme.localhost")
        .bearer(alice_token)
        .call("POST", "/iam/authorize", {"action": action, "resource": resource})
    )

    local = decide_from_token(
        alice_token, action, resource, issuer=ISSUER, jwks_client=jwks_client
    )

    assert local.decision == asked.json()["decision"]


def test_a_truncated_token_sends_the_service_to_iam(
    settings, alice, alice_token, jwks_client
):
    settings.IAM_TOKEN_POLICIES_MAX_BYTES = 64
    token = login("acme.localhost", alice.email)["access_token"]

    with pytest.raises(PoliciesUnavailableError):
        decide_from_token(
            token, "shop:Refund", "x", issuer=ISSUER, jwks_client=jwks_client
        )


def test_a_root_token_is_allowed_locally(acme_root, jwks_client):
    token = login("acme.localhost", acme_root.email)["access_token"]

    result = decide_from_token(
        token, "shop:Refund", "x", issuer=ISSUER, jwks_client=jwks_client
    )

    assert result.allowed


def test_a_token_of_another_tenant_is_refused(globex_root, jwks_client):
    token = login("globex.localhost", globex_root.email)["access_token"]

    with pytest.raises(jwt.PyJWTError):
        decide_from_token(
            token, "shop:Refund", "x", issuer=ISSUER, jwks_client=jwks_client
        )


@pytest.fixture
def admin_token(acme, alice):
    grant(acme, alice, allow("*"))
    return login("acme.localhost", alice.email)["access_token"]


@pytest.mark.parametrize(
    "resource",
    [
        "urn:iam:globex:user/1",
        "URN:IAM:globex:user/1",
        "urn:iam:GLOBEX:user/1",
        "urn:iam::tenant/globex",
    ],
)
@pytest.mark.parametrize("who", ["admin_token", "root_token"])
def test_a_service_denies_another_tenants_resource_locally(
    request, jwks_client, who, resource
):
    token = request.getfixturevalue(who)

    result = decide_from_token(
        token, "iam:GetUser", resource, issuer=ISSUER, jwks_client=jwks_client
    )

    assert result.decision == "implicit_deny"


def test_a_service_allows_its_own_tenants_resource_in_any_spelling(
    alice, admin_token, jwks_client
):
    resource = f"URN:IAM:acme:user/{str(alice.id).upper()}"

    result = decide_from_token(
        admin_token, "iam:GetUser", resource, issuer=ISSUER, jwks_client=jwks_client
    )

    assert result.allowed


@pytest.fixture
def root_token(acme_root):
    return login("acme.localhost", acme_root.email)["access_token"]
