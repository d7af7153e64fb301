from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="order")
router.register("topics", views.TopicViewSet, basename="topic")

urlpatterns = [
    path("routing-suggestion/", views.RoutingSuggestionView.as_view(), name="routing-suggestion"),
    path("deadline/", views.DeadlineView.as_view(), name="deadline"),
    *router.urls,
]
