"""Users: create (welcome email), change, deactivate, reset, delete."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts import policy_services
from accounts.admin.relations import sync_related
from accounts.models import Policy, User
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


class UserCreateForm(ServiceModelForm):
    class Meta:
        model = User
        fields = ["email", "name"]

    def call_service(self, cleaned_data):
        return create_user(
            actor=self.request.user,
            email=cleaned_data["email"],
            name=cleaned_data["name"],
        )


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
        sync_related(
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
