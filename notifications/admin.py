"""Root sees each email's delivery in its tenant's admin, and can send again."""

from django.contrib import admin, messages
from django.db import connection
from django_tenants.utils import get_public_schema_name

from notifications import services
from notifications.models import Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "template",
        "recipient",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "template"]
    search_fields = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Outbox._meta.fields]
    actions = ["send_again"]

    def _in_tenant(self, request) -> bool:
        # The outbox lives only in tenant schemas; the platform host has none.
        return connection.schema_name != get_public_schema_name() and (
            self.admin_site.has_permission(request)
        )

    def has_module_permission(self, request):
        return self._in_tenant(request)

    def has_view_permission(self, request, obj=None):
        return self._in_tenant(request)

    # Rows are written by the services that send email, never by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected emails again")
    def send_again(self, request, queryset):
        count = services.resend_outbox_emails(emails=queryset)
        self.message_user(request, f"{count} email(s) queued again.", messages.INFO)
