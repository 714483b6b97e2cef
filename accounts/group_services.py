"""Every write to groups and their members. Works in the current tenant schema."""

import logging

from django.db import transaction

from accounts.exceptions import GroupNameTakenError
from accounts.models import Group, GroupMembership, User
from accounts.policy_services import validate_name
from accounts.uniqueness import is_taken, save_unique
from audit.services import record_event

logger = logging.getLogger(__name__)


def create_group(*, actor: User, name: str) -> Group:
    """Create an empty group with a name unique in the tenant."""
    name = validate_name(name)
    if is_taken(Group, "name", name):
        raise GroupNameTakenError()

    group = Group(name=name)
    with transaction.atomic():
        save_unique(group, error=GroupNameTakenError)
        record_event(
            actor=actor,
            action="iam:CreateGroup",
            target=group.urn,
            details={"name": name},
        )

    logger.info("group created group=%s actor=%s", group.id, actor.id)
    return group


def update_group(*, actor: User, group: Group, name=None) -> Group:
    """Rename a group."""
    if name is not None and name != group.name:
        name = validate_name(name)
        if is_taken(Group, "name", name, exclude_id=group.id):
            raise GroupNameTakenError()
        group.name = name
        with transaction.atomic():
            save_unique(
                group, error=GroupNameTakenError, update_fields=["name", "updated_at"]
            )
            record_event(
                actor=actor,
                action="iam:UpdateGroup",
                target=group.urn,
                details={"name": name},
            )
        logger.info("group renamed group=%s actor=%s", group.id, actor.id)
    return group


def delete_group(*, actor: User, group: Group) -> None:
    """Delete a group; its members lose the rights its policies gave them."""
    group_id, urn = group.id, group.urn
    with transaction.atomic():
        group.delete()
        record_event(actor=actor, action="iam:DeleteGroup", target=urn)
    logger.info("group deleted group=%s actor=%s", group_id, actor.id)


def add_group_member(*, actor: User, group: Group, user: User) -> None:
    """Add a user to a group; adding a member again changes nothing."""
    with transaction.atomic():
        _, created = GroupMembership.objects.get_or_create(group=group, user=user)
        if created:
            record_event(
                actor=actor,
                action="iam:AddUserToGroup",
                target=group.urn,
                details={"user": user.urn},
            )
    if created:
        logger.info(
            "group member added group=%s user=%s actor=%s", group.id, user.id, actor.id
        )


def remove_group_member(*, actor: User, group: Group, user: User) -> None:
    """Remove a user from a group; removing a non-member changes nothing."""
    with transaction.atomic():
        deleted, _ = GroupMembership.objects.filter(group=group, user=user).delete()
        if deleted:
            record_event(
                actor=actor,
                action="iam:RemoveUserFromGroup",
                target=group.urn,
                details={"user": user.urn},
            )
    if deleted:
        logger.info(
            "group member removed group=%s user=%s actor=%s",
            group.id,
            user.id,
            actor.id,
        )
