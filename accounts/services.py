"""Every write to users: creation, changes, passwords, logins, email links.

All functions work in the current tenant schema; the caller picks it.
"""

import hashlib
import logging
import unicodedata

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import link_tokens
from accounts.exceptions import (
    PasswordInvalidError,
    RootUserChangeDeniedError,
    RootUserProtectedError,
    UserEmailTakenError,
)
from accounts.hashing import check_dummy_password
from accounts.models import User
from accounts.uniqueness import is_taken
from audit.services import record_event
from credentials.access_keys import delete_access_keys_of
from credentials.login_attempts import login_attempt
from credentials.services import revoke_refresh_tokens_of
from credentials.throttling import canonical_account
from iam_project.errors import EmailNotConfirmedError, InvalidCredentialsError
from notifications import services as notify

logger = logging.getLogger(__name__)


def normalize_email(email: str) -> str:
    """One form per address: NFKC (so a Kelvin sign is a K) and a lowercase domain.

    Without NFKC, Python and PostgreSQL fold some characters differently,
    and an address could pass the uniqueness check yet collide later.
    """
    email = unicodedata.normalize("NFKC", email).strip()
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def is_email_taken(email: str, *, exclude_id=None) -> bool:
    return is_taken(User, "email", email, exclude_id=exclude_id)


def create_user(
    *, email: str, name: str = "", is_root: bool = False, actor=None
) -> User:
    """Create a user without a password and mail the set-password link.

    The user cannot log in until the link is used: setting the password
    also confirms the address.
    """
    email = normalize_email(email)
    if is_email_taken(email):
        raise UserEmailTakenError()

    user = User(email=email, name=name, is_root=is_root)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            notify.send_welcome_email(user=user)
            record_event(
                actor=actor,
                action="iam:CreateUser",
                target=user.urn,
                details={"email": email, "root": is_root},
            )
    except IntegrityError as exc:
        # Two concurrent creations of one address: the unique index decides.
        raise UserEmailTakenError() from exc

    logger.info("user created user=%s root=%s", user.id, is_root)
    return user


def update_user(
    *, actor: User, user: User, name=None, email=None, is_active=None
) -> User:
    """Change name, activity or (pending) email of a user.

    Only root changes root, whatever the actor's policies allow: a user who
    may update users must not take over the account that may do everything.
    """
    if user.is_root and actor.id != user.id:
        raise RootUserChangeDeniedError()

    fields = []
    if name is not None and name != user.name:
        user.name = name
        fields.append("name")
    if is_active is not None and is_active != user.is_active:
        if user.is_root and not is_active:
            raise RootUserProtectedError()
        user.is_active = is_active
        fields.append("is_active")
        if not is_active:
            _end_sessions(user)
            fields.append("token_version")
    email_changed = False
    if email is not None:
        email = normalize_email(email)
        if email.lower() == user.email.lower():
            # Asking for the current address again cancels a pending change.
            if user.unconfirmed_email:
                user.unconfirmed_email = None
                fields.append("unconfirmed_email")
        elif email != user.unconfirmed_email:
            if is_email_taken(email, exclude_id=user.id):
                raise UserEmailTakenError()
            user.unconfirmed_email = email
            fields.append("unconfirmed_email")
            email_changed = True

    with transaction.atomic():
        if fields:
            user.save(update_fields=[*fields, "updated_at"])
            record_event(
                actor=actor,
                action="iam:UpdateUser",
                target=user.urn,
                details={"fields": [f for f in fields if f != "token_version"]},
            )
        if email_changed:
            notify.send_email_confirmation(user=user)
            if user.email_confirmed:
                # The address in use hears of the change and can cancel it.
                notify.send_email_change_notice(user=user)
    logger.info(
        "user updated user=%s actor=%s fields=%s",
        user.id,
        actor.id,
        ",".join(fields) or "-",
    )
    return user


def delete_user(*, actor: User, user: User) -> None:
    """Delete a non-root user and end its sessions."""
    if user.is_root:
        raise RootUserProtectedError()
    urn = user.urn
    with transaction.atomic():
        revoke_refresh_tokens_of(subject_id=user.id)
        # Also removes the keys' rows in the public index, which no cascade reaches.
        delete_access_keys_of(user=user)
        user.delete()
        record_event(actor=actor, action="iam:DeleteUser", target=urn)
    logger.info("user deleted user=%s actor=%s", user.id, actor.id)


def _end_sessions(user: User) -> None:
    user.token_version = F("token_version") + 1
    revoke_refresh_tokens_of(subject_id=user.id)


def _validated(password: object, user: User, field: str = "password") -> str:
    if not isinstance(password, str):
        raise PasswordInvalidError(["Enter a password."], field)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise PasswordInvalidError(list(exc.messages), field) from exc
    return password


def _store_password(user: User, password: str, *, extra_fields: list[str]) -> None:
    user.set_password(password)
    user.password_changed_at = timezone.now()
    _end_sessions(user)
    user.save(
        update_fields=[
            "password",
            "password_changed_at",
            "token_version",
            "updated_at",
            *extra_fields,
        ]
    )
    user.refresh_from_db(fields=["token_version"])


def change_password(*, user: User, current_password: str, new_password: str) -> None:
    """Change one's own password; every session of the user ends.

    The current password is guessed at like a login (a stolen access token
    must not become a way to find the password), so it is throttled and
    audited like one.
    """
    with login_attempt(
        scope="password", account=user.email, action="iam:ChangePassword"
    ):
        if not isinstance(current_password, str) or not user.check_password(
            current_password
        ):
            raise PasswordInvalidError(
                ["The current password is not correct."], "current_password"
            )
    _validated(new_password, user, "new_password")
    with transaction.atomic():
        _store_password(user, new_password, extra_fields=[])
        notify.send_password_changed_notice(user=user)
        record_event(actor=user, action="iam:ChangePassword", target=user.urn)
    logger.info("password changed user=%s", user.id)


