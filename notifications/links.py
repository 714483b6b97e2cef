"""Where email links point: never derived from the request's Host header."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import connection

PAGES = {
    "set_password": "reset-password",
    "confirm_email": "confirm-email",
    "cancel_email_change": "cancel-email-change",
}


def tenant_base_url(tenant) -> str:
    """The tenant's frontend_url, else IAM_FRONTEND_URL, else its own pages."""
    if tenant.frontend_url:
        return tenant.frontend_url.rstrip("/")
    if settings.IAM_FRONTEND_URL:
        return settings.IAM_FRONTEND_URL
    domain = tenant.get_primary_domain()
    return settings.IAM_TENANT_URL_TEMPLATE.format(domain=domain.domain) + "/iam"


def build_link(page: str, token: str, tenant=None) -> str:
    tenant = tenant or connection.tenant
    return f"{tenant_base_url(tenant)}/{PAGES[page]}?{urlencode({'token': token})}"
