"""/api/v1/notices/: list, detail, issue by hand, sign, respond, close, and the letter as PDF;
/api/v1/notice-rules/: the rules' switches and thresholds, read-only;
/api/v1/escalation-levels/: the escalation ladder, read-only."""

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
    path("notice-rules/", views.NoticeRulesView.as_view(), name="notice-rules"),
    path("escalation-levels/", views.EscalationLevelsView.as_view(), name="escalation-levels"),
    *router.urls,
]
