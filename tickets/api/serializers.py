"""Shapes in and out of the order API. Serializers parse and render; the services decide."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stations.models import Unit, User
from tickets import limits, selectors, workflow
from tickets.models import (
    Callback,
    Channel,
    ContactMethod,
    ContactRecord,
    ExtensionRequest,
    HandlingType,
    Nature,
    Objection,
    OrderEvent,
    Outcome,
    Report,
    RequestStatus,
    Review,
    ReviewDecision,
    Satisfaction,
    Status,
    Topic,
    Urgency,
    WorkOrder,
)

# Times outside this range are mistakes (a year typed wrong), and far ones break date arithmetic.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
MSG_TIME_OUT_OF_RANGE = _("时间须在 2000 年至 2099 年之间。")
NOTE_MAX_LENGTH = limits.NOTE
TEXT_MAX_LENGTH = limits.LONG_TEXT


class LimitedCharField(serializers.CharField):
    """A CharField whose length limit is reported in the same plain words as the browser's."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.max_length is not None:
            self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)] + [
                limits.max_length_validator(self.max_length)
            ]


class BoundedDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not EARLIEST <= parsed < LATEST:
            raise serializers.ValidationError(MSG_TIME_OUT_OF_RANGE)
        return parsed


def _text(max_length: int = NOTE_MAX_LENGTH, **kwargs) -> serializers.CharField:
    """An optional free text; the service decides whether it may be blank."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    if not kwargs["required"]:
        kwargs.setdefault("default", "")
    return LimitedCharField(max_length=max_length, **kwargs)


def _reason() -> serializers.CharField:
    """A reason the service requires: the key must be there; a blank one gets the service's message."""
    return LimitedCharField(max_length=NOTE_MAX_LENGTH, allow_blank=True, help_text=_("理由（必填）"))


# --- small nested shapes ---


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]


class PersonRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = User
        fields = ["id", "name"]


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "name", "code", "is_active"]


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.Field):
    """The label of a choice value, in the request's language (`status` → `status_label`).

    Model.get_FOO_display() rebuilds and hashes the field's whole choice list on every call; a
    page of 50 orders with 7 labels each spent most of its time there. The labels stay lazy, so
    each is translated when the answer is rendered.
    """

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


def _label(choices, source: str) -> ChoiceLabelField:
    return ChoiceLabelField(choices, source=source)


# For the written-out representation of an order (OrderSerializer.to_representation).
_DATETIME = serializers.DateTimeField()
_LABELS = {
    "status": dict(Status.choices),
    "channel": dict(Channel.choices),
    "nature": dict(Nature.choices),
    "handling_type": dict(HandlingType.choices),
    "urgency": dict(Urgency.choices),
    "outcome": dict(Outcome.choices),
    "satisfaction": dict(Satisfaction.choices),
}


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()


# --- orders out ---


