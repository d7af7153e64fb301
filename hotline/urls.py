from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tickets import views as ticket_views

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include("hotline.api_urls")),
    path("supervision/", include("supervision.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("analysis/", include("analysis.urls")),
    path("connector/", include("connector.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", ticket_views.home, name="home"),
    # Before the tickets' orders/<id>/<action>/, which would take "attachments" for an action.
    path("", include("attachments.urls")),
    path("", include("tickets.urls")),
]

handler400 = "hotline.views.bad_request"
handler403 = "hotline.views.permission_denied"
handler404 = "hotline.views.page_not_found"
handler500 = "hotline.views.server_error"
