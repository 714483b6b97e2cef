"""DRF authentication: a Bearer access token, or an access key with Basic."""

import base64
import binascii

import jwt
from rest_framework import authentication

from audit.context import update_origin
from credentials.access_keys import authenticate_access_key, is_access_key_usable
from credentials.principals import get_principal, subject_id_from_urn
from credentials.tokens import decode_access_token, issue_access_token
from iam_project.errors import InvalidCredentialsError, TokenInvalidError


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
        # A token minted by a key ends with the key (a cache read when warm).
        akid = claims.get("akid")
        if akid and not is_access_key_usable(access_key_id=akid, user_id=principal.id):
            raise TokenInvalidError()
        if "act" in claims:
            # A privileged session: decide() refuses it lasting credentials.
            principal.impersonator = _impersonator(claims)
        note_credential(claims)
        return principal, claims

    def authenticate_header(self, request):
        return 'Bearer realm="iam"'


class AccessKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Basic base64(access_key_id:secret)` on any call.

    The same service as the token endpoint checks the pair. The call is then
    answered with a fresh access token in the response's Authorization header
    (see credentials.middleware), so the client can switch to Bearer.
    """

    keyword = b"basic"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        access_key_id, secret = _decode_basic(parts)

        user, key = authenticate_access_key(access_key_id=access_key_id, secret=secret)
        token, _ = issue_access_token(
            user, auth_method="access_key", access_key_id=key.access_key_id
        )
        request._request.issued_access_token = token
        # Signed a moment ago by this process: reading it back needs no check.
        claims = jwt.decode(token, options={"verify_signature": False})
        note_credential(claims)
        return user, claims

    def authenticate_header(self, request):
        return 'Basic realm="iam"'


def note_credential(claims: dict) -> None:
    """Tell the audit trail how this request proved itself."""
    actor = claims.get("act")
    update_origin(
        credential="privileged_session" if actor else claims.get("auth", ""),
        access_key_id=claims.get("akid", ""),
        impersonator=_impersonator(claims),
        reason=claims.get("reason", "") if actor else "",
    )


def _impersonator(claims: dict) -> str:
    """The URN of whoever acts through a privileged session, else ""."""
    actor = claims.get("act")
    return actor.get("sub", "") if isinstance(actor, dict) else ""


def _decode_basic(parts: list[bytes]) -> tuple[str, str]:
    if len(parts) != 2:
        raise InvalidCredentialsError()
    try:
        decoded = base64.b64decode(parts[1], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCredentialsError() from exc
    access_key_id, separator, secret = decoded.partition(":")
    if not separator:
        raise InvalidCredentialsError()
    return access_key_id, secret
