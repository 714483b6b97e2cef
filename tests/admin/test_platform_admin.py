"""The platform owner's admin: tenants created, listed, suspended; never dropped."""

from django.core import mail
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import User
from audit.models import AuditEvent
from notifications.models import Outbox
from tenants.models import Tenant
from tests.admin.conftest import AdminClient
from tests.conftest import make_user

TENANTS = "/admin/tenants/tenant/"


def _new_tenant_form(**overrides):
    return {
        "slug": "initech",
        "name": "Initech",
        "domain": "initech.localhost",
        "root_email": "root@initech.test",
        **overrides,
    }


def _errors(response) -> str:
    return response.content.decode()


def test_tenant_list_shows_domains_and_user_counts(owner_admin, acme):
    make_user(acme, email="alice@acme.test")
    make_user(acme, email="bob@acme.test")

    response = owner_admin.get(TENANTS)

    counts = {t.slug: t.user_count for t in response.context["cl"].result_list}
    assert counts == {"acme": 3, "globex": 1}
    assert "acme.localhost" in response.content.decode()


def test_tenant_list_searches_by_domain(owner_admin):
    response = owner_admin.get(TENANTS, {"q": "globex.localhost"})

    assert [t.slug for t in response.context["cl"].result_list] == ["globex"]


def test_tenant_list_filters_by_status(owner_admin, acme):
    Tenant.objects.filter(pk=acme.pk).update(is_active=False)

    response = owner_admin.get(TENANTS, {"is_active__exact": "0"})

    assert [t.slug for t in response.context["cl"].result_list] == ["acme"]


def test_creating_a_tenant_makes_its_schema_root_and_welcome_email(
    owner_admin, django_capture_on_commit_callbacks
):
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_admin.post(f"{TENANTS}add/", _new_tenant_form())

    assert response.status_code == 302, _errors(response)
    tenant = Tenant.objects.get(slug="initech")
    assert schema_exists(tenant.schema_name)
    with tenant_context(tenant):
        root = User.objects.get(is_root=True)
        assert root.email == "root@initech.test"
        assert Outbox.objects.filter(template="welcome").count() == 1
    assert [message.to for message in mail.outbox] == [["root@initech.test"]]


def test_reserved_slug_is_shown_as_a_form_error(owner_admin):
    response = owner_admin.post(f"{TENANTS}add/", _new_tenant_form(slug="admin"))

    assert response.status_code == 200
    assert "This slug is reserved." in _errors(response)
    assert not Tenant.objects.filter(slug="admin").exists()


def test_taken_domain_is_shown_as_a_form_error(owner_admin):
    response = owner_admin.post(
        f"{TENANTS}add/", _new_tenant_form(domain="acme.localhost")
    )

    assert response.status_code == 200
    assert "A tenant with this slug or domain already exists." in _errors(response)
    assert not Tenant.objects.filter(slug="initech").exists()


def test_suspend_action_suspends_through_the_service(owner_admin, acme):
    AdminClient("acme.localhost").get("/admin/login/")  # caches the host

    owner_admin.post(
        TENANTS, {"action": "suspend", "_selected_action": [acme.pk]}, follow=True
    )

    acme.refresh_from_db()
    assert not acme.is_active
    assert AdminClient("acme.localhost").get("/admin/login/").status_code == 403


def test_resume_action_resumes_a_suspended_tenant(owner_admin, acme):
    Tenant.objects.filter(pk=acme.pk).update(is_active=False)

    owner_admin.post(TENANTS, {"action": "resume", "_selected_action": [acme.pk]})

    acme.refresh_from_db()
    assert acme.is_active


def test_change_form_renames_and_adds_a_domain(owner_admin, acme):
    response = owner_admin.post(
        f"{TENANTS}{acme.pk}/change/",
        {
            "name": "Acme Renamed",
            "is_active": "on",
            "frontend_url": "",
            "new_domain": "acme-two.localhost",
            "domains-TOTAL_FORMS": "1",
            "domains-INITIAL_FORMS": "1",
        },
    )

    assert response.status_code == 302, _errors(response)
    acme.refresh_from_db()
    assert acme.name == "Acme Renamed"
    assert set(acme.domains.values_list("domain", flat=True)) == {
        "acme.localhost",
        "acme-two.localhost",
    }


def test_refused_domain_keeps_the_rename_out_too(owner_admin, acme):
    response = owner_admin.post(
        f"{TENANTS}{acme.pk}/change/",
        {
            "name": "Acme Renamed",
            "is_active": "on",
            "frontend_url": "",
            "new_domain": "globex.localhost",
            "domains-TOTAL_FORMS": "1",
            "domains-INITIAL_FORMS": "1",
        },
    )

    assert response.status_code == 200
    assert "This domain is already in use." in _errors(response)
    acme.refresh_from_db()
    assert acme.name == "Acme Corp"


def test_tenant_cannot_be_deleted_from_the_admin(owner_admin, acme):
    response = owner_admin.get(f"{TENANTS}{acme.pk}/delete/")

    assert response.status_code == 403
    assert schema_exists(acme.schema_name)


def test_tenant_list_offers_no_delete_action(owner_admin):
    response = owner_admin.get(TENANTS)

    actions = [
        name for name, _ in response.context["action_form"].fields["action"].choices
    ]
    assert "delete_selected" not in actions
    assert {"suspend", "resume"} <= set(actions)


def test_platform_admin_has_no_history_page(owner_admin, acme):
    response = owner_admin.get(f"{TENANTS}{acme.pk}/history/")

    assert response.status_code == 404


def test_suspension_in_the_admin_is_in_the_tenants_audit_trail(
    owner_admin, acme, platform_owner
):
    owner_admin.post(TENANTS, {"action": "suspend", "_selected_action": [acme.pk]})

    with tenant_context(acme):
        event = AuditEvent.objects.get(action="iam:UpdateTenant")
    assert (event.actor, event.credential) == (platform_owner.urn, "admin")
