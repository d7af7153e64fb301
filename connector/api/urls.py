from django.urls import path

from . import imports, views

# Any path segment reaches the import views, which answer the API's JSON 404 for what is not an id.
urlpatterns = [
    path("events/", views.EventFeedView.as_view(), name="event-feed"),
    path("imports/", imports.ImportsView.as_view(), name="imports"),
    path("imports/<str:id>/", imports.ImportJobView.as_view(), name="import-job"),
    path("imports/<str:id>/confirm/", imports.ImportConfirmView.as_view(), name="import-confirm"),
]
