from django.urls import path

from . import views

app_name = "connector"

urlpatterns = [
    path("replies/", views.reply_files, name="reply_files"),
    path("replies/<int:pk>/download/", views.reply_file_download, name="reply_file_download"),
]
