"""The REST API under /api/: version 1 of the endpoints, the OpenAPI schema and its viewers.

The schema and its viewers need a signed-in user (the schema also a token) unless
HOTLINE_API_DOCS_PUBLIC is on (hotline.api_docs).
"""

from csp.constants import SELF
from csp.decorators import csp_replace
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .api_docs import docs_page

app_name = "api"

# ReDoc writes its styles into <style> elements at run time and builds its search index in a
# worker from a blob: URL; neither can carry a nonce. Only its own page gets this policy.
REDOC_POLICY = {"style-src": [SELF, "'unsafe-inline'"], "worker-src": [SELF, "blob:"]}

urlpatterns = [
    # Before the orders router, whose detail route would otherwise take "suggest" for an order id.
    path("v1/", include("suggest.api.urls")),
    path("v1/", include("attachments.api.urls")),
    path("v1/", include("tickets.api.urls")),
    path("v1/", include("stations.api.urls")),
    path("v1/", include("supervision.api.urls")),
    path("v1/", include("connector.api.urls")),
    path("v1/analysis/", include("analysis.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "schema/swagger-ui/",
        # Ours gives the inline initialisation script and style the request's CSP nonce.
        docs_page(SpectacularSwaggerView.as_view(url_name="api:schema", template_name="tickets/api_swagger.html")),
        name="swagger-ui",
    ),
    path(
        "schema/redoc/",
        # The stock template loads Google Fonts; ours loads nothing from outside.
        docs_page(
            csp_replace(REDOC_POLICY)(
                SpectacularRedocView.as_view(url_name="api:schema", template_name="tickets/api_redoc.html")
            )
        ),
        name="redoc",
    ),
]
