"""The outbox in the tenant admin: visible, never edited by hand."""

from django.contrib import admin

from notifications.admin import OutboxAdmin
from notifications.models import Outbox


def outbox_admin():
    return OutboxAdmin(Outbox, admin.site)


def test_outbox_rows_cannot_be_added_changed_or_deleted_in_the_admin(rf):
    request = rf.get("/admin/")

    assert not outbox_admin().has_add_permission(request)
    assert not outbox_admin().has_change_permission(request)
    assert not outbox_admin().has_delete_permission(request)


def test_outbox_is_hidden_in_the_platform_admin(db, rf):
    request = rf.get("/admin/")

    assert not outbox_admin().has_module_permission(request)