class OrderSerializer(serializers.ModelSerializer):
    """A work order as the requesting user may see it (the caller is masked where needed)."""

    channel_label = _label(Channel.choices, "channel")
    nature_label = _label(Nature.choices, "nature")
    handling_type_label = _label(HandlingType.choices, "handling_type")
    urgency_label = _label(Urgency.choices, "urgency")
    status_label = _label(Status.choices, "status")
    outcome_label = _label(Outcome.choices, "outcome")
    satisfaction_label = _label(Satisfaction.choices, "satisfaction")
    # Blank until the first report / callback.
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, allow_blank=True, read_only=True)
    topic = RefSerializer()
    unit = UnitRefSerializer(allow_null=True)
    officer = PersonRefSerializer(allow_null=True)
    signed_by = PersonRefSerializer(allow_null=True)
    caller_name = serializers.SerializerMethodField()
    caller_phone = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "platform_number",
            "version",
            "status",
            "status_label",
            "channel",
            "channel_label",
            "received_at",
            "caller_name",
            "caller_phone",
            "confidential",
            "address",
            "content",
            "nature",
            "nature_label",
            "handling_type",
            "handling_type_label",
            "topic",
            "urgency",
            "urgency_label",
            "leader_instructed",
            "leader_instruction",
            "unit",
            "officer",
            "merged_into",
            "cycle",
            "dispatched_at",
            "signed_at",
            "signed_by",
            "contacted_at",
            "reported_at",
            "reviewed_at",
            "callback_at",
            "closed_at",
            "contact_deadline",
            "handling_deadline",
            "deadline_warning",
            "overdue",
            "return_count",
            "reopen_count",
            "handling_minutes",
            "outcome",
            "outcome_label",
            "satisfaction",
            "satisfaction_label",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    @extend_schema_field(OpenApiTypes.STR)
    def get_caller_name(self, order: WorkOrder) -> str:
        return selectors.caller_for(self._user(), order)[0]

    @extend_schema_field(OpenApiTypes.STR)
    def get_caller_phone(self, order: WorkOrder) -> str:
        return selectors.caller_for(self._user(), order)[1]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, order: WorkOrder) -> bool:
        left = selectors.time_left(order, self.context.get("now") or timezone.now())
        return left is not None and left.total_seconds() < 0

    def to_representation(self, order: WorkOrder) -> dict:
        """The declared fields' output, written out: DRF's field-by-field machinery (building 47
        fields per serializer, then a getattr chain and a to_representation per value) was most of
        the time of a 50-row page and of the intake answer. The declared fields stay: they are the
        OpenAPI schema, and `tests/api/test_representation.py` holds this output equal to theirs."""
        when = _DATETIME.to_representation
        name, phone = selectors.caller_for(self._user(), order)
        topic, unit, officer = order.topic, order.unit, order.officer
        signer = order.signed_by if order.signed_by_id is not None else None
        labels = _LABELS
        return {
            "id": order.pk,
            "number": order.number,
            "platform_number": order.platform_number,
            "version": order.version,
            "status": order.status,
            "status_label": str(labels["status"].get(order.status, order.status)),
            "channel": order.channel,
            "channel_label": str(labels["channel"].get(order.channel, order.channel)),
            "received_at": when(order.received_at),
            "caller_name": name,
            "caller_phone": phone,
            "confidential": order.confidential,
            "address": order.address,
            "content": order.content,
            "nature": order.nature,
            "nature_label": str(labels["nature"].get(order.nature, order.nature)),
            "handling_type": order.handling_type,
            "handling_type_label": str(labels["handling_type"].get(order.handling_type, order.handling_type)),
            "topic": {"id": topic.pk, "name": topic.name},
            "urgency": order.urgency,
            "urgency_label": str(labels["urgency"].get(order.urgency, order.urgency)),
            "leader_instructed": order.leader_instructed,
            "leader_instruction": order.leader_instruction,
            "unit": {"id": unit.pk, "name": unit.name} if unit is not None else None,
            "officer": {"id": officer.pk, "name": officer.display_name} if officer is not None else None,
            "merged_into": order.merged_into_id,
            "cycle": order.cycle,
            "dispatched_at": when(order.dispatched_at),
            "signed_at": when(order.signed_at),
            "signed_by": {"id": signer.pk, "name": signer.display_name} if signer is not None else None,
            "contacted_at": when(order.contacted_at),
            "reported_at": when(order.reported_at),
            "reviewed_at": when(order.reviewed_at),
            "callback_at": when(order.callback_at),
            "closed_at": when(order.closed_at),
            "contact_deadline": when(order.contact_deadline),
            "handling_deadline": when(order.handling_deadline),
            "deadline_warning": order.deadline_warning,
            "overdue": self.get_overdue(order),
            "return_count": order.return_count,
            "reopen_count": order.reopen_count,
            "handling_minutes": float(order.handling_minutes) if order.handling_minutes is not None else None,
            "outcome": order.outcome,
            "outcome_label": str(labels["outcome"].get(order.outcome, order.outcome)),
            "satisfaction": order.satisfaction,
            "satisfaction_label": str(labels["satisfaction"].get(order.satisfaction, order.satisfaction)),
            "created_at": when(order.created_at),
            "updated_at": when(order.updated_at),
        }


class ContactRecordSerializer(serializers.ModelSerializer):
    officer = PersonRefSerializer()
    method_label = _label(ContactMethod.choices, "method")

    class Meta:
        model = ContactRecord
        fields = ["id", "officer", "method", "method_label", "contacted_at", "note", "cycle"]


class ReportSerializer(serializers.ModelSerializer):
    author = PersonRefSerializer()
    outcome_label = _label(Outcome.choices, "outcome")

    class Meta:
        model = Report
        fields = ["id", "author", "outcome", "outcome_label", "text", "unresolved_reason", "created_at", "cycle"]


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = PersonRefSerializer()
    decision_label = _label(ReviewDecision.choices, "decision")

    class Meta:
        model = Review
        fields = ["id", "report", "reviewer", "decision", "decision_label", "reason", "created_at"]


