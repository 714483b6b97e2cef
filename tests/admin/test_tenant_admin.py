"""Root's admin of its tenant: every write through the API's services."""

from django_tenants.utils import schema_context, tenant_context

from accounts.models import Group, Policy, User
from audit.models import AuditEvent
from credentials import access_keys
from credentials.models import AccessKey
from notifications.models import Outbox
from tenants.models import AccessKeyIndex
from tests.conftest import make_user

USERS = "/admin/accounts/user/"
KEYS = "/admin/credentials/accesskey/"
POLICIES = "/admin/accounts/policy/"
GROUPS = "/admin/accounts/group/"


def _text(response) -> str:
    return response.content.decode()


def _outbox(tenant, template):
    """Recipients of this template, leaving out root's welcome from set-up."""
    with tenant_context(tenant):
        emails = Outbox.objects.filter(template=template).exclude(
            recipient__startswith="root@"
        )
        return list(emails.values_list("recipient", flat=True))


def _user_form(user, **overrides):
    return {
        "email": user.email,
        "name": user.name,
        "is_active": "on" if user.is_active else "",
        "access_keys-TOTAL_FORMS": "0",
        "access_keys-INITIAL_FORMS": "0",
        **overrides,
    }


# --- Users -------------------------------------------------------------------


def test_creating_a_user_queues_the_welcome_email(acme_admin, acme):
    response = acme_admin.post(
        f"{USERS}add/", {"email": "carol@acme.test", "name": "Carol"}
    )

    assert response.status_code == 302, _text(response)
    with tenant_context(acme):
        carol = User.objects.get(email="carol@acme.test")
        assert not carol.has_usable_password()
    assert _outbox(acme, "welcome") == ["carol@acme.test"]


def test_taken_email_is_shown_as_a_form_error(acme_admin, acme):
    make_user(acme, email="alice@acme.test")

    response = acme_admin.post(f"{USERS}add/", {"email": "ALICE@acme.test"})

    assert response.status_code == 200
    assert "A user with this email already exists." in _text(response)


def test_user_list_shows_only_this_tenants_users(acme_admin, acme, globex):
    make_user(acme, email="alice@acme.test")
    make_user(globex, email="gina@globex.test")

    response = acme_admin.get(USERS)

    emails = {user.email for user in response.context["cl"].result_list}
    assert emails == {"root@acme.test", "alice@acme.test"}


def test_user_of_another_tenant_cannot_be_opened(acme_admin, globex):
    gina = make_user(globex, email="gina@globex.test")

    response = acme_admin.get(f"{USERS}{gina.pk}/change/", follow=True)

    assert "gina@globex.test" not in _text(response)


def test_user_list_searches_by_email(acme_admin, acme):
    make_user(acme, email="alice@acme.test")
    make_user(acme, email="bob@acme.test")

    response = acme_admin.get(USERS, {"q": "bob@"})

    assert [u.email for u in response.context["cl"].result_list] == ["bob@acme.test"]


def test_user_list_filters_by_status(acme_admin, acme):
    make_user(acme, email="alice@acme.test", is_active=False)

    response = acme_admin.get(USERS, {"is_active__exact": "0"})

    assert [u.email for u in response.context["cl"].result_list] == ["alice@acme.test"]


def test_changing_the_email_leaves_it_pending_and_mails_a_confirmation(
    acme_admin, acme
):
    alice = make_user(acme, email="alice@acme.test")

    response = acme_admin.post(
        f"{USERS}{alice.pk}/change/", _user_form(alice, email="alice@new.test")
    )

    assert response.status_code == 302, _text(response)
    with tenant_context(acme):
        alice.refresh_from_db()
    assert (alice.email, alice.unconfirmed_email) == (
        "alice@acme.test",
        "alice@new.test",
    )
    assert _outbox(acme, "confirm_email") == ["alice@new.test"]


def test_saving_a_user_without_editing_the_email_keeps_a_pending_change(
    acme_admin, acme
):
    alice = make_user(acme, email="alice@acme.test", unconfirmed_email="a@new.test")

    acme_admin.post(f"{USERS}{alice.pk}/change/", _user_form(alice, name="Alice"))

    with tenant_context(acme):
        alice.refresh_from_db()
    assert (alice.name, alice.unconfirmed_email) == ("Alice", "a@new.test")


