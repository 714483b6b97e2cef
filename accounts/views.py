"""Users API and the unauthenticated email-link calls."""

from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.authorization import authorize, object_urn, tenant_urn
from accounts.serializers import (
    EmailConfirmSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetRequestSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from credentials.tokens import issue_access_token
from iam_project.errors import InvalidRequestError, LinkTokenInvalidError
from iam_project.openapi import CONFLICT
from iam_project.pagination import PageNumberPagination
from iam_project.permissions import InTenant


def resolve_user(request, user_id: str):
    """`me` or a user id; the caller authorizes against the returned URN."""
    if user_id == "me":
        return request.user
    return selectors.get_user(user_id)


def user_urn_for(request, user_id: str) -> str:
    return request.user.urn if user_id == "me" else object_urn("user", user_id)


class UserListView(APIView):
    permission_classes = [InTenant]

    @extend_schema(responses=UserSerializer(many=True))
    def get(self, request):
        authorize(request.user, "iam:ListUsers", tenant_urn("user"))
        email = request.query_params.get("email")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.list_users(email=email), request, view=self
        )
        return paginator.get_paginated_response(UserSerializer(page, many=True).data)

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def post(self, request):
        authorize(request.user, "iam:CreateUser", tenant_urn("user"))
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.create_user(actor=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserDetailView(APIView):
    permission_classes = [InTenant]

    @extend_schema(responses=UserSerializer)
    def get(self, request, user_id):
        authorize(request.user, "iam:GetUser", user_urn_for(request, user_id))
        return Response(UserSerializer(resolve_user(request, user_id)).data)

    @extend_schema(
        request=UserUpdateSerializer, responses={200: UserSerializer, 409: CONFLICT}
    )
    def patch(self, request, user_id):
        urn = user_urn_for(request, user_id)
        authorize(request.user, "iam:UpdateUser", urn)
        user = resolve_user(request, user_id)
        serializer = UserUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        if "email" in changes:
            # Password resets go to the address: whoever sets it can take
            # the account over. Self-service grants it on one's own URN.
            authorize(request.user, "iam:UpdateLoginProfile", urn)
        if user_id == "me" and "is_active" in changes:
            raise InvalidRequestError("You cannot change your own active flag.")
        user = services.update_user(actor=request.user, user=user, **changes)
        return Response(UserSerializer(user).data)

    @extend_schema(responses={204: None, 409: CONFLICT})
    def delete(self, request, user_id):
        authorize(request.user, "iam:DeleteUser", user_urn_for(request, user_id))
        services.delete_user(actor=request.user, user=resolve_user(request, user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    permission_classes = [InTenant]

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request):
        authorize(request.user, "iam:ChangePassword", request.user.urn)
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.change_password(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _UnauthenticatedTenantCall(APIView):
    """Calls made before login: by tenant host, or `account` on the platform host."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def in_tenant(self) -> bool:
        return connection.schema_name != "public"


class PasswordResetRequestView(_UnauthenticatedTenantCall):
    @extend_schema(request=PasswordResetRequestSerializer, responses={202: None})
    def post(self, request):
        serializer = PasswordResetRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if self.in_tenant():
            services.request_password_reset(email=serializer.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class EmailConfirmationResendView(_UnauthenticatedTenantCall):
    @extend_schema(request=PasswordResetRequestSerializer, responses={202: None})
    def post(self, request):
        serializer = PasswordResetRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if self.in_tenant():
            services.resend_confirmation(email=serializer.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(_UnauthenticatedTenantCall):
    @extend_schema(request=PasswordResetConfirmSerializer, responses=UserSerializer)
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not self.in_tenant():
            raise LinkTokenInvalidError()
        user = services.reset_password(**serializer.validated_data)
        access_token, _ = issue_access_token(user, auth_method="password")
        response = Response(UserSerializer(user).data)
        response["Authorization"] = f"Bearer {access_token}"
        return response


class EmailConfirmView(_UnauthenticatedTenantCall):
    @extend_schema(request=EmailConfirmSerializer, responses=UserSerializer)
    def post(self, request):
        serializer = EmailConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not self.in_tenant():
            raise LinkTokenInvalidError()
        user = services.confirm_email(**serializer.validated_data)
        return Response(UserSerializer(user).data)


class EmailChangeCancelView(_UnauthenticatedTenantCall):
    @extend_schema(request=EmailConfirmSerializer, responses=UserSerializer)
    def post(self, request):
        serializer = EmailConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not self.in_tenant():
            raise LinkTokenInvalidError()
        user = services.cancel_email_change(**serializer.validated_data)
        return Response(UserSerializer(user).data)
