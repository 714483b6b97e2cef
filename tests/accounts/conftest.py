"""Factories for access-rights tests: policies, groups and signed-in users."""

import pytest
from django_tenants.utils import tenant_context

from accounts.models import (
    Group,
    GroupMembership,
    GroupPolicyAttachment,
    Policy,
    UserPolicyAttachment,
)
from tests.conftest import IamClient, login, make_user


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def make_policy(tenant, *statements, name=None):
    with tenant_context(tenant):
        return Policy.objects.create(
            name=name or f"p-{Policy.objects.count()}",
            document={"Statement": list(statements)},
        )


def grant(tenant, user, *statements, name=None):
    """Attach a new policy with these statements directly to the user."""
    policy = make_policy(tenant, *statements, name=name)
    with tenant_context(tenant):
        UserPolicyAttachment.objects.create(user=user, policy=policy)
    return policy


def make_group(tenant, name, *, members=(), policies=()):
    with tenant_context(tenant):
        group = Group.objects.create(name=name)
        for user in members:
            GroupMembership.objects.create(group=group, user=user)
        for policy in policies:
            GroupPolicyAttachment.objects.create(group=group, policy=policy)
    return group


def managed(tenant, name):
    with tenant_context(tenant):
        return Policy.objects.get(name=name, is_managed=True)


def client_of(tenant, user):
    host = tenant.domains.get(is_primary=True).domain
    return IamClient(host).bearer(login(host, user.email)["access_token"])


@pytest.fixture
def alice(acme):
    return make_user(acme, email="alice@acme.test", name="Alice")


@pytest.fixture
def bob(acme):
    return make_user(acme, email="bob@acme.test", name="Bob")


@pytest.fixture
def alice_client(acme, alice):
    return client_of(acme, alice)
