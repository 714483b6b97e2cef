"""What the OpenAPI document says about every call, written once.

drf-spectacular documents each view's own success answer. The rest is
shared by the whole API and lives here: the error body of API.md on every
operation, the two ways to present a credential, and the page envelope
around every list.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.settings import api_settings


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable snake_case code, e.g. `not_found`.")
    message = serializers.CharField(help_text="Human readable; may change.")
    details = serializers.DictField(
        help_text="Per-field messages for `validation_error`, else empty."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# Answers that any call may get, whatever its view: the routing middleware
# refuses unknown hosts and suspended tenants, authentication refuses bad
# credentials (and throttles failed ones), and every body is checked.
COMMON_ERRORS = {
    "400": "`invalid_request` or `validation_error` (per-field messages in "
    "`details`); `token_invalid` for a bad email-link token.",
    "401": "`not_authenticated`, `token_invalid` or `invalid_credentials`.",
    "403": "`permission_denied`, `tenant_suspended` or `email_not_confirmed`.",
    "404": "`not_found`, or `tenant_not_found` when no tenant serves the host.",
    "429": "`too_many_attempts` after repeated failed authentication.",
}
BODY_ERRORS = {
    "415": "`unsupported_media_type`: send the body as application/json.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until the client may try again.",
        "required": True,
        "schema": {"type": "integer"},
    }
}

# For views to name in `extend_schema(responses=...)` where a call can clash
# with the current state (root protection, limits, taken names).
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="`conflict`, or `access_key_limit` for keys."
)


class IamAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None

        errors = dict(COMMON_ERRORS)
        if "requestBody" in operation:
            errors.update(BODY_ERRORS)
        error_ref = self.resolve_serializer(ErrorSerializer, "response").ref
        for status_code, description in errors.items():
            response = {
                "description": description,
                "content": {"application/json": {"schema": error_ref}},
            }
            if status_code == "429":
                response["headers"] = RETRY_AFTER
            operation["responses"].setdefault(status_code, response)
        return operation

    def _get_paginator(self):
        # Every list of this API is paged by the default pagination class, but
        # the views are plain APIViews without a `pagination_class`, so
        # drf-spectacular would describe a bare array.
        return super()._get_paginator() or api_settings.DEFAULT_PAGINATION_CLASS()


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "credentials.authentication.BearerAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class AccessKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "credentials.authentication.AccessKeyAuthentication"
    name = "accessKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "`access_key_id:secret_access_key`; the response "
            "carries a Bearer token in its Authorization header.",
        }
