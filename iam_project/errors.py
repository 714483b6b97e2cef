"""The base error of the service and the one place that shapes error bodies.

Every error under /iam/ and /.well-known/ leaves as
{"error": {"code": ..., "message": ..., "details": {...}}}.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class IAMError(drf.APIException):
    """A client-safe error with a stable code."""

    status_code = 400
    code = "invalid_request"
    message = "The request is invalid."

    def __init__(self, message: str | None = None, *, details: dict | None = None):
        self.message = message or self.message
        self.details = details or {}
        super().__init__(detail=self.message, code=self.code)


class InvalidRequestError(IAMError):
    code = "invalid_request"


class ValidationFailedError(IAMError):
    code = "validation_error"
    message = "Some fields are invalid."


class NotAuthenticatedError(IAMError):
    status_code = 401
    code = "not_authenticated"
    message = "Authentication credentials were not provided."


class InvalidCredentialsError(IAMError):
    status_code = 401
    code = "invalid_credentials"
    message = "The credentials are not valid."


class TokenInvalidError(IAMError):
    status_code = 401
    code = "token_invalid"
    message = "The token is invalid or expired."


class LinkTokenInvalidError(IAMError):
    status_code = 400
    code = "token_invalid"
    message = "The link is invalid, used or expired."


class EmailNotConfirmedError(IAMError):
    status_code = 403
    code = "email_not_confirmed"
    message = "Confirm your email address before logging in."


class PermissionDeniedError(IAMError):
    status_code = 403
    code = "permission_denied"
    message = "You are not allowed to do this."


class NotFoundError(IAMError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class TenantNotFoundError(IAMError):
    status_code = 404
    code = "tenant_not_found"
    message = "No tenant serves this host."


class TenantSuspendedError(IAMError):
    status_code = 403
    code = "tenant_suspended"
    message = "This tenant is suspended."


class ConflictError(IAMError):
    status_code = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class TooManyAttemptsError(IAMError):
    status_code = 429
    code = "too_many_attempts"
    message = "Too many attempts. Try again later."

    def __init__(self, retry_after_seconds: int, message: str | None = None):
        self.retry_after_seconds = retry_after_seconds
        super().__init__(message)


# DRF's own exceptions, mapped to the contract's codes.
_DRF_CODES = {
    drf.ParseError: ("invalid_request", "The request body is not valid JSON."),
    drf.NotAuthenticated: ("not_authenticated", NotAuthenticatedError.message),
    drf.AuthenticationFailed: ("token_invalid", TokenInvalidError.message),
    drf.PermissionDenied: ("permission_denied", PermissionDeniedError.message),
    drf.NotFound: ("not_found", NotFoundError.message),
    drf.MethodNotAllowed: ("method_not_allowed", "This method is not allowed here."),
    drf.NotAcceptable: ("invalid_request", "The requested format is not available."),
    drf.UnsupportedMediaType: (
        "unsupported_media_type",
        "Send the body as application/json.",
    ),
    drf.Throttled: ("too_many_attempts", TooManyAttemptsError.message),
}


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def exception_handler(exc, context):
    """DRF exception handler: every error in the contract's shape."""
    if isinstance(exc, Http404):
        exc = NotFoundError()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDeniedError()

    if isinstance(exc, IAMError):
        body = error_body(exc.code, exc.message, exc.details)
    elif isinstance(exc, drf.ValidationError):
        details = (
            exc.detail
            if isinstance(exc.detail, dict)
            else {"non_field_errors": exc.detail}
        )
        body = error_body("validation_error", ValidationFailedError.message, details)
    elif isinstance(exc, drf.ParseError):
        # Our parser's messages say what is wrong and hold no internals.
        body = error_body("invalid_request", str(exc.detail))
    elif isinstance(exc, drf.APIException):
        code, message = next(
            (pair for cls, pair in _DRF_CODES.items() if isinstance(exc, cls)),
            ("invalid_request", str(exc.detail)),
        )
        body = error_body(code, message)
    else:
        logger.exception("unhandled error view=%s", type(context.get("view")).__name__)
        return Response(error_body("server_error", "Something went wrong."), status=500)

    response = Response(body, status=exc.status_code)
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        response["WWW-Authenticate"] = auth_header
    retry_after = getattr(exc, "retry_after_seconds", None) or getattr(
        exc, "wait", None
    )
    if retry_after:
        response["Retry-After"] = str(int(retry_after + 0.999))
    return response


def json_error_response(exc: IAMError) -> JsonResponse:
    """The same body for errors raised outside DRF (middleware, routing)."""
    response = JsonResponse(
        error_body(exc.code, exc.message, exc.details), status=exc.status_code
    )
    if isinstance(exc, TooManyAttemptsError):
        response["Retry-After"] = str(exc.retry_after_seconds)
    return response


# Exempt from CSRF: it changes nothing, and without the exemption a POST to
# an unknown API path got Django's HTML CSRF page instead of this JSON 404.
@csrf_exempt
def not_found_view(request, *args, **kwargs):
    return json_error_response(NotFoundError())


def server_error_view(request, *args, **kwargs):
    return JsonResponse(error_body("server_error", "Something went wrong."), status=500)


def bad_request_view(request, *args, **kwargs):
    return json_error_response(InvalidRequestError())


def csrf_failure_view(request, reason=""):
    """A refused CSRF check: JSON under the API, Django's page elsewhere."""
    if request.path.startswith(("/iam/", "/.well-known/")):
        return json_error_response(
            PermissionDeniedError(
                "The form has expired; reload the page and try again."
            )
        )
    from django.views.csrf import csrf_failure

    return csrf_failure(request, reason=reason)
