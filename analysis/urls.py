"""Browser pages of bulletins, dashboards and analysis, mounted at /analysis/."""

from django.urls import path, register_converter

from . import views


class IdConverter:
    """A database id: digits that fit a BIGINT column (a longer one is a 404, not an overflow)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "analysis_id")

app_name = "analysis"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/units/<analysis_id:unit_id>/", views.unit_dashboard, name="unit_dashboard"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/<analysis_id:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<analysis_id:pk>/commitments/", views.bulletin_commit, name="bulletin_commit"),
    path("bulletins/<analysis_id:pk>/print/", views.bulletin_print, name="bulletin_print"),
    path("bulletins/<analysis_id:pk>/bulletin.pdf", views.bulletin_pdf_download, name="bulletin_pdf"),
    path("bulletins/<analysis_id:pk>/bulletin.xlsx", views.bulletin_xlsx_download, name="bulletin_xlsx"),
    path("bulletins/<analysis_id:pk>/exports/<str:fmt>/", views.bulletin_export, name="bulletin_export"),
    path("hotspots/", views.hotspots, name="hotspots"),
    path("hotspots/orders/", views.hotspot_detail, name="hotspot_orders"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<analysis_id:pk>/", views.campaign_detail, name="campaign"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<analysis_id:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<analysis_id:pk>/delete/", views.case_delete, name="case_delete"),
]
