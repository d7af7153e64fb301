"""/api/v1/analysis/: bulletins, dashboards and hotspots, read-only."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .. import bulletin_urls  # noqa: F401  (registers the analysis_id path converter)
from . import views

app_name = "analysis-api"

router = SimpleRouter()
router.register("bulletins", views.BulletinViewSet, basename="bulletin")

urlpatterns = [
    path("dashboard/", views.BureauDashboardView.as_view(), name="dashboard"),
    path("dashboard/units/<analysis_id:unit_id>/", views.UnitDashboardView.as_view(), name="unit-dashboard"),
    path("hotspots/", views.HotspotsView.as_view(), name="hotspots"),
    *router.urls,
]
