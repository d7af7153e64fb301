"""Shapes in and out of the notice API. Serializers parse and render; the services decide.

A notice describes only the orders the reader may see (`selectors.notice_orders_for`); the others
are counted. Event payloads are not given: they name every linked order, another unit's too.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.api.serializers import (
    ActionSerializer,
    BoundedDateTimeField,
    LimitedCharField,
    PersonRefSerializer,
    UnitRefSerializer,
    _label,
    _text,
)
from tickets.models import Status, WorkOrder
from tickets.selectors import orders_visible_to

from .. import services
from ..forms import MAX_TEXT
from ..ladder import level_enabled
from ..models import NOTICE_EVENT_LABELS, EscalationLevel, Notice, NoticeEvent, NoticeKind, NoticeStatus, Rule
from ..selectors import notice_orders_for


class NoticeSerializer(serializers.ModelSerializer):
    """A notice (督办单 or 提醒函) as listed."""

    kind_label = _label(NoticeKind.choices, "kind")
    status_label = _label(NoticeStatus.choices, "status")
    rule = serializers.ChoiceField(
        choices=Rule.choices, allow_blank=True, read_only=True, help_text=_("触发规则；为空表示人工下发")
    )
    rule_label = _label(Rule.choices, "rule")
    unit = UnitRefSerializer()
    issued_by = PersonRefSerializer(allow_null=True, help_text=_("为空表示系统按规则自动下发"))
    signed_by = PersonRefSerializer(allow_null=True)
    responded_by = PersonRefSerializer(allow_null=True)
    closed_by = PersonRefSerializer(allow_null=True)
    escalated_to = UnitRefSerializer(allow_null=True)
    overdue = serializers.SerializerMethodField(help_text=_("尚未反馈且已过反馈时限"))
    version = serializers.IntegerField(read_only=True, help_text=_("函件当前版本，与 ETag 相同"))

    class Meta:
        model = Notice
        fields = [
            "id",
            "number",
            "version",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "rule",
            "rule_label",
            "unit",
            "reason",
            "requirement",
            "issued_at",
            "issued_by",
            "respond_by",
            "overdue",
            "is_late",
            "signed_at",
            "signed_by",
            "response",
            "responded_at",
            "responded_by",
            "closed_at",
            "closed_by",
            "close_note",
            "escalated_at",
            "escalated_to",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, notice: Notice) -> bool:
        return notice.is_overdue(self.context.get("now") or timezone.now())


class NoticeOrderSerializer(serializers.ModelSerializer):
    status_label = _label(Status.choices, "status")
    topic = serializers.CharField(source="topic.name")
    unit = UnitRefSerializer(allow_null=True)

    class Meta:
        model = WorkOrder
        fields = ["id", "number", "status", "status_label", "received_at", "topic", "unit"]
        read_only_fields = fields


class NoticeOrdersSerializer(serializers.Serializer):
    shown = NoticeOrderSerializer(many=True, help_text=_("您有权查看的涉及工单"))
    other_units = serializers.IntegerField(help_text=_("其他单位的工单数（只计数，不列出）"))
    withheld = serializers.IntegerField(help_text=_("不在您查看范围内的工单数（只计数，不列出）"))
    total = serializers.IntegerField(help_text=_("涉及工单总数"))


class NoticeEventSerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()
    from_status = serializers.ChoiceField(choices=NoticeStatus.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=NoticeStatus.choices, allow_blank=True, read_only=True)
    actor = PersonRefSerializer(allow_null=True, help_text=_("为空表示系统自动操作"))

    class Meta:
        model = NoticeEvent
        fields = ["id", "action", "action_label", "from_status", "to_status", "actor", "created_at", "note"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_action_label(self, event: NoticeEvent) -> str:
        return str(NOTICE_EVENT_LABELS.get(event.action, event.action))


class NoticeDetailSerializer(NoticeSerializer):
    """One notice with its orders (as the reader may see them), its log and what the reader may do."""

    allowed_actions = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(NoticeSerializer.Meta):
        fields = [*NoticeSerializer.Meta.fields, "allowed_actions", "orders", "events"]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    @extend_schema_field(ActionSerializer(many=True))
    def get_allowed_actions(self, notice: Notice) -> list[dict]:
        return [
            {"action": t.action, "label": str(t.label)} for t in services.allowed_notice_actions(notice, self._user())
        ]

    @extend_schema_field(NoticeOrdersSerializer)
    def get_orders(self, notice: Notice) -> dict:
        seen = notice_orders_for(self._user(), notice)
        return NoticeOrdersSerializer(
            {"shown": seen.shown, "other_units": seen.other_units, "withheld": seen.withheld, "total": seen.total}
        ).data

    @extend_schema_field(NoticeEventSerializer(many=True))
    def get_events(self, notice: Notice) -> list[dict]:
        events = notice.events.select_related("actor").order_by("created_at", "id")
        return NoticeEventSerializer(events, many=True).data


# --- in ---


class RespondSerializer(serializers.Serializer):
    response = LimitedCharField(
        max_length=MAX_TEXT, allow_blank=True, help_text=_("整改措施（必填）：原因分析、整改措施、责任人和完成时限")
    )


class CloseSerializer(serializers.Serializer):
    note = _text(MAX_TEXT, help_text=_("办结意见"))


class IssueSerializer(serializers.Serializer):
    """A supervisor issues a 督办单 or 提醒函 by hand for an order with a unit."""

    order = serializers.PrimaryKeyRelatedField(queryset=WorkOrder.objects.none(), help_text=_("工单 id"))
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    reason = LimitedCharField(max_length=MAX_TEXT, allow_blank=True, help_text=_("督办事由（必填）"))
    requirement = _text(MAX_TEXT, help_text=_("工作要求，写入函件正文"))
    respond_by = BoundedDateTimeField(
        required=False, allow_null=True, default=None, help_text=_("反馈时限；不填则为下发后一个工作日")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # An order the user may not see does not exist for them.
        self.fields["order"].queryset = orders_visible_to(request.user if request is not None else None)


class LetterPendingSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text=_("固定为 letter_pending：PDF 正在生成"))


# --- the rules' settings ---


class RuleSettingSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("督办规则设置中的字段名"))
    label = serializers.CharField()
    value = serializers.JSONField(help_text=_("当前值"))
    help_text = serializers.CharField()


class RuleStateSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=Rule.choices)
    label = serializers.CharField()
    enabled = serializers.BooleanField(allow_null=True, help_text=_("是否启用；为空表示该规则没有开关"))
    switch = RuleSettingSerializer(allow_null=True, help_text=_("规则的开关"))
    settings = RuleSettingSerializer(many=True, help_text=_("规则的阈值等设置"))


# --- the escalation ladder ---


class EscalationLevelSerializer(serializers.ModelSerializer):
    clock_label = serializers.CharField(source="get_clock_display", read_only=True)
    basis_label = serializers.CharField(source="get_basis_display", read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    reminder_time = serializers.SerializerMethodField()
    enabled = serializers.SerializerMethodField()

    class Meta:
        model = EscalationLevel
        fields = [
            "id",
            "clock",
            "clock_label",
            "position",
            "name",
            "offset_minutes",
            "basis",
            "basis_label",
            "action",
            "action_label",
            "reminder_time",
            "enabled",
            "builtin",
        ]
        extra_kwargs = {
            "offset_minutes": {"help_text": _("相对时限的分钟数：负数为时限前，正数为时限后")},
            "builtin": {
                "help_text": _("内置级别即现有督办规则（其开关见 /api/v1/notice-rules/）；为空表示阶梯新增的级别")
            },
        }

    # "HH:MM" in the bureau's time zone: a time of day on the working calendar, not an instant
    # (OpenAPI's format "time" would ask for a UTC offset).
    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text=_("每日提醒时间（北京时间，HH:MM）；其他级别为空"))
    )
    def get_reminder_time(self, level: EscalationLevel) -> str | None:
        return level.reminder_time.strftime("%H:%M") if level.reminder_time else None

    @extend_schema_field(serializers.BooleanField(help_text=_("是否启用；内置级别以督办规则设置中的开关为准")))
    def get_enabled(self, level: EscalationLevel) -> bool:
        return level_enabled(level, self.context["policy"])
