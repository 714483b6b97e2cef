"""Admin log-in for a tenant's root user, on that tenant's own host only."""

import logging

from django.contrib.auth.backends import BaseBackend
from django.db import connection
from django_tenants.utils import get_public_schema_name

from accounts.models import User
from accounts.services import authenticate_password
from audit.models import AuditEvent
from audit.services import record_event
from iam_project.errors import IAMError, TooManyAttemptsError
from tenants.hosts import TENANT, request_scope

logger = logging.getLogger(__name__)


class TenantRootBackend(BaseBackend):
    def authenticate(self, request, email=None, password=None, **kwargs):
        if request_scope(request) != TENANT:
            return None
        try:
            # The API's own check: one hash verification whatever the
            # outcome, inactive and unconfirmed users refused.
            user = authenticate_password(email=email, password=password)
        except TooManyAttemptsError:
            # Passed on, so the log-in form can say to wait rather than
            # blame the password.
            raise
        except IAMError:
            return None
        # Only root runs the tenant admin (issue 6); opening it to users
        # whose policies allow it would replace this check with a decide().
        if not user.is_root:
            # The password was right, so the log-in itself is recorded as a
            # success; this says that the admin then turned the user away.
            record_event(
                actor=user,
                action="iam:AdminLogin",
                target=user.urn,
                outcome=AuditEvent.Outcome.DENIED,
            )
            logger.info("admin login refused user=%s reason=not_root", user.id)
            return None
        return user

    def get_user(self, user_id):
        if connection.schema_name == get_public_schema_name():
            return None
        return User.objects.filter(
            pk=user_id, is_root=True, is_active=True, email_confirmed=True
        ).first()
