"""Writes in the public schema: tenants, their domains and the platform owner."""

import ipaddress
import logging
import re

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.http.request import validate_host
from django_tenants.utils import schema_context, schema_exists, tenant_context

from audit.services import record_event
from tenants.exceptions import (
    PlatformOwnerExistsError,
    TenantExistsError,
    TenantInvalidError,
)
from tenants.models import Domain, PlatformOwner, Tenant, schema_name_for_slug
from tenants.schema_clone import clone_template_schema
from tenants.selectors import forget_cached_tenant

logger = logging.getLogger(__name__)

_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
# Names that would be confusing or collide with paths, hosts or roles.
RESERVED_SLUGS = {
    "public",
    "template",
    "platform",
    "admin",
    "root",
    "www",
    "iam",
    "api",
    "static",
    "system",
}


def validate_slug(slug: object) -> str:
    if not isinstance(slug, str) or not 3 <= len(slug) <= 40 or not _SLUG.match(slug):
        raise TenantInvalidError(
            details={
                "slug": [
                    "Use 3 to 40 lowercase letters, digits and single hyphens, "
                    "starting with a letter."
                ]
            }
        )
    if slug in RESERVED_SLUGS:
        raise TenantInvalidError(details={"slug": ["This slug is reserved."]})
    return slug


def _is_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def validate_domain(domain: object) -> str:
    if not isinstance(domain, str) or not _HOSTNAME.match(domain.lower()):
        raise TenantInvalidError(details={"domain": ["Enter a valid host name."]})
    domain = domain.lower()
    if _is_ip_address(domain):
        raise TenantInvalidError(
            details={"domain": ["Use a host name, not an address."]}
        )
    if domain == settings.IAM_PLATFORM_HOST:
        raise TenantInvalidError(
            details={"domain": ["This host belongs to the platform."]}
        )
    if not validate_host(domain, settings.ALLOWED_HOSTS):
        # Django would refuse every request to it, and email links would
        # point at a host that cannot answer.
        raise TenantInvalidError(
            details={"domain": ["Add this host to ALLOWED_HOSTS first."]}
        )
    return domain


def _validate_root_email(email: object) -> str:
    try:
        validate_email(email)
    except ValidationError as exc:
        raise TenantInvalidError(
            details={"root_email": ["Enter a valid email address."]}
        ) from exc
    return email


def create_tenant(
    *, slug: str, name: str, domain: str, root_email: str, actor=None
) -> Tenant:
    """Create a tenant: its row, domain, schema and root user, all or nothing.

    The schema is cloned from the migrated template inside the same
    transaction as the rows; PostgreSQL rolls DDL back with everything else,
    so a failure at any step leaves no tenant, schema or domain behind.
    The root user gets an unusable password and a welcome email once the
    transaction commits.
    """
    from accounts.services import create_user
    from credentials.signing import create_signing_key

    slug = validate_slug(slug)
    domain = validate_domain(domain)
    root_email = _validate_root_email(root_email)
    name = (name or slug).strip()[:200]
    schema_name = schema_name_for_slug(slug)
    if (
        Tenant.objects.filter(slug=slug).exists()
        or Domain.objects.filter(domain=domain).exists()
    ):
        raise TenantExistsError()
    if not schema_exists(settings.TENANT_BASE_SCHEMA):
        raise RuntimeError(
            "The tenant template schema is missing; run `manage.py migrate`."
        )

    with schema_context("public"):
        try:
            with transaction.atomic():
                tenant = Tenant.objects.create(
                    schema_name=schema_name, slug=slug, name=name
                )
                Domain.objects.create(domain=domain, tenant=tenant, is_primary=True)
                clone_template_schema(
                    template=settings.TENANT_BASE_SCHEMA, schema=schema_name
                )
                with tenant_context(tenant):
                    create_signing_key()
                    record_event(
                        actor=actor,
                        action="iam:CreateTenant",
                        target=tenant.urn,
                        details={"domain": domain, "name": name},
                    )
                    create_user(
                        email=root_email, name="root", is_root=True, actor=actor
                    )
        except IntegrityError as exc:
            raise TenantExistsError() from exc
    forget_cached_tenant(tenant, hostnames=[domain])
    logger.info("tenant created tenant=%s schema=%s", slug, schema_name)
    return tenant


def update_tenant(
    *, tenant: Tenant, name=None, is_active=None, frontend_url=None, actor=None
) -> Tenant:
    """Rename, suspend or resume a tenant, or point its email links elsewhere."""
    fields = []
    if name is not None and name != tenant.name:
        tenant.name = name
        fields.append("name")
    if is_active is not None and is_active != tenant.is_active:
        tenant.is_active = is_active
        fields.append("is_active")
    if frontend_url is not None and frontend_url != tenant.frontend_url:
        tenant.frontend_url = frontend_url
        fields.append("frontend_url")
    if fields:
        with schema_context("public"), transaction.atomic():
            tenant.save(update_fields=[*fields, "updated_at"])
            # The tenant's root sees in its own trail who suspended it and when.
            with tenant_context(tenant):
                record_event(
                    actor=actor,
                    action="iam:UpdateTenant",
                    target=tenant.urn,
                    details={"fields": fields, "is_active": tenant.is_active},
                )
        # Suspension must bite on the next request, not when a cache expires.
        forget_cached_tenant(tenant)
        transaction.on_commit(lambda: forget_cached_tenant(tenant))
    logger.info(
        "tenant updated tenant=%s fields=%s", tenant.slug, ",".join(fields) or "-"
    )
    return tenant


