"""The platform API: the platform owner manages tenants on the platform host."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from iam_project.errors import NotFoundError
from iam_project.openapi import CONFLICT
from iam_project.pagination import PageNumberPagination
from iam_project.permissions import IsPlatformOwner
from tenants import selectors, services
from tenants.models import Tenant
from tenants.serializers import (
    DomainCreateSerializer,
    PrivilegedSessionSerializer,
    PrivilegedSessionTokenSerializer,
    TenantCreateSerializer,
    TenantSerializer,
    TenantUpdateSerializer,
)


def get_tenant_or_404(slug: str) -> Tenant:
    tenant = selectors.list_tenants().filter(slug=slug).first()
    if tenant is None:
        raise NotFoundError()
    return tenant


class TenantListView(APIView):
    permission_classes = [IsPlatformOwner]

    @extend_schema(responses=TenantSerializer(many=True))
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.list_tenants(), request, view=self)
        return paginator.get_paginated_response(TenantSerializer(page, many=True).data)

    @extend_schema(
        request=TenantCreateSerializer,
        responses={201: TenantSerializer, 409: CONFLICT},
    )
    def post(self, request):
        serializer = TenantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tenant = services.create_tenant(actor=request.user, **serializer.validated_data)
        return Response(TenantSerializer(tenant).data, status=status.HTTP_201_CREATED)


class TenantDetailView(APIView):
    permission_classes = [IsPlatformOwner]

    @extend_schema(responses=TenantSerializer)
    def get(self, request, slug):
        return Response(TenantSerializer(get_tenant_or_404(slug)).data)

    @extend_schema(request=TenantUpdateSerializer, responses=TenantSerializer)
    def patch(self, request, slug):
        tenant = get_tenant_or_404(slug)
        serializer = TenantUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tenant = services.update_tenant(
            tenant=tenant, actor=request.user, **serializer.validated_data
        )
        return Response(TenantSerializer(get_tenant_or_404(tenant.slug)).data)


class TenantDomainView(APIView):
    permission_classes = [IsPlatformOwner]

    @extend_schema(
        request=DomainCreateSerializer,
        responses={201: TenantSerializer, 409: CONFLICT},
    )
    def post(self, request, slug):
        tenant = get_tenant_or_404(slug)
        serializer = DomainCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.add_domain(
            tenant=tenant, actor=request.user, **serializer.validated_data
        )
        return Response(
            TenantSerializer(get_tenant_or_404(slug)).data,
            status=status.HTTP_201_CREATED,
        )


class PrivilegedSessionView(APIView):
    permission_classes = [IsPlatformOwner]

    @extend_schema(
        request=PrivilegedSessionSerializer,
        responses={201: PrivilegedSessionTokenSerializer},
    )
    def post(self, request, slug):
        tenant = get_tenant_or_404(slug)
        serializer = PrivilegedSessionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.open_privileged_session(
            tenant=tenant, owner=request.user, **serializer.validated_data
        )
        return Response(session, status=status.HTTP_201_CREATED)
