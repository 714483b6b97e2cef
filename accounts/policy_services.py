"""Every write to policies and their attachments to users and groups.

Documents are validated here, with the same parser that evaluates them, so
the API, the admin and the commands cannot store a document the evaluator
would read differently. All functions work in the current tenant schema.
"""

import logging
import re

from django.db import transaction

from accounts.exceptions import (
    ManagedPolicyProtectedError,
    PolicyDocumentInvalidError,
    PolicyInUseError,
    PolicyNameTakenError,
)
from accounts.models import (
    Group,
    GroupPolicyAttachment,
    Policy,
    User,
    UserPolicyAttachment,
)
from accounts.policy_eval import PolicyDocumentError, parse_document
from accounts.uniqueness import is_taken, save_unique
from audit.services import record_event
from iam_project.errors import ValidationFailedError

logger = logging.getLogger(__name__)

# AWS's alphabet for policy and group names.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_+=,.@-]{1,128}")


def validate_name(name: object) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValidationFailedError(
            details={"name": ["Use 1 to 128 letters, digits and _+=,.@-"]}
        )
    return name


def validate_document(document: object) -> dict:
    try:
        parse_document(document)
    except PolicyDocumentError as exc:
        raise PolicyDocumentInvalidError(exc.errors) from exc
    return document


def create_policy(
    *, actor: User, name: str, document: dict, description: str = ""
) -> Policy:
    """Create a customer policy after validating its name and document."""
    name = validate_name(name)
    document = validate_document(document)
    if is_taken(Policy, "name", name):
        raise PolicyNameTakenError()

    policy = Policy(name=name, description=description, document=document)
    with transaction.atomic():
        save_unique(policy, error=PolicyNameTakenError)
        record_event(
            actor=actor,
            action="iam:CreatePolicy",
            target=policy.urn,
            details={"name": name},
        )

    logger.info("policy created policy=%s actor=%s", policy.id, actor.id)
    return policy


def update_policy(
    *, actor: User, policy: Policy, name=None, description=None, document=None
) -> Policy:
    """Rename, describe or rewrite a customer policy; managed ones refuse (409)."""
    if policy.is_managed:
        raise ManagedPolicyProtectedError()

    fields = []
    if name is not None and name != policy.name:
        name = validate_name(name)
        if is_taken(Policy, "name", name, exclude_id=policy.id):
            raise PolicyNameTakenError()
        policy.name = name
        fields.append("name")
    if description is not None and description != policy.description:
        policy.description = description
        fields.append("description")
    if document is not None and document != policy.document:
        policy.document = validate_document(document)
        fields.append("document")
    if fields:
        with transaction.atomic():
            save_unique(
                policy,
                error=PolicyNameTakenError,
                update_fields=[*fields, "updated_at"],
            )
            record_event(
                actor=actor,
                action="iam:UpdatePolicy",
                target=policy.urn,
                details={"fields": fields},
            )

    logger.info(
        "policy updated policy=%s actor=%s fields=%s",
        policy.id,
        actor.id,
        ",".join(fields) or "-",
    )
    return policy


def delete_policy(*, actor: User, policy: Policy) -> None:
    """Delete a customer policy that is attached to nobody (409 otherwise)."""
    if policy.is_managed:
        raise ManagedPolicyProtectedError()
    if policy.user_attachments.exists() or policy.group_attachments.exists():
        raise PolicyInUseError()

    policy_id, urn = policy.id, policy.urn
    with transaction.atomic():
        policy.delete()
        record_event(actor=actor, action="iam:DeletePolicy", target=urn)
    logger.info("policy deleted policy=%s actor=%s", policy_id, actor.id)


def attach_user_policy(*, actor: User, user: User, policy: Policy) -> None:
    """Attach a policy to a user; attaching it again changes nothing."""
    _attach(UserPolicyAttachment, actor=actor, holder=user, policy=policy, field="user")


def detach_user_policy(*, actor: User, user: User, policy: Policy) -> None:
    """Detach a policy from a user; detaching one not attached changes nothing."""
    _detach(UserPolicyAttachment, actor=actor, holder=user, policy=policy, field="user")


def attach_group_policy(*, actor: User, group: Group, policy: Policy) -> None:
    """Attach a policy to a group; attaching it again changes nothing."""
    _attach(
        GroupPolicyAttachment, actor=actor, holder=group, policy=policy, field="group"
    )


def detach_group_policy(*, actor: User, group: Group, policy: Policy) -> None:
    """Detach a policy from a group; detaching one not attached changes nothing."""
    _detach(
        GroupPolicyAttachment, actor=actor, holder=group, policy=policy, field="group"
    )


def _attach(model, *, actor: User, holder, policy: Policy, field: str) -> None:
    with transaction.atomic():
        _, created = model.objects.get_or_create(**{field: holder}, policy=policy)
        if created:
            record_event(
                actor=actor,
                action="iam:AttachPolicy",
                target=holder.urn,
                details={"policy": policy.urn},
            )
    if created:
        logger.info(
            "policy attached policy=%s %s=%s actor=%s",
            policy.id,
            field,
            holder.id,
            actor.id,
        )


def _detach(model, *, actor: User, holder, policy: Policy, field: str) -> None:
    with transaction.atomic():
        deleted, _ = model.objects.filter(**{field: holder}, policy=policy).delete()
        if deleted:
            record_event(
                actor=actor,
                action="iam:DetachPolicy",
                target=holder.urn,
                details={"policy": policy.urn},
            )
    if deleted:
        logger.info(
            "policy detached policy=%s %s=%s actor=%s",
            policy.id,
            field,
            holder.id,
            actor.id,
        )
