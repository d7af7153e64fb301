from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("issue/", views.notice_issue, name="notice_issue"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/sign/", views.notice_sign, name="notice_sign"),
    path("notices/<int:pk>/respond/", views.notice_respond, name="notice_respond"),
    path("notices/<int:pk>/close/", views.notice_close, name="notice_close"),
    path("notices/<int:pk>/letter/", views.notice_letter, name="notice_letter"),
    path("notices/<int:pk>/letter.pdf", views.notice_pdf, name="notice_pdf"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox_mark_read"),
    path("inbox/unit/", views.unit_inbox, name="unit_inbox"),
]
