"""The browser workbench's pages (the API lives under /api/)."""

from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("dispatch/", views.dispatch_board, name="dispatch_board"),
    path("dispatch/pulse/", views.desk_pulse, name="desk_pulse"),
    path("dispatch/intake/", views.intake, name="intake"),
    path("dispatch/suggest/", views.intake_suggest, name="intake_suggest"),
    path("dispatch/similar/", views.intake_similar, name="intake_similar"),
    path("dispatch/units/", views.overview_partial, name="overview_partial"),
    path("overview/", views.overview, name="overview"),
    path("workbench/", views.workbench, name="workbench"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_queue, name="review_order"),
    path("callbacks/", views.callback_queue, name="callback_queue"),
    path("callbacks/<int:pk>/", views.callback_queue, name="callback_order"),
    path("callbacks/close/", views.callback_close_many, name="callback_close_many"),
    path("orders/", views.search, name="search"),
    path("orders/export/", views.search_export, name="search_export"),
    path("orders/saved/", views.saved_search_save, name="saved_search_save"),
    path("orders/saved/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/n/<str:number>/", views.order_by_number, name="order_by_number"),
    path("orders/<int:pk>/<slug:action>/", views.order_action, name="order_action"),
    path("orders/<int:pk>/<slug:action>/form/", views.order_action_form, name="order_action_form"),
]
