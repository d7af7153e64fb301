"""Browser forms of the workbench.

A form parses and checks what a person typed; its `perform()` calls the one service that does
the work. The rules stay in `tickets.services`: when a service refuses, `apply_workflow_error()`
puts its message next to the field it names, so a person sees the same reasons the API gives.

Every form that acts on an existing order carries the order's `version` in a hidden field and
passes it as `expected_version`: a double-clicked submit or a page left open while somebody else
acted on the order can never act twice.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from stations.models import Role, Unit, UnitKind, User

from . import limits, services
from .exceptions import WorkflowError
from .models import (
    Channel,
    ContactMethod,
    HandlingType,
    Nature,
    Outcome,
    Satisfaction,
    Topic,
    Urgency,
    WorkOrder,
)
from .selectors import orders_visible_to

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _datetime_field(label, *, required: bool, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=DateTimeLocalInput(),
        help_text=help_text,
    )


def _char(label=None, *, max_length: int, required: bool = True, **kwargs) -> forms.CharField:
    """A text field whose limit the browser enforces (maxlength) and the server reports plainly."""
    field = forms.CharField(label=label, required=required, max_length=max_length, **kwargs)
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)] + [
        limits.max_length_validator(max_length)
    ]
    return field


def _text(label, *, required: bool = True, rows: int = 3, max_length: int = limits.NOTE, help_text: str = ""):
    return _char(
        label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def dispatch_units():
    """The units orders may be dispatched to: active stations and departments."""
    return Unit.objects.filter(is_active=True, kind__in=[UnitKind.STATION, UnitKind.DEPARTMENT]).order_by(
        "kind", "name"
    )


class ListedChoiceIterator(ModelChoiceIterator):
    """Choices from a list the page already read, when the field has one; else from the queryset.

    A ModelChoiceField reads its queryset each time it renders (and once more for its length):
    a page with a dispatch form on each of 100 rows would read the unit list 100 times.
    """

    def __iter__(self):
        listed = self.field.listed
        if listed is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in listed:
            yield self.choice(obj)

    def __len__(self):
        if self.field.listed is None:
            return super().__len__()
        return len(self.field.listed) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        if self.field.listed is None:
            return super().__bool__()
        return self.field.empty_label is not None or bool(self.field.listed)


def options_html(objects, empty_label=None, chosen: tuple[str, ...] = ()) -> str:
    """<option> markup for model objects (value = pk), as a ModelChoiceField would list them."""
    parts = [format_html('<option value="">{}</option>', empty_label)] if empty_label is not None else []
    for obj in objects:
        value = str(obj.pk)
        selected = mark_safe(" selected") if value in chosen else ""
        parts.append(format_html('<option value="{}"{}>{}</option>', value, selected, obj))
    return mark_safe("".join(parts))


class PlainSelect(forms.Select):
    """A <select> written out in Python rather than through the template engine.

    Every row of a queue carries a unit list; through the widget templates each <option> is a
    template render of its own, and a 100-row board spent most of its time there.
    """

    # Set by a ListedModelChoiceField that renders from a page's list: the option markup of
    # each distinct list is then written once per page, whatever the number of rows.
    options_cache: dict | None = None
    options_key: tuple | None = None

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        chosen = tuple(sorted(self.format_value(value)))
        key = (self.options_key, chosen) if self.options_key is not None else None
        options = self.options_cache.get(key) if key is not None and self.options_cache is not None else None
        if options is None:
            parts = []
            for option_value, label in self.choices:
                option_value = "" if option_value is None else str(option_value)
                selected = mark_safe(" selected") if option_value in chosen else ""
                parts.append(format_html('<option value="{}"{}>{}</option>', option_value, selected, label))
            options = mark_safe("".join(parts))
            if key is not None and self.options_cache is not None:
                self.options_cache[key] = options
        return format_html("<select{}>{}</select>", flatatt(attrs), options)


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that can render from a list read once per page (`listed`).

    Only rendering uses the list; a submitted value is still looked up in the queryset.
    """

    iterator = ListedChoiceIterator
    widget = PlainSelect

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.listed = None

    def use_list(self, listed: list, lists: ChoiceLists) -> None:
        """Render from `listed` (read once by the page's `lists`), sharing its option markup."""
        self.listed = listed
        self.widget.options_cache = lists.options_html
        self.widget.options_key = (str(self.empty_label), *(obj.pk for obj in listed))


