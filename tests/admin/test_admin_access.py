"""Who may log in to which admin, and sessions that never cross hosts."""

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from audit.models import AuditEvent
from tenants.admin_site import SESSION_SCHEMA_KEY
from tests.admin.conftest import AdminClient, admin_login
from tests.conftest import make_user


def _is_logged_in(client) -> bool:
    response = client.get("/admin/")
    return response.status_code == 200 and b'id="logout-form"' in response.content


def _carry_cookie(source: AdminClient, host: str) -> AdminClient:
    """A client on another host that sends the source's session cookie."""
    client = AdminClient(host)
    client.cookies["sessionid"] = source.cookies["sessionid"].value
    return client


def test_platform_owner_logs_in_on_the_platform_host(owner_admin):
    assert _is_logged_in(owner_admin)


def test_root_logs_in_on_its_tenant_host(acme_admin):
    assert _is_logged_in(acme_admin)


def test_platform_owner_cannot_log_in_on_a_tenant_host(platform_owner):
    response = AdminClient("acme.localhost").log_in(platform_owner.email)

    assert response.status_code == 200
    assert b"errornote" in response.content


def test_root_cannot_log_in_on_the_platform_host(acme_root):
    client = AdminClient("localhost")

    response = client.log_in(acme_root.email)

    assert response.status_code == 200
    assert not _is_logged_in(client)


def test_root_cannot_log_in_on_another_tenant_host(acme_root):
    client = AdminClient("globex.localhost")

    client.log_in(acme_root.email)

    assert not _is_logged_in(client)


def test_non_root_user_cannot_log_in_to_the_tenant_admin(acme):
    make_user(acme, email="alice@acme.test")
    client = AdminClient("acme.localhost")

    client.log_in("alice@acme.test")

    assert not _is_logged_in(client)


def test_turning_a_non_root_user_away_is_audited_as_denied(acme):
    from audit.models import AuditEvent

    alice = make_user(acme, email="alice@acme.test")

    AdminClient("acme.localhost").log_in("alice@acme.test")

    with tenant_context(acme):
        event = AuditEvent.objects.get(action="iam:AdminLogin")
    assert event.outcome == "denied"
    assert event.actor == f"urn:iam:acme:user/{alice.id}"


def test_root_with_unconfirmed_email_cannot_log_in(acme, acme_root):
    with tenant_context(acme):
        acme_root.email_confirmed = False
        acme_root.save(update_fields=["email_confirmed"])
    client = AdminClient("acme.localhost")

    client.log_in(acme_root.email)

    assert not _is_logged_in(client)


def test_wrong_password_is_refused_with_the_login_form(acme_root):
    response = AdminClient("acme.localhost").log_in(acme_root.email, "wrong" * 4)

    assert response.status_code == 200
    assert b"errornote" in response.content


def test_platform_owner_session_is_refused_on_a_tenant_host(owner_admin):
    client = _carry_cookie(owner_admin, "acme.localhost")

    assert not _is_logged_in(client)


def test_root_session_is_refused_on_another_tenant_host(acme_admin):
    client = _carry_cookie(acme_admin, "globex.localhost")

    assert not _is_logged_in(client)


def test_root_session_is_refused_on_the_platform_host(acme_admin):
    client = _carry_cookie(acme_admin, "localhost")

    assert not _is_logged_in(client)


