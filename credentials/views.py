"""Token endpoints and the keys that let other services verify tokens."""

from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.hashing import check_dummy_password
from credentials import services
from credentials.serializers import (
    PasswordLoginSerializer,
    RefreshTokenSerializer,
    TokenPairSerializer,
)
from credentials.signing import list_published_jwks
from credentials.tokens import issuer_url
from iam_project.errors import InvalidCredentialsError


def authenticate_password_login(request, *, email, password):
    """The principal a password login proves: a tenant user or the platform owner."""
    if connection.schema_name != "public":
        from accounts.services import authenticate_password

        return authenticate_password(email=email, password=password)
    if request.account_unknown:
        # A tenant was named but does not exist: answer like a wrong password.
        check_dummy_password(password)
        raise InvalidCredentialsError()
    from tenants.services import authenticate_platform_owner

    return authenticate_platform_owner(email=email, password=password)


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=PasswordLoginSerializer, responses=TokenPairSerializer)
    def post(self, request):
        serializer = PasswordLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        principal = authenticate_password_login(
            request,
            email=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        return Response(services.issue_token_pair(principal, auth_method="password"))


class RefreshView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshTokenSerializer, responses=TokenPairSerializer)
    def post(self, request):
        serializer = RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = services.rotate_refresh_token(
            raw_token=serializer.validated_data["refresh_token"]
        )
        return Response(pair)


class LogoutView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshTokenSerializer, responses={204: None})
    def post(self, request):
        serializer = RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.revoke_refresh_token(
            raw_token=serializer.validated_data["refresh_token"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class JwksView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request):
        response = Response({"keys": list_published_jwks()})
        response["Cache-Control"] = "public, max-age=300"
        return response


class OpenIdConfigurationView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request):
        issuer = issuer_url()
        return Response(
            {
                "issuer": issuer,
                "jwks_uri": f"{issuer}/.well-known/jwks.json",
                "token_endpoint": f"{issuer}/iam/auth/token",
                "id_token_signing_alg_values_supported": ["ES256"],
                "subject_types_supported": ["public"],
                "response_types_supported": ["token"],
                "grant_types_supported": [
                    "password",
                    "refresh_token",
                    "client_credentials",
                ],
            }
        )
