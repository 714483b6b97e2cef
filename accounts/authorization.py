"""The single decision point for the IAM API and /iam/authorize.

Order of a decision:

0. An `urn:iam:` resource is first brought to its canonical spelling
   (policy_eval.canonical_resource), so every later step, and every policy,
   sees one spelling of it.
1. Inactive principals, the platform owner, and any `urn:iam:` resource of
   another tenant (or of the platform) are denied: no policy reaches across
   tenants, not even root's.
2. A privileged session (the platform owner acting as root) may not mint
   or change lasting credentials (access keys, SSH keys, password, email):
   an explicit deny, so the session cannot outlive its 15 minutes.
3. Root may do anything else in its tenant.
4. Only root changes root: any action other than reads on root's user URN
   or on root's keys is an explicit deny for everyone else, whatever their
   policies say.
5. The user's effective statements (attached directly or through groups)
   plus the self-service rule (read and update yourself, your email
   included, change your password, manage your own access keys) are
   evaluated by policy_eval: an explicit Deny wins, then an Allow,
   otherwise implicit deny. A Deny therefore also takes self-service away,
   as an administrator would expect.
"""

import uuid
from types import SimpleNamespace

from accounts.models import User, current_tenant_slug
from accounts.policy_eval import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Result,
    Statement,
    canonical_resource,
    evaluate,
    is_outside_tenant,
)
from accounts.selectors import get_statement_index
from credentials.selectors import is_own_credential
from iam_project.errors import (
    NotFoundError,
    PermissionDeniedError,
    ValidationFailedError,
)

__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Decision",
    "authorize",
    "decide",
    "object_urn",
    "parse_principal_urn",
    "tenant_urn",
]

# The evaluator's result is the decision: one shape for API and simulator.
Decision = Result

# Actions every user may take on its own user URN and its own credentials.
SELF_SERVICE_ACTIONS = (
    "iam:GetUser",
    "iam:UpdateUser",
    "iam:UpdateLoginProfile",
    "iam:ChangePassword",
    "iam:ListAccessKeys",
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:DeleteAccessKey",
    "iam:ListSSHPublicKeys",
    "iam:UploadSSHPublicKey",
    "iam:UpdateSSHPublicKey",
    "iam:DeleteSSHPublicKey",
)
_ROOT_OWNED_KINDS = ("user", "access-key", "ssh-key")
_ROOT_READ_PREFIXES = ("iam:get", "iam:list", "iam:simulateprincipalpolicy")
_ROOT_GUARD = Statement(
    "Deny", ("*",), ("*",), sid="OnlyRootChangesRoot", source="builtin:root-guard"
)
# A credential made or changed by a privileged session would outlast the
# session's 15 minutes and act later without the owner's name on it.
_PRIVILEGED_SESSION_GUARD = Statement(
    "Deny",
    (
        "iam:CreateAccessKey",
        "iam:UploadSSHPublicKey",
        "iam:ChangePassword",
        "iam:UpdateLoginProfile",
    ),
    ("*",),
    sid="PrivilegedSessionCannotMintCredentials",
    source="builtin:privileged-session",
)


def tenant_urn(kind: str, object_id: object = "*") -> str:
    return f"urn:iam:{current_tenant_slug()}:{kind}/{object_id}"


def object_urn(kind: str, object_id: object) -> str:
    """The URN of one object from a raw id, in canonical form, or NotFoundError.

    Ids are canonicalized before any check: `ABCD...` and `abcd...` name the
    same row, and a Deny written for one spelling must catch the other.
    """
    try:
        parsed = uuid.UUID(str(object_id))
    except ValueError as exc:
        raise NotFoundError() from exc
    return tenant_urn(kind, parsed)


def parse_principal_urn(reference: str) -> str:
    """The canonical URN of the user a `principal` field names (id or URN).

    Another tenant's URN is NotFoundError, like an unknown id: from here no
    other tenant exists. Anything but a user is a ValidationFailedError.
    """
    reference = canonical_resource(reference)
    if not reference.startswith("urn:iam:"):
        try:
            return tenant_urn("user", uuid.UUID(reference))
        except ValueError as exc:
            raise _principal_invalid() from exc

    tenant, _, rest = reference.removeprefix("urn:iam:").partition(":")
    kind, _, object_id = rest.partition("/")
    if kind != "user" or not object_id:
        raise _principal_invalid()
    if tenant != current_tenant_slug():
        raise NotFoundError()
    return object_urn("user", object_id)


def _principal_invalid() -> ValidationFailedError:
    return ValidationFailedError(
        details={"principal": ["Give a user id or a user URN."]}
    )


def _root_id(principal):
    if not hasattr(principal, "_root_id"):
        root_ids = User.objects.filter(is_root=True).values_list("id", flat=True)
        principal._root_id = root_ids.first()
    return principal._root_id


def _changes_root(principal, action: str, resource: str) -> bool:
    """Whether a non-read action targets root's user or one of root's keys."""
    prefix = f"urn:iam:{current_tenant_slug()}:"
    if not resource.startswith(prefix):
        return False
    kind = resource.removeprefix(prefix).partition("/")[0]
    if kind not in _ROOT_OWNED_KINDS or action.lower().startswith(_ROOT_READ_PREFIXES):
        return False
    root_id = _root_id(principal)
    if root_id is None:
        return False
    if kind == "user":
        return resource == tenant_urn("user", root_id)
    return is_own_credential(SimpleNamespace(id=root_id), resource)


def _self_service(principal, action: str, resource: str) -> Statement:
    resources = (principal.urn,)
    if action in SELF_SERVICE_ACTIONS and is_own_credential(principal, resource):
        resources = (principal.urn, resource)
    return Statement(
        "Allow",
        SELF_SERVICE_ACTIONS,
        resources,
        sid="SelfService",
        source="builtin:self-service",
    )


def decide(principal, action: str, resource: str) -> Decision:
    """Decide whether a tenant principal may perform an action on a resource."""
    resource = canonical_resource(resource)
    if getattr(principal, "is_platform_owner", False) or not principal.is_active:
        return Decision(IMPLICIT_DENY)
    if is_outside_tenant(resource, current_tenant_slug()):
        return Decision(IMPLICIT_DENY)
    # Set by BearerAuthentication from the token's `act` claim.
    if getattr(principal, "impersonator", None) is not None:
        if _PRIVILEGED_SESSION_GUARD.matches(action.lower(), resource):
            return Decision(EXPLICIT_DENY, _PRIVILEGED_SESSION_GUARD)
    if principal.is_root:
        return Decision(ALLOW)
    if _changes_root(principal, action, resource):
        return Decision(EXPLICIT_DENY, _ROOT_GUARD)

    # Only the statements that can match this action's service are walked;
    # the order, and so the deciding statement, is unchanged.
    statements = (
        *get_statement_index(principal).candidates(action),
        _self_service(principal, action, resource),
    )
    return evaluate(statements, action, resource)


def authorize(principal, action: str, resource: str) -> None:
    """Raise PermissionDeniedError unless the principal may act on the resource."""
    if not decide(principal, action, resource).allowed:
        raise PermissionDeniedError()
