"""Admin log-in for the platform owner, on the platform host only."""

from django.contrib.auth.backends import BaseBackend
from django.db import connection
from django_tenants.utils import get_public_schema_name

from iam_project.errors import IAMError, TooManyAttemptsError
from tenants.hosts import PLATFORM, request_scope
from tenants.models import PlatformOwner
from tenants.services import authenticate_platform_owner


class PlatformOwnerBackend(BaseBackend):
    def authenticate(self, request, email=None, password=None, **kwargs):
        # A tenant host, or the platform host routed into a tenant, never
        # logs the owner in: its session would live beside a tenant's data.
        if request_scope(request) != PLATFORM:
            return None
        try:
            return authenticate_platform_owner(email=email, password=password)
        except TooManyAttemptsError:
            # Passed on, so the log-in form can say to wait rather than
            # blame the password.
            raise
        except IAMError:
            return None

    def get_user(self, user_id):
        # Tenant schemas see `public` on their search path, so the owner's
        # row is reachable from them; only the public schema may load it.
        if connection.schema_name != get_public_schema_name():
            return None
        return PlatformOwner.objects.filter(pk=user_id).first()
