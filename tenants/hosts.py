"""Which side of the service a request reached: the platform's or a tenant's.

The routing middleware picks the schema; this names the result for the
admin and its log-in backends, which must never mix the two sides.
"""

from django.db import connection
from django_tenants.utils import get_public_schema_name

PLATFORM = "platform"
TENANT = "tenant"


def request_scope(request) -> str | None:
    """Return PLATFORM, TENANT, or None when the request is neither cleanly.

    PLATFORM is the platform host in the public schema. TENANT is a
    tenant's own host in that tenant's schema. The platform host routed to
    a tenant by a credential or an issuer path (/t/<slug>/...) is neither:
    the admin there would set a cookie for the platform host that holds a
    tenant's session.
    """
    if request is None:
        return None
    tenant = getattr(request, "tenant", None)
    via_platform_host = getattr(request, "via_platform_host", False)
    schema = connection.schema_name

    if via_platform_host and tenant is None and schema == get_public_schema_name():
        return PLATFORM
    if not via_platform_host and tenant is not None and schema == tenant.schema_name:
        return TENANT
    return None
