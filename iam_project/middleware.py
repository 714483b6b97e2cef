from django.conf import settings

from iam_project.errors import InvalidRequestError, json_error_response


class RequestTooLargeError(InvalidRequestError):
    status_code = 413
    message = "The request body is too large."


class RequestLimitsMiddleware:
    """Refuse oversized bodies before anything reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error_response(InvalidRequestError("Invalid Content-Length."))
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return json_error_response(RequestTooLargeError())
        if "%00" in request.META.get("QUERY_STRING", ""):
            # PostgreSQL text cannot hold NUL: refuse it here rather than
            # let a filter reach the database and fail there.
            return json_error_response(
                InvalidRequestError("The query string holds a NUL character.")
            )
        return self.get_response(request)


# Admin and link pages load scripts and styles only from this origin; API
# answers are JSON and need nothing at all. Nobody may frame either.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeadersMiddleware:
    """Content security policy and cross-origin isolation on every response.

    HSTS, nosniff, frame denial and the referrer policy come from Django's
    SecurityMiddleware and XFrameOptionsMiddleware (see settings).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_json = response.get("Content-Type", "").startswith("application/json")
        response.setdefault("Content-Security-Policy", API_CSP if is_json else PAGE_CSP)
        response.setdefault("Cross-Origin-Resource-Policy", "same-site")
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        # Tokens and user data must not sit in shared caches; views that
        # are safe to cache (the JWKS) set their own Cache-Control.
        response.setdefault("Cache-Control", "no-store")
        return response
