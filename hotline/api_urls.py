"""The REST API under /api/: version 1 of the endpoints, the OpenAPI schema and its viewers."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

app_name = "api"

urlpatterns = [
    path("v1/", include("tickets.api.urls")),
    path("v1/", include("stations.api.urls")),
    path("v1/analysis/", include("analysis.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger-ui/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger-ui"),
    path(
        "schema/redoc/",
        # The stock template loads Google Fonts; ours loads nothing from outside.
        SpectacularRedocView.as_view(url_name="api:schema", template_name="tickets/api_redoc.html"),
        name="redoc",
    ),
]
