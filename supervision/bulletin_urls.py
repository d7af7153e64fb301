"""Browser pages of bulletins, dashboards and analysis, mounted at /analysis/."""

from django.urls import path

from . import bulletin_views as views

app_name = "analysis"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/units/<int:unit_id>/", views.unit_dashboard, name="unit_dashboard"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/commitments/", views.bulletin_commit, name="bulletin_commit"),
    path("bulletins/<int:pk>/print/", views.bulletin_print, name="bulletin_print"),
    path("bulletins/<int:pk>/bulletin.pdf", views.bulletin_pdf_download, name="bulletin_pdf"),
    path("bulletins/<int:pk>/bulletin.xlsx", views.bulletin_xlsx_download, name="bulletin_xlsx"),
    path("hotspots/", views.hotspots, name="hotspots"),
    path("hotspots/orders/", views.hotspot_detail, name="hotspot_orders"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/delete/", views.case_delete, name="case_delete"),
]
