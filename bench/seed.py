"""Seed the benchmark's tenant and write what the load generator needs as JSON.

Run as `python -m bench.seed OUT.json` with DJANGO_SETTINGS_MODULE set to
bench.settings. The tenant holds a root, a password user, a user with an
access key, and a user in 5 groups carrying 50 policies of 10 statements.
"""

import json
import sys

import django

PASSWORD = "bench passphrase that is long enough"
GROUPS = 5
POLICIES = 50
STATEMENTS_PER_POLICY = 10
TOKEN_TTL_SECONDS = 3600


def _statements(policy_index: int, slug: str) -> list[dict]:
    """Ten statements that mostly miss, so every one of them is evaluated."""
    statements = []
    for index in range(STATEMENTS_PER_POLICY):
        statements.append(
            {
                "Effect": "Deny" if index == 9 else "Allow",
                "Action": [f"svc{policy_index}:Get*", f"svc{policy_index}:List?tems"],
                "Resource": [f"urn:iam:{slug}:thing/{policy_index}/{index}/*"],
            }
        )
    if policy_index == POLICIES - 1:
        statements[0] = {
            "Effect": "Allow",
            "Action": ["iam:Get*"],
            "Resource": f"urn:iam:{slug}:user/*",
        }
    return statements


def _user(model, email: str):
    user = model(email=email, name=email.split("@")[0], email_confirmed=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def seed(out_path: str) -> None:
    from django_tenants.utils import tenant_context

    from accounts.models import (
        Group,
        GroupMembership,
        GroupPolicyAttachment,
        Policy,
        User,
    )
    from credentials.access_keys import create_access_key
    from credentials.tokens import issue_access_token
    from tenants.services import create_tenant

    slug, host = "bench", "bench.localhost"
    tenant = create_tenant(
        slug=slug, name="Bench", domain=host, root_email="root@bench.test"
    )
    with tenant_context(tenant):
        root = User.objects.get(is_root=True)
        root.set_password(PASSWORD)
        root.email_confirmed = True
        root.save()
        login_user = _user(User, "login@bench.test")
        key_user = _user(User, "keys@bench.test")
        key, secret = create_access_key(user=key_user)
        policy_user = _user(User, "policies@bench.test")

        groups = [Group.objects.create(name=f"group-{i}") for i in range(GROUPS)]
        for group in groups:
            GroupMembership.objects.create(group=group, user=policy_user)
        for index in range(POLICIES):
            policy = Policy.objects.create(
                name=f"policy-{index}",
                document={
                    "Version": "2012-10-17",
                    "Statement": _statements(index, slug),
                },
            )
            GroupPolicyAttachment.objects.create(
                group=groups[index % GROUPS], policy=policy
            )

        def token(user) -> str:
            return issue_access_token(
                user, auth_method="password", ttl_seconds=TOKEN_TTL_SECONDS
            )[0]

        fixtures = {
            "host": host,
            "slug": slug,
            "password": PASSWORD,
            "root_id": str(root.id),
            "me_token": token(login_user),
            "login_email": login_user.email,
            "access_key_id": key.access_key_id,
            "secret_access_key": secret,
            "policy_user_id": str(policy_user.id),
            "policy_token": token(policy_user),
            "authorize_body": {
                "action": "iam:GetUser",
                "resource": f"urn:iam:{slug}:user/{root.id}",
            },
            "issuer": f"/t/{slug}",
        }
    with open(out_path, "w") as handle:
        json.dump(fixtures, handle)


if __name__ == "__main__":
    django.setup()
    seed(sys.argv[1])
