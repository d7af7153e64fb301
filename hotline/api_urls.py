"""The REST API under /api/ (issue #3 builds it out)."""

from django.urls import include, path

urlpatterns: list = [
    path("v1/analysis/", include("supervision.api.urls")),
]
