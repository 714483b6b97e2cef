"""The platform owner's admin: tenants, their hosts, suspension and resumption.

Tenants are created and changed only through tenants.services, as in the
API; nothing here drops a schema (that is an operator's command).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList

from tenants.admin_options import PlatformModelAdmin, ServiceModelForm
from tenants.models import Domain, Tenant
from tenants.selectors import count_users_by_schema, list_tenants
from tenants.services import add_domain, create_tenant, update_tenant


class TenantCreateForm(ServiceModelForm):
    domain = forms.CharField(
        max_length=253, help_text="The host this tenant is served on."
    )
    root_email = forms.EmailField(
        help_text="The root user; a welcome email with a set-password link goes here."
    )

    class Meta:
        model = Tenant
        fields = ["slug", "name"]

    def call_service(self, cleaned_data):
        return create_tenant(
            actor=self.request.user,
            slug=cleaned_data["slug"],
            name=cleaned_data["name"],
            domain=cleaned_data["domain"],
            root_email=cleaned_data["root_email"],
        )


class TenantChangeForm(ServiceModelForm):
    frontend_url = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text="Where this tenant's email links point; empty for its own pages.",
    )
    new_domain = forms.CharField(
        max_length=253,
        required=False,
        help_text="Also serve this tenant on this host.",
    )

    class Meta:
        model = Tenant
        fields = ["name", "is_active", "frontend_url"]

    def call_service(self, cleaned_data):
        tenant = update_tenant(
            actor=self.request.user,
            tenant=self.instance,
            name=cleaned_data["name"],
            is_active=cleaned_data["is_active"],
            frontend_url=cleaned_data["frontend_url"],
        )
        if cleaned_data["new_domain"]:
            add_domain(
                actor=self.request.user,
                tenant=tenant,
                domain=cleaned_data["new_domain"],
            )
        return tenant


class DomainInline(admin.TabularInline):
    model = Domain
    fields = ["domain", "is_primary"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)


class TenantChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        # One query for the whole page, whatever its length (see the selector).
        tenants = list(self.result_list)
        counts = count_users_by_schema([tenant.schema_name for tenant in tenants])
        for tenant in tenants:
            tenant.user_count = counts.get(tenant.schema_name)


@admin.register(Tenant)
class TenantAdmin(PlatformModelAdmin):
    list_display = [
        "slug",
        "name",
        "domain_list",
        "is_active",
        "user_count",
        "created_at",
    ]
    list_filter = ["is_active", "created_at"]
    search_fields = ["slug", "name", "domains__domain"]
    ordering = ["slug"]
    actions = ["suspend", "resume"]
    inlines = [DomainInline]

    def get_queryset(self, request):
        return list_tenants()

    def get_changelist(self, request, **kwargs):
        return TenantChangeList

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = TenantCreateForm if obj is None else TenantChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["slug", "name", "domain", "root_email"]
        return [
            "slug",
            "schema_name",
            "name",
            "is_active",
            "frontend_url",
            "new_domain",
            "created_at",
            "updated_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["slug", "schema_name", "created_at", "updated_at"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(description="domains")
    def domain_list(self, tenant):
        return ", ".join(domain.domain for domain in tenant.domains.all())

    @admin.display(description="users")
    def user_count(self, tenant):
        return getattr(tenant, "user_count", None)

    @admin.action(description="Suspend the selected tenants")
    def suspend(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda tenant: update_tenant(
                actor=request.user, tenant=tenant, is_active=False
            ),
            done="Tenants suspended",
        )

    @admin.action(description="Resume the selected tenants")
    def resume(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda tenant: update_tenant(
                actor=request.user, tenant=tenant, is_active=True
            ),
            done="Tenants resumed",
        )
