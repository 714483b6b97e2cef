"""The policies every tenant starts with.

Migrations create them in the template schema and in every existing tenant;
new tenants are cloned from the template with its rows, so they start with
them too. To change one, edit it here and add a data migration that calls
`sync_managed_policies` again. Their ids derive from their names, so a
managed policy has the same id in every tenant.
"""

import uuid

_ID_NAMESPACE = uuid.UUID("5d0c6f1e-6f2b-4f47-9d55-1b3f6a1c2e90")

MANAGED_POLICIES = {
    "AdministratorAccess": {
        "description": "Every action on every resource of the tenant.",
        "document": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowEverything",
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                }
            ],
        },
    },
    "IamFullAccess": {
        "description": "Every IAM action: users, keys, policies and groups.",
        "document": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowIam",
                    "Effect": "Allow",
                    "Action": "iam:*",
                    "Resource": "*",
                }
            ],
        },
    },
    "IamReadOnlyAccess": {
        "description": "Read every IAM object; change nothing.",
        "document": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowIamReads",
                    "Effect": "Allow",
                    "Action": ["iam:List*", "iam:Get*"],
                    "Resource": "*",
                }
            ],
        },
    },
}


def managed_policy_id(name: str) -> uuid.UUID:
    return uuid.uuid5(_ID_NAMESPACE, name)


def sync_managed_policies(policy_model) -> None:
    """Create or refresh the managed policies with the given (historical) model."""
    for name, spec in MANAGED_POLICIES.items():
        policy_model.objects.update_or_create(
            id=managed_policy_id(name),
            defaults={
                "name": name,
                "description": spec["description"],
                "document": spec["document"],
                "is_managed": True,
            },
        )
