"""Forms of the analysis pages. They parse and check input; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stations.models import Unit, UnitKind
from tickets.exceptions import WorkflowError
from tickets.models import Topic

from .bulletins import MSG_DATE_RANGE, validate_period
from .models import AreaLevel, CaseKind
from .periods import Period, in_range, week_containing
from .stats import ORDER_UNIT_KINDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The largest primary key a database column holds (BIGINT); larger input is simply not a choice.
MAX_PK = 2**63 - 1


def plausible_pk(value) -> bool:
    text = str(value).strip()
    return text.isdigit() and int(text) <= MAX_PK


class ModelChoiceField(forms.ModelChoiceField):
    """A choice by id that refuses an id no database column can hold (SQLite raises OverflowError)."""

    def __init__(self, *args, **kwargs):
        # "请选择" as on every other form, not Django's dashes.
        kwargs.setdefault("empty_label", _("请选择") if kwargs.get("required", True) else _("全部"))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value not in self.empty_values and not plausible_pk(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not plausible_pk(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


def apply_errors(form: forms.Form, error: WorkflowError) -> None:
    """Put a service's field errors next to the fields; anything else on top of the form."""
    if not error.field_errors:
        form.add_error(None, str(error))
        return
    for name, message in error.field_errors.items():
        form.add_error(name if name in form.fields else None, str(message))


def order_units_queryset():
    return Unit.objects.filter(kind__in=ORDER_UNIT_KINDS, is_active=True).order_by("-kind", "name")


class GenerateBulletinForm(forms.Form):
    MODE_WEEK = "week"
    MODE_RANGE = "range"

    mode = forms.ChoiceField(
        label=_("统计区间"),
        choices=[(MODE_WEEK, _("按周（周一至周日）")), (MODE_RANGE, _("自定义日期"))],
        initial=MODE_WEEK,
        widget=forms.RadioSelect,
    )
    week = forms.DateField(label=_("所在周的任一天"), required=False, widget=DATE_INPUT)
    start = forms.DateField(label=_("开始日期"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("结束日期"), required=False, widget=DATE_INPUT)
    nonce = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("mode") == self.MODE_WEEK:
            if not data.get("week"):
                self.add_error("week", _("此项为必填项。"))
                return data
            period = week_containing(data["week"])
            start, end = period.start, period.end
        else:
            start, end = data.get("start"), data.get("end")
        try:
            data["period"] = validate_period(start, end)
        except WorkflowError as error:
            apply_errors(self, error)
        return data


class CommitmentForm(forms.Form):
    unit = ModelChoiceField(label=_("单位"), queryset=Unit.objects.none())
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    due_on = forms.DateField(label=_("整改期限"), widget=DATE_INPUT)

    def __init__(self, *args, unit_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=list(unit_ids)).order_by("name")

    def clean_due_on(self):
        day = self.cleaned_data.get("due_on")
        if day is not None and not in_range(day):
            raise forms.ValidationError(MSG_DATE_RANGE)
        return day


class HotspotForm(forms.Form):
    week = forms.DateField(label=_("所在周的任一天"), required=False, widget=DATE_INPUT)
    level = forms.ChoiceField(label=_("区域层级"), choices=AreaLevel.choices, required=False)
    topic = ModelChoiceField(label=_("诉求主题"), queryset=Topic.objects.all(), required=False)

    def clean_week(self):
        day = self.cleaned_data.get("week")
        if day is not None and not in_range(day):
            raise forms.ValidationError(MSG_DATE_RANGE)
        return day

    def week_period(self, today) -> Period:
        day = self.cleaned_data.get("week") if self.is_valid() else None
        return week_containing(day or today)

    def level_value(self) -> str:
        return (self.cleaned_data.get("level") if self.is_valid() else "") or AreaLevel.STATION


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    topic = ModelChoiceField(label=_("诉求主题"), queryset=Topic.objects.all())
    area_level = forms.ChoiceField(
        label=_("区域层级"), choices=[("", _("全局"))] + list(AreaLevel.choices), required=False
    )
    area_unit = ModelChoiceField(
        label=_("辖区派出所"),
        queryset=Unit.objects.filter(kind=UnitKind.STATION, is_active=True).order_by("name"),
        required=False,
    )
    area_keyword = forms.CharField(label=_("社区/道路"), max_length=100, required=False)
    lead_unit = ModelChoiceField(label=_("牵头单位"), queryset=order_units_queryset())
    units = ModelMultipleChoiceField(
        label=_("参与单位"),
        queryset=order_units_queryset(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE_INPUT)
    description = forms.CharField(
        label=_("工作要求"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    link_week = forms.DateField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        for name in ("starts_on", "ends_on", "link_week"):
            if data.get(name) is not None and not in_range(data[name]):
                self.add_error(name, MSG_DATE_RANGE)
        return data


class LinkOrdersForm(forms.Form):
    numbers = forms.CharField(
        label=_("工单编号"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "GD202611220001 GD202611220002"}),
        max_length=10000,
        help_text=_("多个编号用空格、逗号或换行分隔"),
    )


class CaseForm(forms.Form):
    order = forms.CharField(label=_("工单编号"), max_length=20)
    kind = forms.ChoiceField(label=_("类型"), choices=CaseKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("标题"), max_length=200)
    commentary = forms.CharField(label=_("点评"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)


class CaseFilterForm(forms.Form):
    topic = ModelChoiceField(label=_("诉求主题"), queryset=Topic.objects.all(), required=False)
    unit = ModelChoiceField(label=_("承办单位"), queryset=order_units_queryset(), required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("全部"))] + list(CaseKind.choices), required=False)
