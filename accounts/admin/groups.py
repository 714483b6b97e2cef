"""Groups, with their members and attached policies."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import Count

from accounts import group_services, policy_services
from accounts.admin.relations import sync_related
from accounts.models import Group, Policy, User
from tenants.admin_options import ServiceModelForm, TenantModelAdmin


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
        sync_related(
            current=list(group.members.all()),
            wanted=list(cleaned_data["members"]),
            add=lambda user: group_services.add_group_member(
                actor=actor, group=group, user=user
            ),
            remove=lambda user: group_services.remove_group_member(
                actor=actor, group=group, user=user
            ),
        )
        sync_related(
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
