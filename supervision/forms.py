"""Browser forms of the supervision center. They only parse input; the services decide."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from stations.models import Unit
from tickets.filters import DATE_PICKER, day_start
from tickets.models import WorkOrder

from .models import NoticeKind, NoticeStatus
from .selectors import notice_rule_choices

MAX_TEXT = 5000


class NoticeFilterForm(forms.Form):
    """The list's filters (GET). Invalid values are ignored, never an error page."""

    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部"))] + NoticeKind.choices)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("open", _("未办结"))] + NoticeStatus.choices,
    )
    unit = forms.ModelChoiceField(
        label=_("承办单位"), required=False, queryset=Unit.objects.none(), empty_label=_("全部")
    )
    late = forms.ChoiceField(
        label=_("逾期"), required=False, choices=[("", _("全部")), ("yes", _("逾期")), ("no", _("未逾期"))]
    )
    rule = forms.ChoiceField(label=_("触发规则"), required=False)
    issued_after = forms.DateField(label=_("下发日期自"), required=False, widget=DATE_PICKER)
    issued_before = forms.DateField(label=_("下发日期至"), required=False, widget=DATE_PICKER)
    q = forms.CharField(label=_("编号/事由/工单"), required=False, max_length=100)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.filter(is_active=True)
        self.fields["rule"].choices = [("", _("全部")), *notice_rule_choices()]

    def filters(self) -> dict:
        """The valid filters; a field with a bad value counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        unit = data.get("unit")
        return {
            "kind": data.get("kind") or "",
            "status": data.get("status") or "",
            "unit": unit.pk if unit else None,
            "late": data.get("late") or "",
            "q": (data.get("q") or "").strip(),
            "rule": data.get("rule") or "",
            "issued_from": day_start(data["issued_after"]) if data.get("issued_after") else None,
            "issued_until": day_start(data["issued_before"], days_after=1) if data.get("issued_before") else None,
        }


class RespondForm(forms.Form):
    response = forms.CharField(
        label=_("整改措施"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明原因分析、整改措施、责任人和完成时限"),
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("办结意见"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class IssueForm(forms.Form):
    """A supervisor issues a 督办单 or 提醒函 by hand for an order (given by its number)."""

    order = forms.CharField(label=_("工单编号"), max_length=50)
    kind = forms.ChoiceField(label=_("类型"), choices=NoticeKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("督办事由"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
    requirement = forms.CharField(
        label=_("工作要求"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    respond_by = forms.DateTimeField(
        label=_("反馈时限"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("不填则为下发后一个工作日"),
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())

    def clean_order(self) -> WorkOrder:
        value = self.cleaned_data["order"].strip()
        order = WorkOrder.objects.select_related("unit").filter(number=value).first()
        if order is None and value.isdigit():
            order = WorkOrder.objects.select_related("unit").filter(pk=int(value)).first()
        if order is None:
            raise forms.ValidationError(_("没有编号为「%(number)s」的工单。") % {"number": value})
        return order