class CallbackSerializer(serializers.ModelSerializer):
    caller = PersonRefSerializer()
    satisfaction_label = _label(Satisfaction.choices, "satisfaction")

    class Meta:
        model = Callback
        fields = ["id", "caller", "satisfaction", "satisfaction_label", "citizen_words", "created_at", "cycle"]


class ExtensionSerializer(serializers.ModelSerializer):
    requested_by = PersonRefSerializer()
    decided_by = PersonRefSerializer(allow_null=True)
    status_label = _label(RequestStatus.choices, "status")

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "requested_by",
            "reason",
            "requested_until",
            "previous_deadline",
            "status",
            "status_label",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]


class ObjectionSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    raised_by = PersonRefSerializer()
    decided_by = PersonRefSerializer(allow_null=True)
    status_label = _label(RequestStatus.choices, "status")

    class Meta:
        model = Objection
        fields = [
            "id",
            "unit",
            "raised_by",
            "reason",
            "previous_status",
            "status",
            "status_label",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]


class OrderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    received_at = serializers.DateTimeField()


def order_ref(order: WorkOrder) -> dict:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "status_label": str(_LABELS["status"].get(order.status, order.status)),
        "received_at": _DATETIME.to_representation(order.received_at),
    }


class OrderDetailSerializer(OrderSerializer):
    """One order with its records and the actions the requesting user may take on it now."""

    allowed_actions = serializers.SerializerMethodField()
    contacts = ContactRecordSerializer(many=True, read_only=True)
    reports = ReportSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)
    callbacks = CallbackSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    objections = ObjectionSerializer(many=True, read_only=True)
    merged_orders = OrderRefSerializer(many=True, read_only=True, help_text=_("并入本工单的重复工单（并单）"))
    related_orders = OrderRefSerializer(many=True, read_only=True, help_text=_("与本工单关联的工单中您有权查看的"))

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields,
            "allowed_actions",
            "contacts",
            "reports",
            "reviews",
            "callbacks",
            "extensions",
            "objections",
            "merged_orders",
            "related_orders",
        ]
        read_only_fields = fields

    @extend_schema_field(ActionSerializer(many=True))
    def get_allowed_actions(self, order: WorkOrder) -> list[dict]:
        return [{"action": t.action, "label": str(t.label)} for t in workflow.allowed_actions(order, self._user())]

    RECORDS = {
        "contacts": ContactRecordSerializer,
        "reports": ReportSerializer,
        "reviews": ReviewSerializer,
        "callbacks": CallbackSerializer,
        "extensions": ExtensionSerializer,
        "objections": ObjectionSerializer,
    }

    def to_representation(self, order: WorkOrder) -> dict:
        data = super().to_representation(order)
        data["allowed_actions"] = self.get_allowed_actions(order)
        # A new order (intake) has no records yet: the view says so rather than have them read.
        fresh = getattr(order, "has_no_records", False)
        for name, serializer in self.RECORDS.items():
            records = [] if fresh else list(getattr(order, name).all())
            data[name] = serializer(many=True, context=self.context).to_representation(records) if records else []
        # A new order has no repeats merged into it, and is linked to others only if asked at intake.
        linked = selectors.linked_orders(self._user(), order) if getattr(order, "has_links", not fresh) else ([], [])
        data["merged_orders"] = [order_ref(o) for o in linked[0]]
        data["related_orders"] = [order_ref(o) for o in linked[1]]
        return data


class EventSerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()
    # Blank for intake (no status before) and for what the system did without a status.
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    from_status_label = _label(Status.choices, "from_status")
    to_status_label = _label(Status.choices, "to_status")
    actor = PersonRefSerializer(allow_null=True)

    class Meta:
        model = OrderEvent
        fields = [
            "id",
            "action",
            "action_label",
            "from_status",
            "from_status_label",
            "to_status",
            "to_status_label",
            "actor",
            "created_at",
            "note",
            "payload",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_action_label(self, event: OrderEvent) -> str:
        return workflow.action_label(event.action)


# --- orders in ---


class OrderCreateSerializer(serializers.Serializer):
    """接单: what the 12345 platform (or the dispatch desk) sends to register an order."""

    platform_number = LimitedCharField(
        max_length=limits.PLATFORM_NUMBER,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text=_("12345平台工单号。同一平台工单号再次推送时返回已有工单（200），不会生成第二张工单。"),
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_at = BoundedDateTimeField(required=False, allow_null=True, default=None)
    caller_name = LimitedCharField(max_length=limits.CALLER_NAME)
    caller_phone = LimitedCharField(max_length=limits.CALLER_PHONE)
    address = _text(limits.ADDRESS)
    content = LimitedCharField(max_length=TEXT_MAX_LENGTH)
    nature = serializers.ChoiceField(choices=Nature.choices)
    handling_type = serializers.ChoiceField(choices=HandlingType.choices)
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.filter(is_active=True))
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    confidential = serializers.BooleanField(default=False)
    leader_instructed = serializers.BooleanField(default=False)
    leader_instruction = _text(TEXT_MAX_LENGTH)
    received_at_confirmed = serializers.BooleanField(
        default=False, help_text=_("受理时间早于 30 天前时须为 true，表示已核对无误。")
    )
    merge_into = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("并单：登记后并入此工单（工单 id，见 /api/v1/orders/similar/），不单独转办。"),
    )
    relate_to = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("登记并与此工单关联（工单 id）；两张工单各自办理。"),
    )
    dispatch_to = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("登记后立即转办至此单位。"),
    )

    def validate(self, data):
        if data.get("merge_into") and (data.get("relate_to") or data.get("dispatch_to")):
            raise serializers.ValidationError({"merge_into": _("并入其他工单的工单不能同时关联或转办。")})
        return data


class DispatchSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text=_("承办单位（派出所或警种部门）"))
    note = _text()


class ContactSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    note = LimitedCharField(max_length=NOTE_MAX_LENGTH, allow_blank=True, help_text=_("沟通情况（必填）"))
    contacted_at = BoundedDateTimeField(required=False, allow_null=True, default=None)


class ReportInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    text = LimitedCharField(max_length=TEXT_MAX_LENGTH, allow_blank=True, help_text=_("办理情况（必填）"))
    unresolved_reason = _text(help_text=_("未解决或部分解决时必填"))


class NoteSerializer(serializers.Serializer):
    note = _text()


class ReasonSerializer(serializers.Serializer):
    reason = _reason()


class CallbackInputSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    citizen_words = _text()


class MergeSerializer(serializers.Serializer):
    primary = serializers.PrimaryKeyRelatedField(queryset=WorkOrder.objects.all(), help_text=_("并入的主工单"))
    note = _text()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # An order the user may not see does not exist for them.
            self.fields["primary"].queryset = selectors.orders_visible_to(request.user)


class RequestExtensionSerializer(serializers.Serializer):
    reason = _reason()
    requested_until = BoundedDateTimeField(help_text=_("申请延至"))


class DecideExtensionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text=_("true 同意，false 驳回（驳回须填写意见）"))
    note = _text()


class InstructSerializer(serializers.Serializer):
    instructor = LimitedCharField(max_length=100, allow_blank=True, help_text=_("批示领导：姓名或职务（必填）"))
    text = LimitedCharField(max_length=TEXT_MAX_LENGTH, allow_blank=True, help_text=_("批示内容（必填）"))
    instructed_at = BoundedDateTimeField(
        required=False, allow_null=True, default=None, help_text=_("批示时间；不填即为现在")
    )


class AssignSerializer(serializers.Serializer):
    officer = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), help_text=_("承办民警"))


# --- reference data ---


class RoutingSuggestionQuerySerializer(serializers.Serializer):
    address = LimitedCharField(max_length=limits.ADDRESS, required=False, allow_blank=True, default="")
    topic = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects.all(), required=False, allow_null=True, default=None
    )


class RoutingSuggestionSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    reason = serializers.CharField()
    rule = serializers.IntegerField(source="rule.pk")
    rule_kind = serializers.CharField(source="rule.kind")


class DeadlineQuerySerializer(serializers.Serializer):
    handling_type = serializers.ChoiceField(choices=HandlingType.choices)
    dispatched_at = BoundedDateTimeField(required=False, allow_null=True, default=None, help_text=_("默认为当前时间"))


class DeadlineSerializer(serializers.Serializer):
    handling_type = serializers.ChoiceField(choices=HandlingType.choices)
    dispatched_at = serializers.DateTimeField()
    contact_deadline = serializers.DateTimeField()
    handling_deadline = serializers.DateTimeField()
    warnings = serializers.ListField(child=serializers.CharField())
