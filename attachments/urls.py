from django.urls import path

from . import views

app_name = "attachments"

urlpatterns = [
    path("orders/<int:pk>/attachments/", views.attachment_upload, name="upload"),
    path("orders/<int:pk>/attachments/<int:attachment_id>/download/", views.attachment_download, name="download"),
    path("orders/<int:pk>/attachments/<int:attachment_id>/thumbnail/", views.attachment_thumbnail, name="thumbnail"),
]