def add_domain(*, tenant: Tenant, domain: str, actor=None) -> Domain:
    """Serve a tenant on one more host."""
    domain = validate_domain(domain)
    with schema_context("public"):
        if Domain.objects.filter(domain=domain).exists():
            raise TenantExistsError("This domain is already in use.")
        try:
            with transaction.atomic():
                row = Domain.objects.create(
                    domain=domain, tenant=tenant, is_primary=False
                )
                with tenant_context(tenant):
                    record_event(
                        actor=actor,
                        action="iam:AddTenantDomain",
                        target=tenant.urn,
                        details={"domain": domain},
                    )
        except IntegrityError as exc:
            raise TenantExistsError("This domain is already in use.") from exc
    forget_cached_tenant(tenant, hostnames=[domain])
    logger.info("domain added tenant=%s domain=%s", tenant.slug, domain)
    return row


def delete_tenant(*, tenant: Tenant) -> None:
    """Drop a tenant's schema and rows. Operators only: there is no undo."""
    hostnames = list(tenant.domains.values_list("domain", flat=True))
    with schema_context("public"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        tenant.delete()
    forget_cached_tenant(tenant, hostnames=hostnames)
    logger.info("tenant deleted tenant=%s", tenant.slug)


def create_platform_owner(*, email: str, password: str) -> PlatformOwner:
    """Create the one platform owner; refuse when one exists."""
    try:
        validate_email(email)
    except ValidationError as exc:
        raise TenantInvalidError(
            details={"email": ["Enter a valid email address."]}
        ) from exc
    owner = PlatformOwner(email=email)
    try:
        validate_password(password, owner)
    except ValidationError as exc:
        raise TenantInvalidError(details={"password": list(exc.messages)}) from exc
    owner.set_password(password)
    with schema_context("public"):
        try:
            with transaction.atomic():
                owner.save(force_insert=True)
        except IntegrityError as exc:
            raise PlatformOwnerExistsError() from exc
    logger.info("platform owner created owner=%s", owner.id)
    return owner


def authenticate_platform_owner(*, email: object, password: object) -> PlatformOwner:
    """Return the platform owner these credentials prove, else raise.

    Same answer and about the same time for an unknown email as for a wrong
    password.
    """
    from accounts.hashing import check_dummy_password
    from credentials.login_attempts import login_attempt
    from iam_project.errors import InvalidCredentialsError

    with (
        schema_context("public"),
        login_attempt(scope="password", account=email) as attempt,
    ):
        if not isinstance(email, str) or not isinstance(password, str):
            raise InvalidCredentialsError()
        owner = PlatformOwner.objects.filter(email__iexact=email).first()
        if owner is None:
            check_dummy_password(password)
            raise InvalidCredentialsError()
        if not owner.check_password(password):
            raise InvalidCredentialsError()
        attempt.succeeded(owner)
    return owner


PRIVILEGED_SESSION_MAX_SECONDS = 15 * 60


def open_privileged_session(
    *, tenant: Tenant, owner: PlatformOwner, reason: str
) -> dict:
    """Let the platform owner act as a tenant's root for at most 15 minutes.

    No password of the tenant is needed or learnt. The token names the owner
    in an `act` claim (RFC 8693) and carries the reason, so that every audit
    event it causes names both; it has no refresh token and cannot outlive
    its 15 minutes. Opening the session is itself recorded in the tenant's
    trail, where its root sees it.
    """
    from accounts.models import User
    from audit.services import record_event
    from credentials.tokens import issue_access_token

    reason = (reason or "").strip()
    if not reason:
        raise TenantInvalidError(
            details={"reason": ["Say why you need to act as root."]}
        )
    ttl = min(PRIVILEGED_SESSION_MAX_SECONDS, settings.IAM_ACCESS_TOKEN_TTL_SECONDS)

    with tenant_context(tenant), transaction.atomic():
        root = User.objects.get(is_root=True)
        token, ttl = issue_access_token(
            root,
            # The contract knows two methods; the owner proved itself with a
            # password, and the act claim says it acts for someone else.
            auth_method="password",
            extra_claims={"act": {"sub": owner.urn}, "reason": reason[:500]},
            ttl_seconds=ttl,
        )
        record_event(
            actor=owner,
            action="iam:CreatePrivilegedSession",
            target=root.urn,
            details={"reason": reason[:500], "expires_in": ttl},
            credential="password",
        )
    logger.info("privileged session opened tenant=%s owner=%s", tenant.slug, owner.id)
    return {"access_token": token, "expires_in": ttl}


def change_platform_owner_password(
    *, owner: PlatformOwner, current_password: object, new_password: object
) -> None:
    """Change the platform owner's password; every session of the owner ends.

    The current password is throttled and audited like a login.
    """
    from credentials.login_attempts import login_attempt
    from credentials.services import revoke_refresh_tokens_of

    with (
        schema_context("public"),
        login_attempt(
            scope="password", account=owner.email, action="iam:ChangePassword"
        ),
    ):
        if not isinstance(current_password, str) or not owner.check_password(
            current_password
        ):
            raise TenantInvalidError(
                details={"current_password": ["The current password is not correct."]}
            )
    if not isinstance(new_password, str):
        raise TenantInvalidError(details={"new_password": ["Enter a password."]})
    try:
        validate_password(new_password, owner)
    except ValidationError as exc:
        raise TenantInvalidError(details={"new_password": list(exc.messages)}) from exc

    with schema_context("public"), transaction.atomic():
        owner.set_password(new_password)
        owner.token_version += 1
        owner.save(update_fields=["password", "token_version"])
        revoke_refresh_tokens_of(subject_id=owner.id)
    logger.info("platform owner password changed owner=%s", owner.id)
