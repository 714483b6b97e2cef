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
        return self.get_response(request)
