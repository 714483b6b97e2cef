import re
import uuid

from django.conf import settings

from audit.context import Origin, reset_origin, set_origin

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def client_address(request) -> str | None:
    """The caller's address, trusting X-Forwarded-For only from known proxies."""
    hops = settings.IAM_TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


class AuditOriginMiddleware:
    """Note where each request came from, and give it a request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = set_origin(
            Origin(
                client_ip=client_address(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                request_id=request_id,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_origin(token)
        response["X-Request-ID"] = request_id
        return response
