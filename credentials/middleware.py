from django.utils.cache import patch_cache_control


class IssuedAccessTokenMiddleware:
    """Answer a call made with an access key with a token the client can reuse.

    AccessKeyAuthentication leaves the token it issued on the request; the
    contract puts it in the response's Authorization header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        token = getattr(request, "issued_access_token", None)
        if token:
            response["Authorization"] = f"Bearer {token}"
            # A response that carries a token must never be stored by a cache.
            patch_cache_control(response, no_store=True)
        return response
