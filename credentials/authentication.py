"""DRF authentication by Bearer access token."""

from rest_framework import authentication

from credentials.principals import get_principal, subject_id_from_urn
from credentials.tokens import decode_access_token
from iam_project.errors import TokenInvalidError


class BearerAuthentication(authentication.BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise TokenInvalidError()
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise TokenInvalidError() from exc

        claims = decode_access_token(token)
        principal = get_principal(subject_id_from_urn(claims["sub"]))
        # One indexed read per request, which the view needs anyway: it
        # makes deactivation and password changes end access tokens at once.
        if (
            principal is None
            or not principal.is_active
            or principal.token_version != claims.get("ver")
        ):
            raise TokenInvalidError()
        return principal, claims

    def authenticate_header(self, request):
        return 'Bearer realm="iam"'
