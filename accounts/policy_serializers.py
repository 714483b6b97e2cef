"""Input and output shapes of policies, groups and /iam/authorize."""

from rest_framework import serializers

from accounts.models import Group, Policy, User
from accounts.policy_eval import MAX_ACTION_LENGTH, MAX_RESOURCE_LENGTH
from iam_project.serializers import StrictSerializer


class PolicySerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)

    class Meta:
        model = Policy
        fields = [
            "id",
            "urn",
            "name",
            "description",
            "document",
            "is_managed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PolicySummarySerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)

    class Meta:
        model = Policy
        fields = ["id", "urn", "name", "is_managed"]
        read_only_fields = fields


class PolicyCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=128)
    description = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )
    # The document's grammar is checked by the service, with the evaluator.
    document = serializers.JSONField()


class PolicyUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=128, required=False)
    description = serializers.CharField(
        max_length=1000, required=False, allow_blank=True
    )
    document = serializers.JSONField(required=False)


class MemberSerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "urn", "email", "name"]
        read_only_fields = fields


class GroupSerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)

    class Meta:
        model = Group
        fields = ["id", "urn", "name", "created_at", "updated_at"]
        read_only_fields = fields


class GroupDetailSerializer(GroupSerializer):
    # FIXME: members are listed whole; a group of many thousands of users
    # needs a paginated members call before this response grows too large.
    members = MemberSerializer(many=True, read_only=True)
    policies = PolicySummarySerializer(many=True, read_only=True)

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "members", "policies"]
        read_only_fields = fields


class GroupWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=128)


class AuthorizeRequestSerializer(StrictSerializer):
    # Untrimmed: the answer is about exactly the strings a service will use.
    action = serializers.CharField(max_length=MAX_ACTION_LENGTH, trim_whitespace=False)
    resource = serializers.CharField(
        max_length=MAX_RESOURCE_LENGTH, trim_whitespace=False
    )
    principal = serializers.CharField(max_length=200, required=False)


class AuthorizeResultSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    decision = serializers.ChoiceField(
        choices=["allow", "explicit_deny", "implicit_deny"]
    )
    sid = serializers.CharField(allow_null=True)
    policy = serializers.CharField(allow_null=True)
