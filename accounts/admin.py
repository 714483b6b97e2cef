"""Root's admin of its tenant: users, groups and policies.

Every write calls the service the API calls (accounts.services,
accounts.group_services, accounts.policy_services) with root as the actor.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.models import Group as AuthGroup
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts import group_services, policy_services
from accounts.models import Group, Policy, User
from accounts.services import (
    create_user,
    delete_user,
    request_password_reset,
    update_user,
)
from credentials.models import AccessKey
from notifications.services import send_welcome_email
from tenants.admin_options import (
    ReadOnlyTenantInline,
    ServiceModelForm,
    TenantModelAdmin,
)

# Django's permission groups mean nothing here; IAM groups are accounts.Group.
if admin.site.is_registered(AuthGroup):
    admin.site.unregister(AuthGroup)


def _sync(*, current, wanted, add, remove) -> None:
    """Call add() for each new item and remove() for each dropped one."""
    current_ids = {item.pk for item in current}
    wanted_ids = {item.pk for item in wanted}
    for item in wanted:
        if item.pk not in current_ids:
            add(item)
    for item in current:
        if item.pk not in wanted_ids:
            remove(item)


# --- Users -------------------------------------------------------------------


class UserCreateForm(ServiceModelForm):
    class Meta:
        model = User
        fields = ["email", "name"]

    def call_service(self, cleaned_data):
        return create_user(email=cleaned_data["email"], name=cleaned_data["name"])


class UserChangeForm(ServiceModelForm):
    policies = forms.ModelMultipleChoiceField(
        queryset=Policy.objects.all(),
        required=False,
        widget=FilteredSelectMultiple("policies", is_stacked=False),
        help_text="Policies attached to this user directly.",
    )

    class Meta:
        model = User
        fields = ["email", "name", "is_active"]
        help_texts = {
            "email": "A new address stays pending until its owner confirms it.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policies"].initial = list(self.instance.attached_policies.all())

    def call_service(self, cleaned_data):
        actor = self.request.user
        # The email is passed only when edited: sending the current address
        # again would cancel a pending change.
        email = cleaned_data["email"] if "email" in self.changed_data else None
        user = update_user(
            actor=actor,
            user=self.instance,
            name=cleaned_data["name"],
            email=email,
            is_active=cleaned_data["is_active"],
        )
        _sync(
            current=list(user.attached_policies.all()),
            wanted=list(cleaned_data["policies"]),
            add=lambda policy: policy_services.attach_user_policy(
                actor=actor, user=user, policy=policy
            ),
            remove=lambda policy: policy_services.detach_user_policy(
                actor=actor, user=user, policy=policy
            ),
        )
        return user


class AccessKeyInline(ReadOnlyTenantInline):
    model = AccessKey
    fields = ["access_key_id", "status", "created_at", "last_used_at"]
    readonly_fields = fields
    verbose_name_plural = "access keys"


@admin.register(User)
class UserAdmin(TenantModelAdmin):
    list_display = [
        "email",
        "name",
        "is_root",
        "is_active",
        "email_confirmed",
        "created_at",
        "last_login_at",
    ]
    list_filter = ["is_active", "email_confirmed", "is_root", "created_at"]
    search_fields = ["email", "unconfirmed_email", "name"]
    ordering = ["email"]
    actions = ["resend_welcome", "send_password_reset", "deactivate"]
    allows_delete = True

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = UserCreateForm if obj is None else UserChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["email", "name"]
        return [
            "email",
            "unconfirmed_email",
            "name",
            "is_active",
            "is_root",
            "email_confirmed",
            "policies",
            "group_list",
            "new_access_key",
            "created_at",
            "last_login_at",
            "password_changed_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "unconfirmed_email",
            "is_root",
            "email_confirmed",
            "group_list",
            "new_access_key",
            "created_at",
            "last_login_at",
            "password_changed_at",
        ]

    def get_inlines(self, request, obj):
        return [AccessKeyInline] if obj is not None else []

    @admin.display(description="groups")
    def group_list(self, user):
        groups = user.iam_groups.order_by("name")
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (
                        reverse("admin:accounts_group_change", args=[group.pk]),
                        group.name,
                    )
                    for group in groups
                ),
            )
            or "-"
        )

    @admin.display(description="access keys")
    def new_access_key(self, user):
        url = reverse("admin:credentials_accesskey_add")
        return format_html(
            '<a class="button" href="{}?user={}">Create an access key</a>',
            url,
            user.pk,
        )

    def delete_with_service(self, request, obj):
        delete_user(actor=request.user, user=obj)

    @admin.action(description="Resend the welcome email")
    def resend_welcome(self, request, queryset):
        # The welcome sets a first password; once one is set, a reset is the
        # email that fits, and it is offered as its own action.
        waiting = [
            user
            for user in queryset
            if user.is_active and not user.has_usable_password()
        ]
        if len(waiting) < len(queryset):
            self.message_user(
                request,
                "Not sent to users who have set a password or are inactive.",
                messages.WARNING,
            )
        self.run_for_each(
            request,
            waiting,
            lambda user: send_welcome_email(user=user),
            done="Welcome emails queued",
        )

    @admin.action(description="Send a password reset email")
    def send_password_reset(self, request, queryset):
        self.run_for_each(
            request,
            queryset.filter(is_active=True),
            lambda user: request_password_reset(email=user.email),
            done="Password reset emails queued",
        )

    @admin.action(description="Deactivate the selected users")
    def deactivate(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda user: update_user(actor=request.user, user=user, is_active=False),
            done="Users deactivated",
        )


# --- Policies ----------------------------------------------------------------


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


# --- Groups ------------------------------------------------------------------


class GroupForm(ServiceModelForm):
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.order_by("email"),
        required=False,
        widget=FilteredSelectMultiple("members", is_stacked=False),
    )
    policies = forms.ModelMultipleChoiceField(
        queryset=Policy.objects.order_by("name"),
        required=False,
        widget=FilteredSelectMultiple("policies", is_stacked=False),
    )

    class Meta:
        model = Group
        fields = ["name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["members"].initial = list(self.instance.members.all())
            self.fields["policies"].initial = list(self.instance.policies.all())

    def call_service(self, cleaned_data):
        actor = self.request.user
        if self.instance.pk is None:
            group = group_services.create_group(actor=actor, name=cleaned_data["name"])
        else:
            group = group_services.update_group(
                actor=actor, group=self.instance, name=cleaned_data["name"]
            )
        _sync(
            current=list(group.members.all()),
            wanted=list(cleaned_data["members"]),
            add=lambda user: group_services.add_group_member(
                actor=actor, group=group, user=user
            ),
            remove=lambda user: group_services.remove_group_member(
                actor=actor, group=group, user=user
            ),
        )
        _sync(
            current=list(group.policies.all()),
            wanted=list(cleaned_data["policies"]),
            add=lambda policy: policy_services.attach_group_policy(
                actor=actor, group=group, policy=policy
            ),
            remove=lambda policy: policy_services.detach_group_policy(
                actor=actor, group=group, policy=policy
            ),
        )
        return group


@admin.register(Group)
class GroupAdmin(TenantModelAdmin):
    form = GroupForm
    list_display = ["name", "member_count", "policy_count", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name"]
    allows_delete = True

    def get_fields(self, request, obj=None):
        # Not the class attribute: Django's checks refuse through-model
        # relations there, though these are form fields saved by services.
        return ["name", "members", "policies"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count("memberships", distinct=True),
                policy_total=Count("policy_attachments", distinct=True),
            )
        )

    @admin.display(description="members", ordering="member_total")
    def member_count(self, group):
        return group.member_total

    @admin.display(description="policies", ordering="policy_total")
    def policy_count(self, group):
        return group.policy_total

    def delete_with_service(self, request, obj):
        group_services.delete_group(actor=request.user, group=obj)
