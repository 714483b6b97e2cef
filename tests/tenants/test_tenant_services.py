import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import User
from credentials.models import SigningKey
from tenants import services
from tenants.exceptions import TenantExistsError, TenantInvalidError
from tenants.models import Domain, Tenant


def make(slug="initech", domain="initech.localhost", email="root@initech.test"):
    return services.create_tenant(
        slug=slug, name="Initech", domain=domain, root_email=email
    )


def test_create_tenant_makes_schema_domain_root_and_signing_key(db):
    tenant = make()

    assert tenant.schema_name == "t_initech"
    assert schema_exists("t_initech")
    assert Domain.objects.get(domain="initech.localhost").tenant == tenant
    with tenant_context(tenant):
        root = User.objects.get()
        assert root.is_root and root.email == "root@initech.test"
        assert not root.has_usable_password()
        assert not root.email_confirmed
        assert SigningKey.objects.count() == 1


def test_each_tenant_gets_its_own_signing_key(db, acme, globex):
    with tenant_context(acme):
        acme_kids = set(SigningKey.objects.values_list("kid", flat=True))
    with tenant_context(globex):
        globex_kids = set(SigningKey.objects.values_list("kid", flat=True))

    assert acme_kids and globex_kids and not acme_kids & globex_kids


def test_failed_root_creation_leaves_no_tenant_schema_or_domain(db, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr("accounts.services.create_user", explode)

    with pytest.raises(RuntimeError):
        make()

    assert not Tenant.objects.filter(slug="initech").exists()
    assert not Domain.objects.filter(domain="initech.localhost").exists()
    assert not schema_exists("t_initech")


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "ab",
        "Acme",
        "acme_corp",
        "-acme",
        "acme-",
        "a--b",
        "1acme",
        "public",
        "x" * 41,
        "acme;drop",
    ],
)
def test_bad_or_reserved_slugs_are_refused(db, slug):
    with pytest.raises(TenantInvalidError) as error:
        make(slug=slug)

    assert "slug" in error.value.details


def test_domain_must_be_a_host_name_and_not_the_platform_host(db):
    for domain in ["not a host", "localhost", "exa mple.test", "http://x.test"]:
        with pytest.raises(TenantInvalidError):
            make(domain=domain)


def test_duplicate_slug_or_domain_is_a_conflict(db, acme):
    with pytest.raises(TenantExistsError):
        make(slug="acme", domain="other.localhost")
    with pytest.raises(TenantExistsError):
        make(domain="acme.localhost")


def test_cloned_schema_accepts_new_rows_in_identity_columns(db):
    tenant = make()

    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now()) RETURNING id"
        )
        new_id = cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM django_migrations WHERE app <> 'x'")
        assert new_id > cursor.fetchone()[0]


def test_delete_tenant_drops_the_schema(db):
    make()

    call_command("delete_tenant", "initech", "--yes")

    assert not schema_exists("t_initech")
    assert not Tenant.objects.filter(slug="initech").exists()


def test_suspend_and_resume_commands_flip_the_flag(db, acme):
    call_command("suspend_tenant", "acme")
    assert not Tenant.objects.get(slug="acme").is_active

    call_command("resume_tenant", "acme")
    assert Tenant.objects.get(slug="acme").is_active
