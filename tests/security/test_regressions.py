"""One named test per class of bug found in this service, so none returns."""

from django.db import connection, transaction
from django_tenants.utils import tenant_context

from accounts.authorization import decide
from accounts.link_tokens import RESET, make_link_token
from accounts.models import User
from credentials import signing
from credentials.access_keys import create_access_key, delete_access_key
from credentials.models import SigningKey
from tests.accounts.conftest import allow, grant
from tests.conftest import IamClient, login, make_user


def test_policy_effect_of_the_wrong_type_is_a_validation_error_not_a_500(
    acme_root_client,
):
    # Found by fuzzing: a list as Effect was hashed for a set look-up.
    document = {"Statement": [{"Effect": ["Allow"], "Action": "*", "Resource": "*"}]}

    response = acme_root_client.call(
        "POST", "/iam/policies", {"name": "Odd", "document": document}
    )

    assert response.status_code == 400
    assert "document.Statement[0].Effect" in response.json()["error"]["details"]


def test_signing_key_read_in_a_rolled_back_transaction_never_signs(acme, acme_root):
    # A key created and read inside a transaction that rolled back was kept
    # in the process cache and went on signing tokens no JWKS could verify.
    with tenant_context(acme):
        try:
            with transaction.atomic():
                signing.rotate_signing_key()
                ghost_kid, _ = signing.get_active_signing_key()
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert not SigningKey.objects.filter(kid=ghost_kid).exists()

    token = login("acme.localhost", acme_root.email)["access_token"]

    assert (
        IamClient("acme.localhost")
        .bearer(token)
        .call("GET", "/iam/users/me")
        .status_code
        == 200
    )


def test_cache_keys_carry_the_schema(acme, globex):
    # The Django cache is shared by all tenants; a key without the schema
    # would let one tenant read what another cached.
    from django.core.cache import cache

    with tenant_context(acme):
        cache.set("probe", "acme")
    with tenant_context(globex):
        assert cache.get("probe") is None
    with tenant_context(acme):
        assert cache.get("probe") == "acme"
        cache.delete("probe")


def test_email_with_a_line_break_is_refused_before_any_header_sees_it(acme_root_client):
    response = acme_root_client.call(
        "POST", "/iam/users", {"email": "eve@acme.test\r\nBcc: all@victims.test"}
    )

    assert response.status_code == 400
    assert "email" in response.json()["error"]["details"]


def test_schema_is_public_again_after_every_request(acme_root_client):
    # A request that raised half-way must not leave the connection in the
    # tenant's schema for whatever runs next on it.
    acme_root_client.raise_request_exception = False
    acme_root_client.call("GET", "/iam/users/not-a-uuid")

    assert connection.schema_name == "public"


def test_token_with_a_kid_of_another_tenant_does_not_verify(acme, acme_root, globex):
    # Keys are looked up by kid in the current schema only.
    token = login("acme.localhost", acme_root.email)["access_token"]

    response = IamClient("globex.localhost").bearer(token).call("GET", "/iam/users/me")

    assert response.status_code == 401


def test_post_to_an_unknown_api_path_is_the_json_404_not_the_csrf_page(acme):
    # Found by Schemathesis: the catch-all JSON 404 view sat behind Django's
    # CSRF middleware, which answered a POST with its HTML 403 page.
    client = IamClient("acme.localhost", enforce_csrf_checks=True)

    response = client.call("POST", "/iam/tenants/no%20such%20slug/sessions", {})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_authorize_canonicalizes_a_resource_before_tenant_and_root_checks(
    acme, acme_root, globex
):
    # /iam/authorize compared the resource as typed: an upper-case root id
    # escaped the root guard, an upper-case scheme the tenant check.
    admin = make_user(acme, email="canon@acme.test")
    grant(acme, admin, allow("*"))

    with tenant_context(acme):
        principal = User.objects.get(id=admin.id)
        on_root = decide(
            principal,
            "iam:UpdateUser",
            f"urn:iam:acme:user/{str(acme_root.id).upper()}",
        )
        on_globex = decide(principal, "iam:GetUser", "URN:IAM:globex:user/x")

    assert (on_root.decision, on_globex.decision) == ("explicit_deny", "implicit_deny")


def test_update_user_alone_cannot_redirect_another_users_email(acme):
    # iam:UpdateUser let a user point another's email at its own mailbox,
    # confirm it and reset the password: email needs iam:UpdateLoginProfile.
    mallory = make_user(acme, email="mallory@acme.test")
    victim = make_user(acme, email="victim@acme.test")
    grant(acme, mallory, allow(["iam:GetUser", "iam:UpdateUser"]))
    token = login("acme.localhost", mallory.email)["access_token"]

    response = (
        IamClient("acme.localhost")
        .bearer(token)
        .call("PATCH", f"/iam/users/{victim.id}", {"email": "mallory@evil.test"})
    )

    assert response.status_code == 403


def test_privileged_session_cannot_create_a_lasting_root_access_key(
    acme, platform_owner, owner_client
):
    # A 15-minute session minted a permanent key for root, outliving itself
    # and acting later without the owner's name in the audit trail.
    session = owner_client.call(
        "POST", "/iam/tenants/acme/sessions", {"reason": "ticket 7"}
    ).json()

    response = (
        IamClient("acme.localhost")
        .bearer(session["access_token"])
        .call("POST", "/iam/users/me/credentials")
    )

    assert response.status_code == 403


def test_deleting_a_leaked_key_ends_the_access_tokens_it_minted(acme):
    # Tokens carry the key in `akid`, but only refresh tokens ended with the
    # key: its access tokens worked on for their whole lifetime.
    user = make_user(acme, email="leaky@acme.test")
    with tenant_context(acme):
        key, secret = create_access_key(user=user)
    token = (
        IamClient("acme.localhost")
        .call(
            "POST",
            "/iam/auth/token",
            {"access_key_id": key.access_key_id, "secret_access_key": secret},
        )
        .json()["access_token"]
    )
    with tenant_context(acme):
        delete_access_key(key=key)

    response = IamClient("acme.localhost").bearer(token).call("GET", "/iam/users/me")

    assert response.status_code == 401


def test_reset_token_dies_when_the_users_email_changes(acme):
    # The MAC covered the password but not the address: a reset link sent to
    # a mailbox the user had left still reset the account's password.
    user = make_user(acme, email="before@acme.test")
    with tenant_context(acme):
        token = make_link_token(user, RESET)
        user.email = "after@acme.test"
        user.save(update_fields=["email"])

    response = IamClient("acme.localhost").call(
        "POST",
        "/iam/password/reset/confirm",
        {"token": token, "password": "a brand new long passphrase"},
    )

    assert response.status_code == 400