def test_session_made_in_another_schema_is_refused_even_if_its_row_is_here(
    globex, globex_root
):
    # A session row copied into globex's table, naming globex's root, but
    # made in acme: only the schema it carries gives it away.
    with tenant_context(globex):
        session = SessionStore()
        session[SESSION_KEY] = str(globex_root.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.TenantRootBackend"
        session[HASH_SESSION_KEY] = globex_root.get_session_auth_hash()
        session[SESSION_SCHEMA_KEY] = "t_acme"
        session.create()
    client = AdminClient("globex.localhost")
    client.cookies["sessionid"] = session.session_key

    assert not _is_logged_in(client)


def test_same_session_with_its_own_schema_is_accepted(globex, globex_root):
    # The control for the test above: only the schema marker differs.
    with tenant_context(globex):
        session = SessionStore()
        session[SESSION_KEY] = str(globex_root.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.TenantRootBackend"
        session[HASH_SESSION_KEY] = globex_root.get_session_auth_hash()
        session[SESSION_SCHEMA_KEY] = "t_globex"
        session.create()
    client = AdminClient("globex.localhost")
    client.cookies["sessionid"] = session.session_key

    assert _is_logged_in(client)


def test_owner_row_is_not_loaded_from_a_tenant_session_table(acme, platform_owner):
    # Tenant schemas see `public` on their search path; the owner's backend
    # must still refuse to load the owner there.
    with tenant_context(acme):
        session = SessionStore()
        session[SESSION_KEY] = str(platform_owner.pk)
        session[BACKEND_SESSION_KEY] = "tenants.backends.PlatformOwnerBackend"
        session[HASH_SESSION_KEY] = platform_owner.get_session_auth_hash()
        session[SESSION_SCHEMA_KEY] = "t_acme"
        session.create()
    client = AdminClient("acme.localhost")
    client.cookies["sessionid"] = session.session_key

    assert not _is_logged_in(client)


def test_session_cookie_names_no_domain(acme_root):
    client = AdminClient("acme.localhost")

    response = client.log_in(acme_root.email)

    cookie = response.cookies["sessionid"]
    assert cookie["domain"] == ""
    assert cookie["httponly"]


def test_session_remembers_the_schema_it_was_made_in(acme_admin):
    with schema_context("t_acme"):
        session = SessionStore(session_key=acme_admin.cookies["sessionid"].value)
        assert session[SESSION_SCHEMA_KEY] == "t_acme"
    assert connection.schema_name == "public"


def test_admin_is_absent_on_the_platform_host_routed_to_a_tenant(acme_root):
    # /t/<slug>/ serves a tenant's API on the platform host; not its admin,
    # whose cookie would then belong to the platform host.
    client = AdminClient("localhost")

    response = client.get("/t/acme/admin/login/")

    assert response.status_code == 404


def test_admin_is_absent_when_a_bearer_token_routes_the_platform_host(
    acme_root_client, acme_root
):
    token = acme_root_client._credentials["HTTP_AUTHORIZATION"]
    client = AdminClient("localhost", HTTP_AUTHORIZATION=token)

    response = client.post(
        "/admin/login/", {"username": acme_root.email, "password": "x" * 20}
    )

    assert response.status_code == 404


def test_logged_in_owner_does_not_see_tenant_models(owner_admin):
    response = owner_admin.get("/admin/accounts/user/")

    assert response.status_code == 403


def test_logged_in_root_does_not_see_platform_models(acme_admin):
    response = acme_admin.get("/admin/tenants/tenant/")

    assert response.status_code == 403


def test_platform_index_lists_only_platform_models(owner_admin):
    content = owner_admin.get("/admin/").content.decode()

    assert "/admin/tenants/tenant/" in content
    assert "/admin/accounts/user/" not in content


def test_tenant_index_lists_only_tenant_models(acme_admin):
    content = acme_admin.get("/admin/").content.decode()

    assert "/admin/accounts/user/" in content
    assert "/admin/credentials/accesskey/" in content
    assert "/admin/tenants/tenant/" not in content


def test_root_changes_its_password_through_the_service(acme_admin, acme, acme_root):
    new_password = "another perfectly long passphrase"

    response = acme_admin.post(
        "/admin/password_change/",
        {
            "old_password": "a perfectly long test passphrase",
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )

    assert response.status_code == 302
    with tenant_context(acme):
        acme_root.refresh_from_db()
        assert acme_root.check_password(new_password)
        assert acme_root.password_changed_at is not None
    assert _is_logged_in(acme_admin)


def test_root_password_change_shows_the_service_refusal(acme_admin):
    response = acme_admin.post(
        "/admin/password_change/",
        {
            "old_password": "not the current password at all",
            "new_password1": "another perfectly long passphrase",
            "new_password2": "another perfectly long passphrase",
        },
    )

    assert response.status_code == 200
    assert "The current password is not correct." in response.content.decode()


def test_platform_owner_changes_its_password_and_its_tokens_end(
    owner_admin, owner_client, platform_owner
):
    new_password = "the owner's brand new passphrase"

    response = owner_admin.post(
        "/admin/password_change/",
        {
            "old_password": "a perfectly long test passphrase",
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )

    platform_owner.refresh_from_db()
    assert response.status_code == 302
    assert platform_owner.check_password(new_password)
    assert _is_logged_in(owner_admin)
    assert owner_client.call("GET", "/iam/tenants").status_code == 401


def test_platform_owner_password_change_needs_the_current_one(owner_admin):
    response = owner_admin.post(
        "/admin/password_change/",
        {
            "old_password": "not the current password at all",
            "new_password1": "the owner's brand new passphrase",
            "new_password2": "the owner's brand new passphrase",
        },
    )

    assert response.status_code == 200
    assert "The current password is not correct." in response.content.decode()


def test_admin_login_goes_through_the_one_login_function(acme_root, monkeypatch):
    from tenants import admin_site

    calls = []
    original = admin_site.authenticate_admin_login

    def spy(**kwargs):
        calls.append(kwargs["email"])
        return original(**kwargs)

    monkeypatch.setattr(admin_site, "authenticate_admin_login", spy)

    admin_login("acme.localhost", acme_root.email)

    assert calls == [acme_root.email]


def test_throttled_login_says_to_wait_instead_of_blaming_the_password(
    acme_root, monkeypatch
):
    from accounts import backends
    from iam_project.errors import TooManyAttemptsError

    def throttled(**kwargs):
        raise TooManyAttemptsError(60)

    monkeypatch.setattr(backends, "authenticate_password", throttled)

    response = AdminClient("acme.localhost").log_in(acme_root.email)

    assert response.status_code == 200
    assert TooManyAttemptsError.message in response.content.decode()


def test_admin_password_guessing_is_throttled_like_the_apis(acme_root, settings):
    settings.IAM_THROTTLE_ACCOUNT_ATTEMPTS = 3
    client = AdminClient("acme.localhost")
    for _ in range(3):
        client.log_in(acme_root.email, "wrong password, long enough")

    response = client.log_in(acme_root.email)

    assert response.status_code == 200
    assert "Too many attempts" in response.content.decode()
    assert not _is_logged_in(client)


def test_failed_admin_login_lands_in_the_tenants_audit_trail(acme, acme_root):
    AdminClient("acme.localhost").log_in(acme_root.email, "wrong password, long enough")

    with tenant_context(acme):
        outcomes = list(AuditEvent.objects.values_list("action", "outcome"))
    assert ("iam:Login", "failure") in outcomes
