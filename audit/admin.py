"""Root's read-only view of its tenant's audit trail."""

from django.contrib import admin

from audit.models import AuditEvent
from tenants.admin_options import TenantModelAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(TenantModelAdmin):
    list_display = [
        "occurred_at",
        "actor",
        "action",
        "target",
        "outcome",
        "client_ip",
    ]
    list_filter = ["outcome", "credential", "occurred_at"]
    search_fields = ["actor", "action", "target", "access_key_id", "request_id"]
    date_hierarchy = "occurred_at"
    readonly_fields = [
        "occurred_at",
        "actor",
        "credential",
        "access_key_id",
        "impersonator",
        "reason",
        "action",
        "target",
        "outcome",
        "client_ip",
        "user_agent",
        "request_id",
        "details",
    ]
    fields = readonly_fields

    # The trail is evidence: nobody adds, edits or deletes events here.
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
