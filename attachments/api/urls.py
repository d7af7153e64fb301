from django.urls import path

from . import views

# Any path segment reaches the views, which answer the API's JSON 404 for what is not an id.
urlpatterns = [
    path("orders/<str:id>/attachments/", views.OrderAttachmentsView.as_view(), name="order-attachments"),
    path(
        "orders/<str:id>/attachments/<str:attachment_id>/",
        views.OrderAttachmentView.as_view(),
        name="order-attachment",
    ),
    path(
        "orders/<str:id>/attachments/<str:attachment_id>/download/",
        views.OrderAttachmentDownloadView.as_view(),
        name="order-attachment-download",
    ),
]
