"""Django's admin app, with the IAM site as its default `admin.site`."""

from django.contrib.admin.apps import AdminConfig


class IamAdminConfig(AdminConfig):
    default_site = "tenants.admin_site.IamAdminSite"
