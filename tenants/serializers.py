from rest_framework import serializers

from iam_project.serializers import StrictSerializer
from tenants.models import Tenant


class TenantSerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)
    # Empty while the service default (IAM_FRONTEND_URL) applies, so not
    # always a URI.
    frontend_url = serializers.CharField(read_only=True)
    domains = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = [
            "slug",
            "urn",
            "name",
            "is_active",
            "frontend_url",
            "domains",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_domains(self, tenant) -> list[str]:
        return [domain.domain for domain in tenant.domains.all()]


class TenantCreateSerializer(StrictSerializer):
    slug = serializers.CharField(max_length=40)
    name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    domain = serializers.CharField(max_length=253)
    root_email = serializers.EmailField(max_length=254)


class TenantUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    is_active = serializers.BooleanField(required=False)
    frontend_url = serializers.URLField(
        max_length=200, required=False, allow_blank=True
    )


class DomainCreateSerializer(StrictSerializer):
    domain = serializers.CharField(max_length=253)


class PrivilegedSessionSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)


class PrivilegedSessionTokenSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    expires_in = serializers.IntegerField()
