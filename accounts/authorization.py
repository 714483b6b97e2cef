"""The single decision point for the IAM API and /iam/authorize.

Root may do anything in its tenant. Every user may read and update itself,
change its own password and manage its own access keys. Everything else is
denied unless a policy allows it (the policy evaluator plugs in here).
"""

from dataclasses import dataclass

from django.db import connection

from iam_project.errors import PermissionDeniedError

ALLOW = "allow"
EXPLICIT_DENY = "explicit_deny"
IMPLICIT_DENY = "implicit_deny"

# Actions every user may take on its own user URN.
SELF_SERVICE_ACTIONS = {
    "iam:GetUser",
    "iam:UpdateUser",
    "iam:ChangePassword",
    "iam:ListAccessKeys",
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:DeleteAccessKey",
}


@dataclass(frozen=True)
class Decision:
    decision: str
    statement: dict | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOW


def tenant_urn(kind: str, object_id: object = "*") -> str:
    slug = getattr(connection.tenant, "slug", "")
    return f"urn:iam:{slug}:{kind}/{object_id}"


def decide(principal, action: str, resource: str) -> Decision:
    """Decide whether a tenant principal may perform an action on a resource."""
    if getattr(principal, "is_platform_owner", False) or not principal.is_active:
        return Decision(IMPLICIT_DENY)
    if principal.is_root:
        return Decision(ALLOW)
    if action in SELF_SERVICE_ACTIONS and resource == principal.urn:
        return Decision(ALLOW)
    return Decision(IMPLICIT_DENY)


def authorize(principal, action: str, resource: str) -> None:
    """Raise PermissionDeniedError unless the principal may act on the resource."""
    if not decide(principal, action, resource).allowed:
        raise PermissionDeniedError()
