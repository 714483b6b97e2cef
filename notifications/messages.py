"""What each email says, rendered when it is sent.

Links are made here, at send time, from the user's current state, so an
email never carries a link that is already dead, and an email that no longer
applies (the user is gone, the address it confirms is no longer pending) is
not sent at all.
"""

import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string

from accounts import link_tokens
from accounts.models import User
from notifications.links import build_link
from notifications.models import Outbox


def compose_email(email: Outbox) -> EmailMultiAlternatives | None:
    """Render an outbox email in the current tenant, or None if it no longer applies."""
    try:
        user = User.objects.filter(id=uuid.UUID(str(email.context["user_id"]))).first()
    except (KeyError, ValueError):
        user = None
    if user is None:
        return None
    context = _CONTEXT_BUILDERS[email.template](email, user)
    if context is None:
        return None

    context = {"tenant_name": connection.tenant.name, "user": user, **context}
    name = f"emails/{email.template}"
    # One line whatever the tenant's name holds: a line break in a header
    # would let a name smuggle in headers of its own.
    subject = " ".join(render_to_string(f"{name}.subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{name}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
    )
    message.attach_alternative(render_to_string(f"{name}.html", context), "text/html")
    return message


def _is_current_address(email: Outbox, user: User) -> bool:
    return email.recipient.lower() == user.email.lower()


def _hours(seconds: int) -> int:
    return max(1, round(seconds / 3600))


def _welcome(email: Outbox, user: User) -> dict | None:
    # Once a password is set the welcome link is dead; do not send it.
    if not user.is_active or user.has_usable_password():
        return None
    if not _is_current_address(email, user):
        return None
    token = link_tokens.make_link_token(user, link_tokens.WELCOME)
    return {
        "link": build_link("set_password", token),
        "valid_hours": _hours(settings.IAM_WELCOME_TOKEN_TTL_SECONDS),
    }


def _password_reset(email: Outbox, user: User) -> dict | None:
    # A reset link goes only to the address the account has now.
    if not user.is_active or not _is_current_address(email, user):
        return None
    token = link_tokens.make_link_token(user, link_tokens.RESET)
    return {
        "link": build_link("set_password", token),
        "valid_hours": _hours(settings.IAM_RESET_TOKEN_TTL_SECONDS),
    }


def _confirm_email(email: Outbox, user: User) -> dict | None:
    # The token confirms whatever address is pending now; it must go to that
    # address and no other, or one address could confirm another.
    target = link_tokens.confirmation_target(user)
    if not user.is_active or not target or target.lower() != email.recipient.lower():
        return None
    token = link_tokens.make_link_token(user, link_tokens.CONFIRM)
    return {
        "link": build_link("confirm_email", token),
        "valid_hours": _hours(settings.IAM_CONFIRM_TOKEN_TTL_SECONDS),
    }


def _email_change_notice(email: Outbox, user: User) -> dict | None:
    if user.unconfirmed_email and _is_current_address(email, user):
        token = link_tokens.make_link_token(user, link_tokens.CANCEL_EMAIL_CHANGE)
        return {
            "new_email": user.unconfirmed_email,
            "link": build_link("cancel_email_change", token),
        }
    if not _is_current_address(email, user):
        # Confirmed before this notice went out: still tell the old address.
        return {"new_email": user.email, "link": ""}
    return None


def _password_changed_notice(email: Outbox, user: User) -> dict | None:
    return {}


_CONTEXT_BUILDERS = {
    Outbox.Template.WELCOME: _welcome,
    Outbox.Template.PASSWORD_RESET: _password_reset,
    Outbox.Template.CONFIRM_EMAIL: _confirm_email,
    Outbox.Template.EMAIL_CHANGE_NOTICE: _email_change_notice,
    Outbox.Template.PASSWORD_CHANGED_NOTICE: _password_changed_notice,
}