def test_deactivating_root_in_the_form_is_refused(acme_admin, acme, acme_root):
    response = acme_admin.post(
        f"{USERS}{acme_root.pk}/change/", _user_form(acme_root, is_active="")
    )

    assert response.status_code == 200
    assert "The root user cannot be deleted or deactivated." in _text(response)


def test_resend_welcome_goes_to_users_without_a_password(acme_admin, acme):
    waiting = make_user(acme, email="new@acme.test", confirmed=False)
    with tenant_context(acme):
        waiting.set_unusable_password()
        waiting.save()
    settled = make_user(acme, email="settled@acme.test")

    acme_admin.post(
        USERS,
        {"action": "resend_welcome", "_selected_action": [waiting.pk, settled.pk]},
    )

    assert _outbox(acme, "welcome") == ["new@acme.test"]


def test_send_reset_action_queues_a_reset_email(acme_admin, acme):
    alice = make_user(acme, email="alice@acme.test")

    acme_admin.post(
        USERS, {"action": "send_password_reset", "_selected_action": [alice.pk]}
    )

    assert _outbox(acme, "password_reset") == ["alice@acme.test"]


def test_deactivate_action_deactivates_users_but_not_root(acme_admin, acme, acme_root):
    alice = make_user(acme, email="alice@acme.test")

    response = acme_admin.post(
        USERS,
        {"action": "deactivate", "_selected_action": [alice.pk, acme_root.pk]},
        follow=True,
    )

    with tenant_context(acme):
        alice.refresh_from_db()
        acme_root.refresh_from_db()
    assert not alice.is_active
    assert acme_root.is_active
    assert "The root user cannot be deleted or deactivated." in _text(response)


