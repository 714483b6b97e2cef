"""The production URLs with the benchmark's baseline view in front."""

from django.urls import path

from bench.views import BaselineView
from iam_project.urls import handler400, handler404, handler500  # noqa: F401
from iam_project.urls import urlpatterns as production_urlpatterns

urlpatterns = [
    path("bench/baseline/<uuid:user_id>", BaselineView.as_view()),
    *production_urlpatterns,
]
