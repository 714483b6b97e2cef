"""Baseline B: the floor Django, DRF, tenant routing and Postgres impose.

A tenant-routed DRF view with no authentication that reads one user by its
primary key. Every measured endpoint is reported as a ratio to it.
"""

from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from iam_project.errors import NotFoundError


class BaselineView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request, user_id):
        user = User.objects.filter(id=user_id).first()
        if user is None:
            raise NotFoundError()
        return Response({"id": str(user.id), "email": user.email})
