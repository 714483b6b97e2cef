"""Root's admin of access keys: create (secret shown once), (de)activate, delete.

Keys are written only through credentials.access_keys, as in the API. The
secret exists in one response, the one that answers the creation; the hash
is never shown.
"""

from django.contrib import admin
from django.template.response import TemplateResponse

from credentials import access_keys
from credentials.models import AccessKey
from tenants.admin_options import ServiceModelForm, TenantModelAdmin


class AccessKeyCreateForm(ServiceModelForm):
    class Meta:
        model = AccessKey
        fields = ["user"]

    def call_service(self, cleaned_data):
        key, secret = access_keys.create_access_key(
            actor=self.request.user, user=cleaned_data["user"]
        )
        # Held on this in-memory instance only, for response_add to show.
        key.one_time_secret = secret
        return key


class AccessKeyChangeForm(ServiceModelForm):
    class Meta:
        model = AccessKey
        fields = ["status"]

    def call_service(self, cleaned_data):
        return access_keys.update_access_key(
            actor=self.request.user, key=self.instance, status=cleaned_data["status"]
        )


@admin.register(AccessKey)
class AccessKeyAdmin(TenantModelAdmin):
    list_display = ["access_key_id", "user", "status", "created_at", "last_used_at"]
    list_select_related = ["user"]
    list_filter = ["status", "created_at", "last_used_at"]
    search_fields = ["access_key_id", "user__email"]
    autocomplete_fields = ["user"]
    actions = ["activate", "deactivate"]
    allows_delete = True

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = AccessKeyCreateForm if obj is None else AccessKeyChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        # secret_hash is never among them.
        if obj is None:
            return ["user"]
        return [
            "access_key_id",
            "user",
            "status",
            "created_at",
            "updated_at",
            "last_used_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["access_key_id", "user", "created_at", "updated_at", "last_used_at"]

    def response_add(self, request, obj, post_url_continue=None):
        # The secret is rendered into this response and kept nowhere else:
        # not in the session, a message cookie or the database (which holds
        # only its HMAC). Reloading the page cannot show it again.
        response = TemplateResponse(
            request,
            "admin/credentials/accesskey/created.html",
            {
                **self.admin_site.each_context(request),
                "title": "Access key created",
                "opts": self.opts,
                "key": obj,
                "secret": obj.one_time_secret,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    def delete_with_service(self, request, obj):
        access_keys.delete_access_key(actor=request.user, key=obj)

    @admin.action(description="Activate the selected keys")
    def activate(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda key: access_keys.update_access_key(
                actor=request.user, key=key, status=AccessKey.Status.ACTIVE
            ),
            done="Keys activated",
        )

    @admin.action(description="Deactivate the selected keys")
    def deactivate(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda key: access_keys.update_access_key(
                actor=request.user, key=key, status=AccessKey.Status.INACTIVE
            ),
            done="Keys deactivated",
        )