def reset_password(*, token: str, password: str) -> User:
    """Set a password from a welcome or reset link; this also confirms the email."""
    user, purpose = link_tokens.check_link_token(
        token, purposes={link_tokens.WELCOME, link_tokens.RESET}
    )
    if not user.is_active:
        raise link_tokens.LinkTokenInvalidError()
    _validated(password, user)
    with transaction.atomic():
        user.email_confirmed = True
        _store_password(user, password, extra_fields=["email_confirmed"])
        if purpose == link_tokens.RESET:
            # A first password from the welcome link needs no notice.
            notify.send_password_changed_notice(user=user)
        record_event(
            actor=user,
            action="iam:ResetPassword",
            target=user.urn,
            credential="link_token",
            details={"welcome": purpose == link_tokens.WELCOME},
        )
    logger.info("password set from link user=%s", user.id)
    return user


def confirm_email(*, token: str) -> User:
    """Confirm the address a confirmation link was sent to."""
    user, _ = link_tokens.check_link_token(token, purposes={link_tokens.CONFIRM})
    with transaction.atomic():
        if user.unconfirmed_email:
            if is_email_taken(user.unconfirmed_email, exclude_id=user.id):
                raise UserEmailTakenError()
            user.email = user.unconfirmed_email
            user.unconfirmed_email = None
        user.email_confirmed = True
        user.save(
            update_fields=[
                "email",
                "unconfirmed_email",
                "email_confirmed",
                "updated_at",
            ]
        )
        record_event(
            actor=user,
            action="iam:ConfirmEmail",
            target=user.urn,
            credential="link_token",
            details={"email": user.email},
        )
    logger.info("email confirmed user=%s", user.id)
    return user


def cancel_email_change(*, token: str) -> User:
    """Drop the pending address named in an email-change notice's link."""
    user, _ = link_tokens.check_link_token(
        token, purposes={link_tokens.CANCEL_EMAIL_CHANGE}
    )
    if not user.unconfirmed_email:
        raise link_tokens.LinkTokenInvalidError()
    user.unconfirmed_email = None
    with transaction.atomic():
        user.save(update_fields=["unconfirmed_email", "updated_at"])
        record_event(
            actor=user,
            action="iam:CancelEmailChange",
            target=user.urn,
            credential="link_token",
        )
    logger.info("email change cancelled user=%s", user.id)
    return user


def request_password_reset(*, email: object) -> None:
    """Mail a reset link if an active user has this address; say nothing either way.

    Both answers cost the same, so timing does not tell which addresses have
    an account: a known address writes its outbox row and commits, an
    unknown or inactive one writes a stand-in row and rolls it back, and the
    publish to the broker happens off the request thread. Each account gets
    at most IAM_LINK_EMAILS_PER_HOUR such emails, so the call cannot flood an
    inbox.
    """
    user = (
        User.objects.filter(email__iexact=email).first()
        if isinstance(email, str)
        else None
    )
    sends = _may_mail(email, "reset") and user is not None and user.is_active
    with transaction.atomic():
        if sends:
            notify.send_password_reset_email(user=user)
        else:
            notify.write_stand_in_email(recipient=str(email)[:254])
            transaction.set_rollback(True)


def resend_confirmation(*, email: object) -> None:
    """Mail a new confirmation link for a pending or unconfirmed address.

    Like a reset request: the same work whether or not the address is known,
    and a cap on emails per account.
    """
    user = None
    if isinstance(email, str):
        user = (
            User.objects.filter(unconfirmed_email__iexact=email).first()
            or User.objects.filter(email__iexact=email, email_confirmed=False).first()
        )
    sends = _may_mail(email, "confirm") and user is not None and user.is_active
    with transaction.atomic():
        if sends:
            notify.send_email_confirmation(user=user)
        else:
            notify.write_stand_in_email(recipient=str(email)[:254])
            transaction.set_rollback(True)


def _may_mail(email: object, kind: str) -> bool:
    """Count one requested email to an address; False past the hourly cap.

    Counted by the address typed, known or not, so both answers do the same
    cache work.
    """
    typed = canonical_account(email) if isinstance(email, str) else ""
    key = f"link-emails:{kind}:{hashlib.sha256(typed.encode()).hexdigest()[:32]}"
    if cache.add(key, 1, 3600):
        return True
    try:
        return cache.incr(key) <= settings.IAM_LINK_EMAILS_PER_HOUR
    except ValueError:
        return cache.add(key, 1, 3600)


def authenticate_password(*, email: object, password: object) -> User:
    """Return the tenant user these credentials prove, else raise.

    Unknown email, wrong password and inactive user all raise the same
    InvalidCredentialsError after one hash verification, so neither the
    answer nor its timing tells which. Only a correct password of an
    unconfirmed address learns that it must be confirmed first.
    """
    with login_attempt(scope="password", account=email) as attempt:
        user = _verify_password(email=email, password=password)
        attempt.succeeded(user)
    User.objects.filter(id=user.id).update(last_login_at=timezone.now())
    return user


def _verify_password(*, email: object, password: object) -> User:
    if not isinstance(email, str) or not isinstance(password, str):
        raise InvalidCredentialsError()
    user = User.objects.filter(email__iexact=email).first()
    if user is None or not user.has_usable_password():
        check_dummy_password(password)
        raise InvalidCredentialsError()
    if not user.check_password(password) or not user.is_active:
        raise InvalidCredentialsError()
    if not user.email_confirmed:
        raise EmailNotConfirmedError()
    return user
