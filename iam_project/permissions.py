from django.db import connection
from rest_framework.permissions import BasePermission

from iam_project.errors import PermissionDeniedError


class InTenant(BasePermission):
    """The request runs in a tenant schema with a tenant principal."""

    def has_permission(self, request, view):
        if request.user is None:
            return False  # DRF answers 401 not_authenticated
        if connection.schema_name == "public":
            raise PermissionDeniedError(
                "This call needs a tenant host or a tenant credential."
            )
        return request.user is not None and not getattr(
            request.user, "is_platform_owner", False
        )


class IsPlatformOwner(BasePermission):
    """The request runs in the public schema as the platform owner."""

    def has_permission(self, request, view):
        if request.user is None:
            return False
        if connection.schema_name != "public" or not getattr(
            request.user, "is_platform_owner", False
        ):
            raise PermissionDeniedError(
                "Only the platform owner may call the platform API."
            )
        return True
