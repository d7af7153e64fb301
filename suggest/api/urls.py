from django.urls import path

from . import views

urlpatterns = [
    path("orders/suggest/", views.OrderSuggestView.as_view(), name="order-suggest"),
]
