import json
import uuid

from django.conf import settings
from django.db.models import Prefetch, Q

from accounts.models import (
    Group,
    GroupPolicyAttachment,
    Policy,
    User,
    UserPolicyAttachment,
    current_tenant_slug,
)
from accounts.policy_eval import Statement, StatementIndex, parse_document
from accounts.statement_cache import get_cached_statements
from iam_project.errors import NotFoundError


def get_user(user_id: object) -> User:
    """Return the user with this id in the current tenant, or raise NotFoundError."""
    try:
        parsed = uuid.UUID(str(user_id))
    except ValueError as exc:
        raise NotFoundError() from exc
    user = User.objects.filter(id=parsed).first()
    if user is None:
        raise NotFoundError()
    return user


def list_users(*, email: str | None = None):
    users = User.objects.order_by("created_at", "id")
    if email:
        users = users.filter(email__iexact=email)
    return users


def _get_by_id(queryset, object_id: object):
    try:
        parsed = uuid.UUID(str(object_id))
    except ValueError as exc:
        raise NotFoundError() from exc
    found = queryset.filter(id=parsed).first()
    if found is None:
        raise NotFoundError()
    return found


def get_policy(policy_id: object) -> Policy:
    """Return the policy with this id in the current tenant, or raise NotFoundError."""
    return _get_by_id(Policy.objects.all(), policy_id)


def list_policies():
    return Policy.objects.order_by("name", "id")


def list_user_policies(user: User):
    return user.attached_policies.order_by("name", "id")


def get_group(group_id: object, *, with_details: bool = False) -> Group:
    """Return the group with this id, optionally with members and policies loaded."""
    groups = Group.objects.all()
    if with_details:
        groups = groups.prefetch_related(
            Prefetch("members", queryset=User.objects.order_by("email", "id")),
            Prefetch("policies", queryset=Policy.objects.order_by("name", "id")),
        )
    return _get_by_id(groups, group_id)


def list_groups():
    return Group.objects.order_by("name", "id")


def list_effective_statements(user: User) -> tuple[Statement, ...]:
    """Return the statements of every policy attached to the user or its groups."""
    return get_statement_index(user).statements


def get_statement_index(user: User) -> StatementIndex:
    """Return the user's effective statements, indexed for evaluation.

    One query however many groups and policies there are, and none while
    this process holds the user's statements under the tenant's current
    generation (see accounts.statement_cache). Memoized on the user object
    too, so every check of one request reuses the same index.
    """
    cached = getattr(user, "_statement_index", None)
    if cached is not None:
        return cached

    index = get_cached_statements(
        user.id, lambda: StatementIndex(_load_effective_statements(user))
    )
    user._statement_index = index
    return index


def _load_effective_statements(user: User) -> tuple[Statement, ...]:
    direct = UserPolicyAttachment.objects.filter(user_id=user.id).values("policy_id")
    via_groups = GroupPolicyAttachment.objects.filter(
        group__memberships__user_id=user.id
    ).values("policy_id")
    rows = (
        Policy.objects.filter(Q(id__in=direct) | Q(id__in=via_groups))
        .order_by("id")
        .values_list("id", "document")
    )
    slug = current_tenant_slug()
    return tuple(
        statement
        for policy_id, document in rows
        for statement in parse_document(
            document, source=f"urn:iam:{slug}:policy/{policy_id}"
        )
    )


def get_token_policy_claims(user: User) -> dict:
    """Return the `policies` claim for the user's access token, or its stand-in.

    Past IAM_TOKEN_POLICIES_MAX_BYTES the claim is left out and
    `policies_truncated` says so: a downstream service must then ask
    `POST /iam/authorize` instead of deciding from an incomplete list, which
    could miss a Deny.
    """
    documents, seen = [], set()
    for statement in list_effective_statements(user):
        document = statement.as_document()
        key = json.dumps(document, sort_keys=True)
        if key not in seen:
            seen.add(key)
            documents.append(document)
    size = len(json.dumps(documents, separators=(",", ":")).encode())
    if size > settings.IAM_TOKEN_POLICIES_MAX_BYTES:
        return {"policies_truncated": True}
    return {"policies": documents}
