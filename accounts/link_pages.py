"""The pages that email links open, served on the tenant's host.

Each is a plain HTML form that posts back to its own URL, where the view
calls the same service as the JSON API. There is no script at all, so the
pages carry a Content-Security-Policy that allows nothing but their own form.
GET only shows a form: mail scanners that fetch links must not confirm or
cancel anything by visiting them.
"""

from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from accounts import link_tokens, services
from accounts.exceptions import PasswordInvalidError
from accounts.models import User
from iam_project.errors import IAMError, LinkTokenInvalidError, error_body

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    # The token is in the page's URL: never hand it to another site. Not
    # "no-referrer": browsers then send "Origin: null" with the page's own
    # form, which the CSRF check rightly refuses.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _get_or_post(view):
    """Other methods get the API's JSON 405, as everywhere under /iam/."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method not in ("GET", "POST"):
            body = error_body("method_not_allowed", "This method is not allowed here.")
            response = JsonResponse(body, status=405)
            response["Allow"] = "GET, POST"
            return response
        return view(request, *args, **kwargs)

    return checked


def _page(request, template: str, context: dict | None = None, status: int = 200):
    tenant = getattr(request, "tenant", None)
    context = {"tenant_name": tenant.name if tenant else "", **(context or {})}
    response = render(request, f"link_pages/{template}.html", context, status=status)
    for header, value in _SECURITY_HEADERS.items():
        response[header] = value
    return response


def _invalid(request):
    return _page(request, "invalid", status=400)


def _token(request) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return source.get("token", "")


def _check(request, purposes: set[str]) -> User:
    """The user of a valid link token of this host's tenant, else raise."""
    if getattr(request, "tenant", None) is None:
        # The platform host serves no tenant's pages; links name tenant hosts.
        raise LinkTokenInvalidError()
    user, _ = link_tokens.check_link_token(_token(request), purposes=purposes)
    return user


@_get_or_post
def reset_password_page(request):
    """Set a first or a new password from a welcome or reset link."""
    purposes = {link_tokens.WELCOME, link_tokens.RESET}
    try:
        _check(request, purposes)
    except LinkTokenInvalidError:
        return _invalid(request)
    context = {
        "token": _token(request),
        "min_length": settings.IAM_PASSWORD_MIN_LENGTH,
        "max_length": settings.IAM_PASSWORD_MAX_LENGTH,
    }
    if request.method == "GET":
        return _page(request, "reset_password", context)

    password = request.POST.get("password", "")
    if password != request.POST.get("password_again", ""):
        errors = ["The two passwords differ."]
        return _page(request, "reset_password", {**context, "errors": errors}, 400)
    try:
        services.reset_password(token=context["token"], password=password)
    except LinkTokenInvalidError:
        return _invalid(request)
    except PasswordInvalidError as exc:
        errors = exc.details.get("password", [])
        return _page(request, "reset_password", {**context, "errors": errors}, 400)
    return _page(
        request, "done", {"message": "Your password is set. You can now log in."}
    )


@_get_or_post
def confirm_email_page(request):
    """Confirm the address a confirmation link was sent to."""
    try:
        user = _check(request, {link_tokens.CONFIRM})
    except LinkTokenInvalidError:
        return _invalid(request)
    if request.method == "GET":
        context = {
            "token": _token(request),
            "address": link_tokens.confirmation_target(user),
        }
        return _page(request, "confirm_email", context)

    try:
        user = services.confirm_email(token=_token(request))
    except IAMError:
        # The token died, or the address was taken by another user meanwhile.
        return _invalid(request)
    message = f"{user.email} is confirmed. You can now log in with it."
    return _page(request, "done", {"message": message})


@_get_or_post
def cancel_email_change_page(request):
    """Drop a pending email change from the link mailed to the old address."""
    try:
        user = _check(request, {link_tokens.CANCEL_EMAIL_CHANGE})
    except LinkTokenInvalidError:
        return _invalid(request)
    if request.method == "GET":
        context = {
            "token": _token(request),
            "address": user.email,
            "new_address": user.unconfirmed_email,
        }
        return _page(request, "cancel_email_change", context)

    try:
        user = services.cancel_email_change(token=_token(request))
    except LinkTokenInvalidError:
        return _invalid(request)
    message = f"The change is cancelled: your address stays {user.email}."
    return _page(request, "done", {"message": message})
