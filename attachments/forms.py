"""The upload form of an order's page: a file and what inside the order it belongs to."""

from __future__ import annotations

from django import forms
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from supervision.selectors import notices_for_order, notices_visible_to
from tickets.models import WorkOrder

from .models import AttachedTo


def target_choices(order: WorkOrder, user, *, reports=None, callbacks=None, notices=None) -> list[tuple[str, str]]:
    """What a file can belong to: "order", "report:<id>", "callback:<id>", "notice_response:<id>".

    The order page has read the reports, callbacks and the notices this user may open already and
    passes them in; otherwise they are read here.
    """
    if reports is None:
        reports = order.reports.all()
    if callbacks is None:
        callbacks = order.callbacks.all()
    if notices is None:
        notices = notices_for_order(order).filter(pk__in=notices_visible_to(user).values("pk"))
    choices = [(AttachedTo.ORDER.value, str(_("工单本身")))]
    for report in reports:
        label = _("办理上报 %(time)s") % {"time": f"{localtime(report.created_at):%m-%d %H:%M}"}
        choices.append((f"report:{report.pk}", str(label)))
    for callback in callbacks:
        label = _("回访 %(time)s") % {"time": f"{localtime(callback.created_at):%m-%d %H:%M}"}
        choices.append((f"callback:{callback.pk}", str(label)))
    for notice in notices:
        choices.append((f"notice_response:{notice.pk}", str(_("督办反馈 %(number)s") % {"number": notice.number})))
    return choices


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"), error_messages={"required": _("请选择要上传的文件。")})
    target = forms.ChoiceField(label=_("附件归属"))

    def __init__(self, *args, order: WorkOrder, user, records: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = target_choices(order, user, **(records or {}))
        self.fields["target"].initial = AttachedTo.ORDER.value

    def kind_and_target(self) -> tuple[str, str | None]:
        kind, _sep, target_id = self.cleaned_data["target"].partition(":")
        return kind, target_id or None
