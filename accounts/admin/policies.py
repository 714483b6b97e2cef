"""Policies: documents checked by the parser that evaluates them."""

import json

from django import forms
from django.contrib import admin

from accounts import policy_services
from accounts.models import Policy
from tenants.admin_options import ServiceModelForm, TenantModelAdmin


class PolicyDocumentField(forms.JSONField):
    """A JSON editor that shows the document indented, as people write it."""

    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class PolicyForm(ServiceModelForm):
    document = PolicyDocumentField(
        widget=forms.Textarea(
            attrs={"rows": 18, "cols": 80, "class": "vLargeTextField"}
        ),
        help_text=(
            'JSON: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
            '"Action": "iam:List*", "Resource": "*"}]}'
        ),
    )

    class Meta:
        model = Policy
        fields = ["name", "description", "document"]

    def call_service(self, cleaned_data):
        actor = self.request.user
        if self.instance.pk is None:
            return policy_services.create_policy(
                actor=actor,
                name=cleaned_data["name"],
                description=cleaned_data["description"],
                document=cleaned_data["document"],
            )
        return policy_services.update_policy(
            actor=actor,
            policy=self.instance,
            name=cleaned_data["name"],
            description=cleaned_data["description"],
            document=cleaned_data["document"],
        )


@admin.register(Policy)
class PolicyAdmin(TenantModelAdmin):
    form = PolicyForm
    list_display = ["name", "is_managed", "description", "created_at", "updated_at"]
    list_filter = ["is_managed", "created_at"]
    search_fields = ["name", "description"]
    allows_delete = True

    def get_fields(self, request, obj=None):
        fields = ["name", "description", "document"]
        return fields if obj is None else [*fields, "is_managed", "attached_to"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["is_managed", "attached_to"]

    def has_change_permission(self, request, obj=None):
        # Managed policies open read-only; the service refuses changes anyway.
        if obj is not None and obj.is_managed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_managed:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="attached to")
    def attached_to(self, policy):
        users = policy.users.order_by("email")
        groups = policy.groups.order_by("name")
        names = [
            *(f"user {u.email}" for u in users),
            *(f"group {g.name}" for g in groups),
        ]
        return ", ".join(names) or "-"

    def delete_with_service(self, request, obj):
        policy_services.delete_policy(actor=request.user, policy=obj)
