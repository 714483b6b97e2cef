"""Root sees each email's delivery in its tenant's admin, and can send again."""

from django.contrib import admin

from notifications.models import Outbox
from notifications.services import resend_outbox_emails
from tenants.admin_options import TenantModelAdmin


@admin.register(Outbox)
class OutboxAdmin(TenantModelAdmin):
    list_display = [
        "template",
        "recipient",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "template", "created_at"]
    search_fields = ["recipient"]
    date_hierarchy = "created_at"
    fields = [
        "template",
        "recipient",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    # Rows are written by the services that send email; here they are read.
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected failed or skipped emails again")
    def send_again(self, request, queryset):
        count = resend_outbox_emails(emails=list(queryset))
        self.message_user(request, f"Emails queued again: {count}.")
