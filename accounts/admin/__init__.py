"""Root's admin of its tenant: users, groups and policies.

Every write calls the service the API calls (accounts.services,
accounts.group_services, accounts.policy_services) with root as the actor.
Importing the modules registers their admins.
"""

from django.contrib import admin
from django.contrib.auth.models import Group as AuthGroup

from accounts.admin import groups, policies, users  # noqa: F401

# Django's permission groups mean nothing here; IAM groups are accounts.Group.
if admin.site.is_registered(AuthGroup):
    admin.site.unregister(AuthGroup)