class ChoiceLists:
    """The choice lists a page's forms share, each read at most once per page."""

    def __init__(self):
        self._units = None
        self._officers: dict[int, list] = {}
        self.units_queryset = dispatch_units()
        self.options_html: dict = {}

    def units(self) -> list[Unit]:
        if self._units is None:
            self._units = list(self.units_queryset)
        return self._units

    def officers(self, unit_id: int | None) -> list[User]:
        if unit_id not in self._officers:
            self._officers[unit_id] = list(unit_officers(unit_id))
        return self._officers[unit_id]


def unit_officers(unit_id: int | None):
    """The active officers and unit heads of a unit: whom its head may name on an order."""
    return User.objects.filter(unit_id=unit_id, role__in=[Role.OFFICER, Role.UNIT_HEAD], is_active=True).order_by(
        "full_name", "username"
    )


class WorkflowErrorMixin:
    """Show a service's refusal next to the fields it names (or above the form)."""

    def apply_workflow_error(self, exc: WorkflowError) -> None:
        if not exc.field_errors:
            self.add_error(None, str(exc.message))
            return
        for field, message in exc.field_errors.items():
            if field in self.fields and not self.fields[field].widget.is_hidden:
                self.add_error(field, str(message))
            else:
                self.add_error(None, str(message))


class SubmitButton:
    def __init__(self, label, *, name: str = "", value: str = "", style: str = "primary"):
        self.label, self.name, self.value, self.style = label, name, value, style


class OrderActionForm(WorkflowErrorMixin, forms.Form):
    """A form that moves one order through one transition of `tickets.workflow.TRANSITIONS`."""

    action = ""
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, order: WorkOrder, user, lists: ChoiceLists | None = None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_{order.pk}_%s")
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", order.version)
        super().__init__(*args, **kwargs)
        self.order = order
        self.user = user
        # Lists shared with the other forms of the page; a form on its own reads its own.
        self.lists = lists

    def buttons(self) -> list[SubmitButton]:
        from .workflow import TRANSITIONS

        return [SubmitButton(TRANSITIONS[self.action].label)]

    def perform(self):
        """Call the service; raise WorkflowError if it refuses. Returns the service's result."""
        raise NotImplementedError

    def _common(self) -> dict:
        return {"order": self.order, "acting_user": self.user, "expected_version": self.cleaned_data["version"]}


