from django.urls import path

from . import views

app_name = "connector"

urlpatterns = [
    path("replies/", views.reply_files, name="reply_files"),
    path("replies/<int:pk>/download/", views.reply_file_download, name="reply_file_download"),
    path("imports/", views.import_upload, name="imports"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/resume/", views.import_resume, name="import_resume"),
]
