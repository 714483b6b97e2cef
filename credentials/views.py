"""Token endpoints, JWKS, and the API of access keys and SSH public keys."""

from django.db import connection
from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authorization import authorize, tenant_urn
from accounts.hashing import check_dummy_password
from accounts.views import resolve_user, user_urn_for
from credentials import access_keys, selectors, services, ssh_keys
from credentials.access_keys import authenticate_access_key
from credentials.login_attempts import login_attempt
from credentials.models import credential_urn
from credentials.renderers import CredentialReportCSVRenderer
from credentials.serializers import (
    AccessKeyCreatedSerializer,
    AccessKeySerializer,
    CredentialReportUserSerializer,
    CredentialStatusSerializer,
    RefreshTokenSerializer,
    SSHPublicKeyLookupSerializer,
    SSHPublicKeyMatchSerializer,
    SSHPublicKeySerializer,
    SSHPublicKeyUploadSerializer,
    TokenPairSerializer,
    TokenRequestSerializer,
)
from credentials.signing import list_published_jwks
from credentials.tokens import issuer_url
from iam_project.errors import InvalidCredentialsError
from iam_project.openapi import CONFLICT
from iam_project.pagination import PageNumberPagination
from iam_project.permissions import InTenant


def authenticate_password_login(request, *, email, password):
    """The principal a password login proves: a tenant user or the platform owner."""
    if connection.schema_name != "public":
        from accounts.services import authenticate_password

        return authenticate_password(email=email, password=password)
    if request.account_unknown:
        # A tenant was named but does not exist: answer (and throttle) like a
        # wrong password.
        with login_attempt(scope="password", account=email):
            check_dummy_password(password)
            raise InvalidCredentialsError()
    from tenants.services import authenticate_platform_owner

    return authenticate_platform_owner(email=email, password=password)


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses=TokenPairSerializer)
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if serializer.uses_access_key:
            user, key = authenticate_access_key(
                access_key_id=data["access_key_id"], secret=data["secret_access_key"]
            )
            pair = services.issue_token_pair(
                user, auth_method="access_key", access_key_id=key.access_key_id
            )
            return Response(pair)

        principal = authenticate_password_login(
            request, email=data["email"], password=data["password"]
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


def credential_for_path(
    request, user_id: str, credential_id: str, *, action: str, kind: str, get
):
    """Authorize `action` on a credential named under a user path; return it.

    `get(user, credential_id)` finds it among that user's own credentials.
    Under `me` it is looked up first, so another user's id answers 404 like
    an unknown one. Under `{id}` the caller must first be allowed on the
    credential's URN (403), then the credential must belong to that user (404).
    """
    if user_id == "me":
        credential = get(request.user, credential_id)
        authorize(request.user, action, credential.urn)
        return credential
    authorize(request.user, action, credential_urn(kind, credential_id))
    return get(resolve_user(request, user_id), credential_id)


def _paginated(view, request, queryset, serializer_class):
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class AccessKeyListView(APIView):
    permission_classes = [InTenant]

    @extend_schema(responses=AccessKeySerializer(many=True))
    def get(self, request, user_id):
        authorize(request.user, "iam:ListAccessKeys", user_urn_for(request, user_id))
        user = resolve_user(request, user_id)
        keys = selectors.list_access_keys(user=user)
        return _paginated(self, request, keys, AccessKeySerializer)

    @extend_schema(
        request=None, responses={201: AccessKeyCreatedSerializer, 409: CONFLICT}
    )
    def post(self, request, user_id):
        authorize(request.user, "iam:CreateAccessKey", user_urn_for(request, user_id))
        user = resolve_user(request, user_id)
        key, secret = access_keys.create_access_key(user=user, actor=request.user)
        body = AccessKeyCreatedSerializer(
            {
                "access_key_id": key.access_key_id,
                "urn": key.urn,
                "secret_access_key": secret,
                "status": key.status,
                "created_at": key.created_at,
            }
        ).data
        response = Response(body, status=status.HTTP_201_CREATED)
        # The one response that holds a secret must not linger in any cache.
        patch_cache_control(response, no_store=True)
        return response


class AccessKeyDetailView(APIView):
    permission_classes = [InTenant]

    def _key(self, request, user_id, credential_id, action):
        return credential_for_path(
            request,
            user_id,
            credential_id,
            action=action,
            kind="access-key",
            get=lambda user, access_key_id: selectors.get_access_key(
                user=user, access_key_id=access_key_id
            ),
        )

    @extend_schema(request=CredentialStatusSerializer, responses=AccessKeySerializer)
    def patch(self, request, user_id, credential_id):
        key = self._key(request, user_id, credential_id, "iam:UpdateAccessKey")
        serializer = CredentialStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = access_keys.update_access_key(
            key=key, status=serializer.validated_data["status"], actor=request.user
        )
        return Response(AccessKeySerializer(key).data)

    @extend_schema(responses={204: None})
    def delete(self, request, user_id, credential_id):
        key = self._key(request, user_id, credential_id, "iam:DeleteAccessKey")
        access_keys.delete_access_key(key=key, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SSHPublicKeyListView(APIView):
    permission_classes = [InTenant]

    @extend_schema(responses=SSHPublicKeySerializer(many=True))
    def get(self, request, user_id):
        urn = user_urn_for(request, user_id)
        authorize(request.user, "iam:ListSSHPublicKeys", urn)
        user = resolve_user(request, user_id)
        keys = selectors.list_ssh_public_keys(user=user)
        return _paginated(self, request, keys, SSHPublicKeySerializer)

    @extend_schema(
        request=SSHPublicKeyUploadSerializer,
        responses={201: SSHPublicKeySerializer, 409: CONFLICT},
    )
    def post(self, request, user_id):
        urn = user_urn_for(request, user_id)
        authorize(request.user, "iam:UploadSSHPublicKey", urn)
        user = resolve_user(request, user_id)
        serializer = SSHPublicKeyUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = ssh_keys.upload_ssh_public_key(
            user=user,
            public_key=serializer.validated_data["public_key"],
            actor=request.user,
        )
        return Response(
            SSHPublicKeySerializer(key).data, status=status.HTTP_201_CREATED
        )


class SSHPublicKeyDetailView(APIView):
    permission_classes = [InTenant]

    def _key(self, request, user_id, credential_id, action):
        return credential_for_path(
            request,
            user_id,
            credential_id,
            action=action,
            kind="ssh-key",
            get=lambda user, ssh_public_key_id: selectors.get_ssh_public_key(
                user=user, ssh_public_key_id=ssh_public_key_id
            ),
        )

    @extend_schema(request=CredentialStatusSerializer, responses=SSHPublicKeySerializer)
    def patch(self, request, user_id, credential_id):
        key = self._key(request, user_id, credential_id, "iam:UpdateSSHPublicKey")
        serializer = CredentialStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = ssh_keys.update_ssh_public_key(
            key=key, status=serializer.validated_data["status"], actor=request.user
        )
        return Response(SSHPublicKeySerializer(key).data)

    @extend_schema(responses={204: None})
    def delete(self, request, user_id, credential_id):
        key = self._key(request, user_id, credential_id, "iam:DeleteSSHPublicKey")
        ssh_keys.delete_ssh_public_key(key=key, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SSHPublicKeyLookupView(APIView):
    """Whose key is this? For services that offer SSH or SFTP to IAM users."""

    permission_classes = [InTenant]

    @extend_schema(
        parameters=[OpenApiParameter("fingerprint", str, required=True)],
        responses=SSHPublicKeyMatchSerializer(many=True),
    )
    def get(self, request):
        authorize(request.user, "iam:ListSSHPublicKeys", tenant_urn("ssh-key"))
        serializer = SSHPublicKeyLookupSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        keys = selectors.list_usable_ssh_public_keys(
            fingerprint=serializer.validated_data["fingerprint"]
        )
        return _paginated(self, request, keys, SSHPublicKeyMatchSerializer)


class CredentialReportView(APIView):
    """Every user with the age and use of each credential, as JSON or CSV."""

    permission_classes = [InTenant]
    renderer_classes = [JSONRenderer, CredentialReportCSVRenderer]

    @extend_schema(responses={200: dict})
    def get(self, request):
        authorize(request.user, "iam:GetCredentialReport", tenant_urn("user"))
        now = timezone.now()
        users = CredentialReportUserSerializer(
            selectors.list_users_for_credential_report(),
            many=True,
            context={"now": now},
        ).data
        return Response({"generated_at": now, "users": users})

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors keep the contract's JSON body even when CSV was asked for.
        if response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
