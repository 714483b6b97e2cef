"""Policies, groups, attachments and the authorization simulator.

Every call is checked by `authorize()` against the URN of the object it
touches, before the object is loaded: a caller without the right gets 403
whether or not the id exists, so ids cannot be probed.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import group_services, policy_services, selectors
from accounts.authorization import (
    authorize,
    decide,
    object_urn,
    parse_principal_urn,
    tenant_urn,
)
from accounts.policy_serializers import (
    AuthorizeRequestSerializer,
    AuthorizeResultSerializer,
    GroupDetailSerializer,
    GroupSerializer,
    GroupWriteSerializer,
    PolicyCreateSerializer,
    PolicySerializer,
    PolicySummarySerializer,
    PolicyUpdateSerializer,
)
from accounts.views import resolve_user, user_urn_for
from iam_project.errors import NotFoundError
from iam_project.openapi import CONFLICT
from iam_project.pagination import PageNumberPagination
from iam_project.permissions import InTenant


def visible_policy(request, policy_id: str):
    """The policy, if the caller may read it; otherwise 404 as if it did not exist.

    Attaching or detaching needs more than the right on the user or group:
    the caller must also be allowed `iam:GetPolicy` on the policy, so ids of
    policies one cannot see cannot be attached blindly, nor probed (unknown
    and invisible look alike).
    """
    urn = object_urn("policy", policy_id)
    if not decide(request.user, "iam:GetPolicy", urn).allowed:
        raise NotFoundError()
    return selectors.get_policy(policy_id)


def paginated(view, request, queryset, serializer_class):
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class PolicyListView(APIView):
    permission_classes = [InTenant]

    @extend_schema(responses=PolicySerializer(many=True))
    def get(self, request):
        authorize(request.user, "iam:ListPolicies", tenant_urn("policy"))
        return paginated(self, request, selectors.list_policies(), PolicySerializer)

    @extend_schema(request=PolicyCreateSerializer, responses={201: PolicySerializer})
    def post(self, request):
        authorize(request.user, "iam:CreatePolicy", tenant_urn("policy"))
        serializer = PolicyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = policy_services.create_policy(
            actor=request.user, **serializer.validated_data
        )
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class PolicyDetailView(APIView):
    permission_classes = [InTenant]

    @extend_schema(responses=PolicySerializer)
    def get(self, request, policy_id):
        authorize(request.user, "iam:GetPolicy", object_urn("policy", policy_id))
        return Response(PolicySerializer(selectors.get_policy(policy_id)).data)

    @extend_schema(
        request=PolicyUpdateSerializer,
        responses={200: PolicySerializer, 409: CONFLICT},
    )
    def patch(self, request, policy_id):
        authorize(request.user, "iam:UpdatePolicy", object_urn("policy", policy_id))
        policy = selectors.get_policy(policy_id)
        serializer = PolicyUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = policy_services.update_policy(
            actor=request.user, policy=policy, **serializer.validated_data
        )
        return Response(PolicySerializer(policy).data)

    @extend_schema(responses={204: None, 409: CONFLICT})
    def delete(self, request, policy_id):
        authorize(request.user, "iam:DeletePolicy", object_urn("policy", policy_id))
        policy_services.delete_policy(
            actor=request.user, policy=selectors.get_policy(policy_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupListView(APIView):
    permission_classes = [InTenant]

    @extend_schema(responses=GroupSerializer(many=True))
    def get(self, request):
        authorize(request.user, "iam:ListGroups", tenant_urn("group"))
        return paginated(self, request, selectors.list_groups(), GroupSerializer)

    @extend_schema(request=GroupWriteSerializer, responses={201: GroupSerializer})
    def post(self, request):
        authorize(request.user, "iam:CreateGroup", tenant_urn("group"))
        serializer = GroupWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = group_services.create_group(
            actor=request.user, **serializer.validated_data
        )
        return Response(GroupSerializer(group).data, status=status.HTTP_201_CREATED)


class GroupDetailView(APIView):
    permission_classes = [InTenant]

    @extend_schema(responses=GroupDetailSerializer)
    def get(self, request, group_id):
        authorize(request.user, "iam:GetGroup", object_urn("group", group_id))
        group = selectors.get_group(group_id, with_details=True)
        return Response(GroupDetailSerializer(group).data)

    @extend_schema(request=GroupWriteSerializer, responses=GroupSerializer)
    def patch(self, request, group_id):
        authorize(request.user, "iam:UpdateGroup", object_urn("group", group_id))
        group = selectors.get_group(group_id)
        serializer = GroupWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        group = group_services.update_group(
            actor=request.user, group=group, **serializer.validated_data
        )
        return Response(GroupSerializer(group).data)

    @extend_schema(responses={204: None})
    def delete(self, request, group_id):
        authorize(request.user, "iam:DeleteGroup", object_urn("group", group_id))
        group_services.delete_group(
            actor=request.user, group=selectors.get_group(group_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMemberView(APIView):
    """Membership changes what the group's policies reach: iam:UpdateGroup."""

    permission_classes = [InTenant]

    @extend_schema(request=None, responses={204: None})
    def put(self, request, group_id, user_id):
        authorize(request.user, "iam:UpdateGroup", object_urn("group", group_id))
        group_services.add_group_member(
            actor=request.user,
            group=selectors.get_group(group_id),
            user=selectors.get_user(user_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None})
    def delete(self, request, group_id, user_id):
        authorize(request.user, "iam:UpdateGroup", object_urn("group", group_id))
        group_services.remove_group_member(
            actor=request.user,
            group=selectors.get_group(group_id),
            user=selectors.get_user(user_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserPolicyListView(APIView):
    """The policies attached directly to a user: part of reading the user."""

    permission_classes = [InTenant]

    @extend_schema(responses=PolicySummarySerializer(many=True))
    def get(self, request, user_id):
        authorize(request.user, "iam:GetUser", user_urn_for(request, user_id))
        user = resolve_user(request, user_id)
        return paginated(
            self, request, selectors.list_user_policies(user), PolicySummarySerializer
        )


class UserPolicyAttachmentView(APIView):
    permission_classes = [InTenant]

    @extend_schema(request=None, responses={204: None})
    def put(self, request, user_id, policy_id):
        authorize(request.user, "iam:AttachPolicy", user_urn_for(request, user_id))
        user = resolve_user(request, user_id)
        policy_services.attach_user_policy(
            actor=request.user, user=user, policy=visible_policy(request, policy_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None})
    def delete(self, request, user_id, policy_id):
        authorize(request.user, "iam:DetachPolicy", user_urn_for(request, user_id))
        user = resolve_user(request, user_id)
        policy_services.detach_user_policy(
            actor=request.user, user=user, policy=visible_policy(request, policy_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupPolicyAttachmentView(APIView):
    permission_classes = [InTenant]

    @extend_schema(request=None, responses={204: None})
    def put(self, request, group_id, policy_id):
        authorize(request.user, "iam:AttachPolicy", object_urn("group", group_id))
        group = selectors.get_group(group_id)
        policy_services.attach_group_policy(
            actor=request.user, group=group, policy=visible_policy(request, policy_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None})
    def delete(self, request, group_id, policy_id):
        authorize(request.user, "iam:DetachPolicy", object_urn("group", group_id))
        group = selectors.get_group(group_id)
        policy_services.detach_group_policy(
            actor=request.user, group=group, policy=visible_policy(request, policy_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuthorizeView(APIView):
    """Answer with the very `decide()` that guards every call of this API."""

    permission_classes = [InTenant]

    @extend_schema(
        request=AuthorizeRequestSerializer, responses=AuthorizeResultSerializer
    )
    def post(self, request):
        serializer = AuthorizeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        principal = request.user
        if "principal" in data:
            urn = parse_principal_urn(data["principal"])
            if urn != request.user.urn:
                authorize(request.user, "iam:SimulatePrincipalPolicy", urn)
                principal = selectors.get_user(urn.rsplit("/", 1)[1])

        result = decide(principal, data["action"], data["resource"])
        source = result.statement.source if result.statement else None
        return Response(
            {
                "allowed": result.allowed,
                "decision": result.decision,
                "sid": result.statement.sid if result.statement else None,
                "policy": source if source and source.startswith("urn:") else None,
            }
        )