def test_deleting_root_is_refused_with_a_message(acme_admin, acme, acme_root):
    response = acme_admin.post(
        f"{USERS}{acme_root.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert "The root user cannot be deleted or deactivated." in _text(response)
    with tenant_context(acme):
        assert User.objects.filter(pk=acme_root.pk).exists()


def test_deleting_a_user_removes_its_keys_from_the_public_index(acme_admin, acme):
    alice = make_user(acme, email="alice@acme.test")
    with tenant_context(acme):
        key, _ = access_keys.create_access_key(user=alice)

    response = acme_admin.post(f"{USERS}{alice.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    with schema_context("public"):
        assert not AccessKeyIndex.objects.filter(pk=key.access_key_id).exists()


def test_attaching_a_policy_to_a_user_on_its_page(acme_admin, acme):
    alice = make_user(acme, email="alice@acme.test")
    with tenant_context(acme):
        policy = Policy.objects.get(name="IamReadOnlyAccess")

    acme_admin.post(
        f"{USERS}{alice.pk}/change/", _user_form(alice, policies=[policy.pk])
    )

    with tenant_context(acme):
        assert list(alice.attached_policies.all()) == [policy]


# --- Access keys -------------------------------------------------------------


def test_creating_an_access_key_shows_its_secret_once(acme_admin, acme):
    alice = make_user(acme, email="alice@acme.test")

    response = acme_admin.post(f"{KEYS}add/", {"user": alice.pk})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    key = response.context["key"]
    assert secret in _text(response)
    with tenant_context(acme):
        user, _ = access_keys.authenticate_access_key(
            access_key_id=key.access_key_id, secret=secret
        )
    assert user.pk == alice.pk

    later = acme_admin.get(f"{KEYS}{key.pk}/change/")

    assert later.status_code == 200
    assert secret not in _text(later)
    assert key.secret_hash not in _text(later)


def test_access_key_list_shows_status_and_last_use_never_the_hash(acme_admin, acme):
    alice = make_user(acme, email="alice@acme.test")
    with tenant_context(acme):
        key, _ = access_keys.create_access_key(user=alice)

    response = acme_admin.get(KEYS)

    text = _text(response)
    assert key.access_key_id in text
    assert "last used at" in text.lower()
    assert key.secret_hash not in text


def test_access_key_limit_is_shown_as_a_form_error(acme_admin, acme):
    alice = make_user(acme, email="alice@acme.test")
    with tenant_context(acme):
        access_keys.create_access_key(user=alice)
        access_keys.create_access_key(user=alice)

    response = acme_admin.post(f"{KEYS}add/", {"user": alice.pk})

    assert response.status_code == 200
    assert "secret" not in response.context
    with tenant_context(acme):
        assert AccessKey.objects.filter(user=alice).count() == 2


def test_deactivate_key_action_uses_the_service(acme_admin, acme):
    alice = make_user(acme, email="alice@acme.test")
    with tenant_context(acme):
        key, secret = access_keys.create_access_key(user=alice)

    acme_admin.post(KEYS, {"action": "deactivate", "_selected_action": [key.pk]})

    with tenant_context(acme):
        key.refresh_from_db()
    assert key.status == AccessKey.Status.INACTIVE


def test_deleting_a_key_removes_its_public_index_row(acme_admin, acme):
    alice = make_user(acme, email="alice@acme.test")
    with tenant_context(acme):
        key, _ = access_keys.create_access_key(user=alice)

    acme_admin.post(f"{KEYS}{key.pk}/delete/", {"post": "yes"})

    with schema_context("public"):
        assert not AccessKeyIndex.objects.filter(pk=key.access_key_id).exists()


# --- Policies and groups -----------------------------------------------------


def test_invalid_policy_document_is_shown_on_the_document_field(acme_admin, acme):
    document = '{"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}'

    response = acme_admin.post(
        f"{POLICIES}add/", {"name": "odd", "description": "", "document": document}
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Statement[0]" in " ".join(errors["document"])
    with tenant_context(acme):
        assert not Policy.objects.filter(name="odd").exists()


def test_valid_policy_is_created_through_the_service(acme_admin, acme):
    document = (
        '{"Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}'
    )

    response = acme_admin.post(
        f"{POLICIES}add/", {"name": "reader", "description": "", "document": document}
    )

    assert response.status_code == 302, _text(response)
    with tenant_context(acme):
        assert Policy.objects.get(name="reader").document["Statement"][0]["Action"] == (
            "s3:Get*"
        )


def test_managed_policy_cannot_be_changed(acme_admin, acme):
    with tenant_context(acme):
        managed = Policy.objects.get(name="AdministratorAccess")

    response = acme_admin.post(
        f"{POLICIES}{managed.pk}/change/",
        {"name": "Mine", "description": "", "document": "{}"},
    )

    assert response.status_code == 403


def test_group_is_created_with_members_and_policies(acme_admin, acme):
    alice = make_user(acme, email="alice@acme.test")
    with tenant_context(acme):
        policy = Policy.objects.get(name="IamReadOnlyAccess")

    response = acme_admin.post(
        f"{GROUPS}add/",
        {"name": "readers", "members": [alice.pk], "policies": [policy.pk]},
    )

    assert response.status_code == 302, _text(response)
    with tenant_context(acme):
        group = Group.objects.get(name="readers")
        assert list(group.members.all()) == [alice]
        assert list(group.policies.all()) == [policy]


def test_group_change_removes_a_member(acme_admin, acme):
    alice = make_user(acme, email="alice@acme.test")
    bob = make_user(acme, email="bob@acme.test")
    with tenant_context(acme):
        group = Group.objects.create(name="team")
        group.memberships.create(user=alice)
        group.memberships.create(user=bob)

    acme_admin.post(
        f"{GROUPS}{group.pk}/change/", {"name": "team", "members": [bob.pk]}
    )

    with tenant_context(acme):
        assert list(group.members.all()) == [bob]


# --- Read-only pages ---------------------------------------------------------


def test_outbox_is_read_only(acme_admin, acme):
    response = acme_admin.get("/admin/notifications/outbox/add/")

    assert response.status_code == 403


def test_audit_events_are_listed_read_only(acme_admin, acme):
    with tenant_context(acme):
        event = AuditEvent.objects.create(
            actor="urn:iam:acme:user/x", action="iam:CreateUser", outcome="success"
        )

    listing = acme_admin.get("/admin/audit/auditevent/")
    change = acme_admin.post(f"/admin/audit/auditevent/{event.pk}/change/", {})

    assert "iam:CreateUser" in _text(listing)
    assert change.status_code == 403


def test_admin_changes_are_audited_as_admin_changes_by_root(
    acme_admin, acme, acme_root
):
    acme_admin.post(f"{USERS}add/", {"email": "carol@acme.test", "name": ""})

    with tenant_context(acme):
        event = AuditEvent.objects.get(action="iam:CreateUser", actor=acme_root.urn)
    assert event.credential == "admin"
