"""/api/v1/notices/: list, detail, issue by hand, sign, respond, close, and the letter as PDF."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("notices", views.NoticeViewSet, basename="notice")

urlpatterns = [
    path(
        "notices/<str:pk>/letter.pdf",
        views.NoticeViewSet.as_view({"get": "letter_pdf"}),
        name="notice-letter-pdf",
    ),
    *router.urls,
]
