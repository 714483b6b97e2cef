"""The emails the service sends. Each is sent after the transaction commits."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string

from accounts import link_tokens
from notifications.links import build_link

logger = logging.getLogger(__name__)


def _queue(*, to: str, template: str, context: dict) -> None:
    tenant = connection.tenant
    context = {"tenant_name": tenant.name, **context}
    subject = render_to_string(f"emails/{template}.subject.txt", context).strip()
    body = render_to_string(f"emails/{template}.txt", context)

    def send() -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        logger.info("email sent template=%s tenant=%s", template, tenant.slug)

    transaction.on_commit(send)


def send_welcome_email(*, user) -> None:
    """Mail a new user the link that sets a first password."""
    token = link_tokens.make_link_token(user, link_tokens.WELCOME)
    _queue(
        to=user.email,
        template="welcome",
        context={"user": user, "link": build_link("set_password", token)},
    )


def send_password_reset_email(*, user) -> None:
    """Mail an active user a link that resets the password."""
    token = link_tokens.make_link_token(user, link_tokens.RESET)
    _queue(
        to=user.email,
        template="password_reset",
        context={"user": user, "link": build_link("set_password", token)},
    )


def send_email_confirmation(*, user) -> None:
    """Mail the pending address a link that confirms it."""
    target = link_tokens.confirmation_target(user)
    if not target:
        return
    token = link_tokens.make_link_token(user, link_tokens.CONFIRM)
    _queue(
        to=target,
        template="confirm_email",
        context={"user": user, "link": build_link("confirm_email", token)},
    )
