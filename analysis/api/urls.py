"""/api/v1/analysis/: bulletins, dashboards and hotspots, read-only."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("bulletins", views.BulletinViewSet, basename="analysis-bulletin")

urlpatterns = [
    path("dashboard/", views.BureauDashboardView.as_view(), name="analysis-dashboard"),
    path("dashboard/units/<str:unit_id>/", views.UnitDashboardView.as_view(), name="analysis-unit-dashboard"),
    path("hotspots/", views.HotspotsView.as_view(), name="analysis-hotspots"),
    *router.urls,
]
