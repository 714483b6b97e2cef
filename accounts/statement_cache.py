"""A process-local cache of each user's parsed effective statements.

Loading and strictly re-parsing every attached policy was the largest cost
of an authorized request (one query, then validation of every statement).
Parsed statements are kept per process, keyed by schema and user, and are
valid only under the tenant's current *generation* (tenants.selectors): a
random token in the shared cache that every change to policies, groups,
memberships or attachments replaces, at once and when its transaction
commits. The token comes with the tenant in the routing look-up, so a warm
request asks Postgres nothing for its statements, and a change reaches every
worker on its next request.

The generation is bumped by model signals, so the API's services, the admin
and the shell all invalidate alike. Writes that skip signals
(`QuerySet.update()`, raw SQL) must call `forget_effective_statements()`.
"""

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from tenants.selectors import bump_tenant_generation, get_tenant_generation

# Bounds memory: the whole map is dropped when it grows past this.
MAX_ENTRIES = 10_000
_entries: dict[tuple[str, str], tuple[str, tuple]] = {}


def get_cached_statements(user_id, load) -> tuple:
    """Return the user's statements from this process, or `load()` and keep them."""
    key = (connection.schema_name, str(user_id))
    generation = get_tenant_generation(connection.tenant)
    found = _entries.get(key)
    if found is not None and found[0] == generation:
        return found[1]

    statements = load()
    if generation is not None:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (generation, statements)
    return statements


def forget_effective_statements() -> None:
    """Invalidate the current tenant's cached statements, now and on commit."""
    schema = connection.schema_name

    # Now, so that this connection sees its own change before the commit
    # (and tests, whose transactions never commit, see it at all), and again
    # after the commit, which retires whatever another worker cached from
    # the old rows in between.
    bump_tenant_generation(schema)
    transaction.on_commit(lambda: bump_tenant_generation(schema))


def _on_change(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loaddata: no live data is being changed
    forget_effective_statements()


def connect_signals() -> None:
    """Bump the generation on every write that can change effective statements."""
    from accounts.models import (
        Group,
        GroupMembership,
        GroupPolicyAttachment,
        Policy,
        UserPolicyAttachment,
    )

    for model in (
        Policy,
        Group,
        GroupMembership,
        GroupPolicyAttachment,
        UserPolicyAttachment,
    ):
        uid = f"effective-statements-{model.__name__}"
        post_save.connect(_on_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=uid + "-delete")
    for through in (
        Group.members.through,
        Group.policies.through,
        Policy.users.through,
    ):
        m2m_changed.connect(
            _on_change, sender=through, dispatch_uid=f"effective-m2m-{through}"
        )