class DispatchForm(OrderActionForm):
    action = "dispatch"
    unit = ListedModelChoiceField(label=_("承办单位"), queryset=Unit.objects.none(), empty_label=_("请选择单位"))
    note = _char(_("转办说明"), required=False, max_length=limits.NOTE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.lists is not None:
            self.fields["unit"].queryset = self.lists.units_queryset
            self.fields["unit"].use_list(self.lists.units(), self.lists)
        else:
            self.fields["unit"].queryset = dispatch_units()

    def perform(self):
        return services.order_dispatch(unit=self.cleaned_data["unit"], note=self.cleaned_data["note"], **self._common())


class RedispatchForm(DispatchForm):
    action = "redispatch"
    note = _char(_("改派说明"), required=False, max_length=limits.NOTE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.order.unit_id:
            field = self.fields["unit"]
            field.queryset = field.queryset.exclude(pk=self.order.unit_id)
            if field.listed is not None:
                field.use_list([u for u in field.listed if u.pk != self.order.unit_id], self.lists)

    def perform(self):
        return services.order_redispatch(
            unit=self.cleaned_data["unit"], note=self.cleaned_data["note"], **self._common()
        )


class SignForm(OrderActionForm):
    action = "sign"

    def perform(self):
        return services.order_sign(**self._common())


class ContactForm(OrderActionForm):
    action = "contact"
    method = forms.ChoiceField(
        label=_("联系方式"), choices=ContactMethod.choices, widget=forms.RadioSelect, initial=ContactMethod.PHONE
    )
    contacted_at = _datetime_field(_("联系时间"), required=False, help_text=_("不填即为现在"))
    note = _text(_("沟通情况"))

    def perform(self):
        return services.order_contact(
            method=self.cleaned_data["method"],
            note=self.cleaned_data["note"],
            contacted_at=self.cleaned_data["contacted_at"],
            **self._common(),
        )


class ReportForm(OrderActionForm):
    action = "report"
    outcome = forms.ChoiceField(label=_("办理结果"), choices=Outcome.choices, widget=forms.RadioSelect)
    text = _text(_("办理情况"), rows=4, max_length=limits.LONG_TEXT)
    unresolved_reason = _text(_("未解决原因"), required=False, help_text=_("办理结果为部分解决或未解决时必填"))

    def perform(self):
        return services.order_report(
            outcome=self.cleaned_data["outcome"],
            text=self.cleaned_data["text"],
            unresolved_reason=self.cleaned_data["unresolved_reason"],
            **self._common(),
        )


class SendBackForm(OrderActionForm):
    action = "send_back"
    reason = _text(_("退单理由"), help_text=_("例如：该地址属其他派出所辖区"))

    def buttons(self):
        return [SubmitButton(_("退单"), style="danger")]

    def perform(self):
        return services.order_send_back(reason=self.cleaned_data["reason"], **self._common())


class ExtensionRequestForm(OrderActionForm):
    action = "request_extension"
    requested_until = _datetime_field(_("申请延至"), required=True)
    reason = _text(_("延期理由"))

    def perform(self):
        return services.order_request_extension(
            reason=self.cleaned_data["reason"], requested_until=self.cleaned_data["requested_until"], **self._common()
        )


class DecideExtensionForm(OrderActionForm):
    action = "decide_extension"
    note = _char(_("审批意见"), required=False, max_length=limits.NOTE, help_text=_("驳回时必填"))

    def clean(self):
        # The decision is the button that was pressed, not a field the person fills in.
        cleaned = super().clean()
        decision = self.data.get("decision")
        if decision not in ("approve", "reject"):
            raise forms.ValidationError(_("请选择同意或驳回。"))
        cleaned["decision"] = decision
        return cleaned

    def buttons(self):
        return [
            SubmitButton(_("同意延期"), name="decision", value="approve"),
            SubmitButton(_("驳回延期"), name="decision", value="reject", style="danger"),
        ]

    def perform(self):
        return services.order_decide_extension(
            approve=self.cleaned_data["decision"] == "approve", note=self.cleaned_data["note"], **self._common()
        )


class ApproveForm(OrderActionForm):
    action = "approve"
    note = _char(_("审核意见"), required=False, max_length=limits.NOTE)

    def perform(self):
        return services.order_approve(note=self.cleaned_data["note"], **self._common())


class ReturnForm(OrderActionForm):
    action = "return"
    reason = _text(_("退回理由"), help_text=_("写明需要补充或重新办理的内容"))

    def buttons(self):
        return [SubmitButton(_("退回重办"), style="danger")]

    def perform(self):
        return services.order_return(reason=self.cleaned_data["reason"], **self._common())


class CallbackForm(OrderActionForm):
    action = "callback"
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    citizen_words = _text(_("群众意见"), required=False, help_text=_("记录群众的原话"))

    def perform(self):
        return services.order_callback(
            satisfaction=self.cleaned_data["satisfaction"],
            citizen_words=self.cleaned_data["citizen_words"],
            **self._common(),
        )


class CloseForm(OrderActionForm):
    action = "close"
    note = _char(_("办结说明"), required=False, max_length=limits.NOTE)

    def perform(self):
        return services.order_close(note=self.cleaned_data["note"], **self._common())


class ReopenForm(OrderActionForm):
    action = "reopen"
    reason = _text(_("重办理由"))

    def buttons(self):
        return [SubmitButton(_("重办"), style="danger")]

    def perform(self):
        return services.order_reopen(reason=self.cleaned_data["reason"], **self._common())


class RejectObjectionForm(OrderActionForm):
    action = "reject_objection"
    reason = _text(_("驳回理由"), rows=2)

    def buttons(self):
        return [SubmitButton(_("驳回退单"), style="danger")]

    def perform(self):
        return services.order_reject_objection(reason=self.cleaned_data["reason"], **self._common())


class MergeForm(OrderActionForm):
    action = "merge"
    primary = forms.CharField(label=_("并入工单编号"), max_length=20)
    note = _char(_("并单说明"), required=False, max_length=limits.NOTE)

    def clean_primary(self):
        number = self.cleaned_data["primary"].strip()
        primary = orders_visible_to(self.user).filter(number=number).first()
        if primary is None:
            raise forms.ValidationError(_("没有编号为 %(number)s 的工单。"), params={"number": number})
        return primary

    def perform(self):
        return services.order_merge(
            primary=self.cleaned_data["primary"], note=self.cleaned_data["note"], **self._common()
        )


class AssignForm(OrderActionForm):
    action = "assign"
    officer = ListedModelChoiceField(label=_("承办民警"), queryset=User.objects.none(), empty_label=_("请选择民警"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = unit_officers(self.order.unit_id)
        if self.lists is not None:
            self.fields["officer"].use_list(self.lists.officers(self.order.unit_id), self.lists)

    def perform(self):
        return services.order_assign(officer=self.cleaned_data["officer"], **self._common())


class InstructForm(OrderActionForm):
    """记录领导批示: beside the supervisor's other actions on the order page."""

    action = "instruct"
    instructor = _char(_("批示领导"), max_length=100, help_text=_("姓名或职务，如：局长 张某"))
    text = _text(_("批示内容"), max_length=limits.LONG_TEXT)
    instructed_at = _datetime_field(_("批示时间"), required=False, help_text=_("不填即为现在"))

    def perform(self):
        return services.order_instruct(
            instructor=self.cleaned_data["instructor"],
            text=self.cleaned_data["text"],
            instructed_at=self.cleaned_data["instructed_at"],
            **self._common(),
        )


ACTION_FORMS: dict[str, type[OrderActionForm]] = {
    form.action: form
    for form in (
        DispatchForm,
        RedispatchForm,
        SignForm,
        ContactForm,
        ReportForm,
        ApproveForm,
        ReturnForm,
        CallbackForm,
        CloseForm,
        ReopenForm,
        SendBackForm,
        RejectObjectionForm,
        MergeForm,
        ExtensionRequestForm,
        DecideExtensionForm,
        AssignForm,
        InstructForm,
    )
}


class IntakeForm(WorkflowErrorMixin, forms.Form):
    """接单: register a work order, and dispatch it at once if a unit is chosen."""

    channel = forms.ChoiceField(label=_("来源渠道"), choices=Channel.choices, initial=Channel.HOTLINE_12345)
    platform_number = _char(
        _("12345平台工单号"), required=False, max_length=limits.PLATFORM_NUMBER, help_text=_("同一平台工单号只登记一次")
    )
    received_at = _datetime_field(_("受理时间"), required=False, help_text=_("不填即为现在"))
    caller_name = _char(_("来电人"), max_length=limits.CALLER_NAME)
    caller_phone = _char(_("来电号码"), max_length=limits.CALLER_PHONE)
    confidential = forms.BooleanField(label=_("来电人要求保密"), required=False)
    address = _char(_("地址"), required=False, max_length=limits.ADDRESS)
    topic = forms.ModelChoiceField(label=_("诉求主题"), queryset=Topic.objects.none(), empty_label=_("请选择主题"))
    nature = forms.ChoiceField(label=_("诉求类别"), choices=Nature.choices)
    handling_type = forms.ChoiceField(label=_("办理类型"), choices=HandlingType.choices, initial=HandlingType.SERVICE)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    content = _text(_("诉求内容"), rows=4, max_length=limits.LONG_TEXT)
    leader_instructed = forms.BooleanField(label=_("领导批示"), required=False)
    leader_instruction = _text(_("批示内容"), required=False, rows=2, max_length=limits.LONG_TEXT)
    # Shown only when the received time is more than 30 days back (see `services.intake_errors`).
    received_at_confirmed = forms.BooleanField(label=_("确认受理时间无误"), required=False)
    dispatch_to = ListedModelChoiceField(
        label=_("立即转办至"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("暂不转办（进入待转办）"),
        help_text=_("可采用上方的派单建议，也可另选单位"),
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # Set by the buttons of the similar orders (并入此工单 / 登记并关联), not typed.
    merge_into = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    relate_to = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, lists: ChoiceLists | None = None, **kwargs):
        kwargs.setdefault("auto_id", "id_intake_%s")
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(is_active=True)
        self.fields["dispatch_to"].queryset = dispatch_units()
        if lists is not None:
            self.fields["dispatch_to"].use_list(lists.units(), lists)

    def clean(self):
        """Add the service's own refusals to the field errors, so every error shows in one round."""
        data = super().clean()
        for field, message in services.intake_errors(
            channel=data.get("channel"),
            caller_name=data.get("caller_name"),
            caller_phone=data.get("caller_phone"),
            content=data.get("content"),
            nature=data.get("nature"),
            handling_type=data.get("handling_type"),
            topic=data.get("topic"),
            urgency=data.get("urgency"),
            received_at=data.get("received_at"),
            received_at_confirmed=data.get("received_at_confirmed", False),
            leader_instructed=data.get("leader_instructed", False),
            leader_instruction=data.get("leader_instruction"),
        ).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, str(message))
        return data

    @property
    def asks_to_confirm_received_at(self) -> bool:
        return "received_at" in self.errors or bool(self.data.get("received_at_confirmed"))

    def perform(self, *, user) -> services.IntakeResult:
        """`services.order_register`: intake, then merge (并入此工单) or link (登记并关联) and dispatch."""
        data = self.cleaned_data
        return services.order_register(
            channel=data["channel"],
            platform_number=data["platform_number"],
            received_at=data["received_at"],
            caller_name=data["caller_name"],
            caller_phone=data["caller_phone"],
            confidential=data["confidential"],
            address=data["address"],
            topic=data["topic"],
            nature=data["nature"],
            handling_type=data["handling_type"],
            urgency=data["urgency"],
            content=data["content"],
            leader_instructed=data["leader_instructed"],
            leader_instruction=data["leader_instruction"],
            received_at_confirmed=data["received_at_confirmed"],
            merge_into=data.get("merge_into"),
            relate_to=data.get("relate_to"),
            dispatch_to=data["dispatch_to"],
            acting_user=user,
        )


class SuggestForm(forms.Form):
    """What the intake form sends while the dispatcher types: address, topic, handling type, content."""

    address = forms.CharField(required=False, max_length=200)
    content = forms.CharField(required=False, max_length=5000)
    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), required=False)
    handling_type = forms.ChoiceField(choices=HandlingType.choices, required=False)


class SimilarForm(forms.Form):
    """What the intake form sends to look for similar orders: the caller's phone, address, content."""

    caller_phone = forms.CharField(required=False, max_length=limits.CALLER_PHONE)
    address = forms.CharField(required=False, max_length=limits.ADDRESS)
    content = forms.CharField(required=False, max_length=limits.LONG_TEXT)

    # Less than this is still being typed: nothing is looked up yet.
    MIN_PHONE, MIN_ADDRESS, MIN_CONTENT = 5, 3, 4

    def has_enough(self) -> bool:
        data = self.cleaned_data
        return (
            len(data["caller_phone"]) >= self.MIN_PHONE
            or len(data["address"]) >= self.MIN_ADDRESS
            or len(data["content"]) >= self.MIN_CONTENT
        )

    @property
    def query(self) -> dict:
        data = self.cleaned_data
        return {"phone": data["caller_phone"], "address": data["address"], "content": data["content"]}


class CallbackFilterForm(forms.Form):
    """The callback queue's filter: words or a number, and the responsible unit."""

    q = forms.CharField(label=_("查找"), required=False, max_length=100)
    unit = forms.TypedChoiceField(label=_("承办单位"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, lists: ChoiceLists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("全部单位")), *((u.pk, u.name) for u in lists.units())]
        self.fields["q"].widget.attrs.update({"placeholder": _("工单编号、来电号码、地址或内容"), "data-key": "/"})

    def values(self) -> dict:
        if not self.is_valid():
            return {"q": "", "unit_id": None}
        return {"q": self.cleaned_data["q"], "unit_id": self.cleaned_data["unit"]}
