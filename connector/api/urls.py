from django.urls import path

from . import views

urlpatterns = [path("events/", views.EventFeedView.as_view(), name="event-feed")]
