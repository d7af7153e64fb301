from django.urls import path
from rest_framework.routers import SimpleRouter

from . import similar, views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="order")
router.register("topics", views.TopicViewSet, basename="topic")

urlpatterns = [
    # Before the router's orders/<id>/, which would take "similar" for an id.
    path("orders/similar/", similar.SimilarOrdersView.as_view(), name="order-similar"),
    path("routing-suggestion/", views.RoutingSuggestionView.as_view(), name="routing-suggestion"),
    path("deadline/", views.DeadlineView.as_view(), name="deadline"),
    *router.urls,
]
