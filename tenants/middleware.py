"""Pick the schema for each request: by host, or by credential on the platform host.

On a tenant host the host decides. On the platform host the credential does
(a Bearer token's `tenant` claim, an access key id, an `account` field, a
link or refresh token's tenant prefix); without one the request stays in the
public schema. Routing only chooses where a credential is checked: it is
verified later against that tenant's own keys and hashes.
"""

import base64
import binascii
import json
import logging
import re

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection

from credentials.tokens import read_tenant_claim_unverified
from iam_project.errors import (
    InvalidRequestError,
    TenantNotFoundError,
    TenantSuspendedError,
    json_error_response,
)
from tenants.selectors import (
    get_tenant_for_access_key,
    get_tenant_for_host,
    get_tenant_for_slug,
)

logger = logging.getLogger(__name__)

_ISSUER_PATH = re.compile(r"^/t/(?P<slug>[a-z0-9-]{1,40})/")
# Calls whose JSON body names the tenant on the platform host.
_BODY_ROUTED_PATHS = {
    "/iam/auth/token",
    "/iam/auth/refresh",
    "/iam/auth/logout",
    "/iam/password/reset",
    "/iam/password/reset/confirm",
    "/iam/email/confirm",
    "/iam/email/confirmation",
    "/iam/email/cancel",
}
_BODY_TENANT_FIELDS = ("account",)
_BODY_PREFIXED_FIELDS = ("token", "refresh_token")


class TenantRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        connection.set_schema_to_public()
        request.tenant = None
        request.account_unknown = False
        try:
            hostname = request.get_host().rsplit(":", 1)[0].lower()
        except DisallowedHost:
            return json_error_response(InvalidRequestError("This host is not allowed."))

        if hostname == settings.IAM_PLATFORM_HOST:
            request.via_platform_host = True
            match = _ISSUER_PATH.match(request.path_info)
            if match:
                # /t/<slug>/... is the tenant's issuer URL on the platform
                # host: it serves that tenant's API and keys as if on its own
                # host, and never falls back to the platform's.
                tenant = get_tenant_for_slug(match["slug"])
                if tenant is None:
                    return json_error_response(TenantNotFoundError())
                request.path_info = request.path_info[match.end() - 1 :]
            else:
                tenant = self._tenant_from_credential(request)
        else:
            request.via_platform_host = False
            tenant = get_tenant_for_host(hostname)
            if tenant is None:
                return json_error_response(TenantNotFoundError())

        if tenant is not None:
            if not tenant.is_active and not request.path_info.startswith(
                "/.well-known/"
            ):
                return json_error_response(TenantSuspendedError())
            request.tenant = tenant
            connection.set_tenant(tenant)
        try:
            return self.get_response(request)
        finally:
            connection.set_schema_to_public()

    def _tenant_from_credential(self, request):
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value:
            slug = read_tenant_claim_unverified(value.strip())
            return self._known(request, slug) if slug else None
        if scheme.lower() == "basic" and value:
            return get_tenant_for_access_key(_basic_username(value.strip()))

        if request.method == "POST" and request.path.rstrip("/") in _BODY_ROUTED_PATHS:
            return self._tenant_from_body(request)
        return None

    def _tenant_from_body(self, request):
        if request.content_type != "application/json":
            return None
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        if not isinstance(body, dict):
            return None
        for field in _BODY_TENANT_FIELDS:
            if isinstance(body.get(field), str):
                return self._known(request, body[field])
        if isinstance(body.get("access_key_id"), str):
            return get_tenant_for_access_key(body["access_key_id"])
        for field in _BODY_PREFIXED_FIELDS:
            value = body.get(field)
            if isinstance(value, str) and "." in value:
                return self._known(request, value.split(".", 1)[0])
        return None

    @staticmethod
    def _known(request, slug):
        tenant = get_tenant_for_slug(slug)
        if tenant is None:
            # Stay public but remember that a tenant was named: the views then
            # answer as for a wrong password, never as the platform itself.
            request.account_unknown = True
        return tenant


def _basic_username(value: str) -> str:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[0]
