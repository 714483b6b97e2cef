from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from accounts.authorization import authorize, tenant_urn
from audit.selectors import list_audit_events
from audit.serializers import AuditEventFilterSerializer, AuditEventSerializer
from iam_project.pagination import PageNumberPagination
from iam_project.permissions import InTenant


class AuditEventListView(APIView):
    permission_classes = [InTenant]

    @extend_schema(
        parameters=[AuditEventFilterSerializer],
        responses=AuditEventSerializer(many=True),
    )
    def get(self, request):
        authorize(request.user, "iam:ListAuditEvents", tenant_urn("audit-event"))
        filters = AuditEventFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)

        paginator = PageNumberPagination()
        events = list_audit_events(**filters.validated_data)
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(
            AuditEventSerializer(page, many=True).data
        )
