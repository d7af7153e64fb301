from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class FeedEventSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text=_("此事件之后继续读取时作为 after 传回"))
    kind = serializers.ChoiceField(choices=[("order", "order"), ("notice", "notice")])
    event_id = serializers.IntegerField()
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    note = serializers.CharField()
    order = serializers.DictField(allow_null=True, help_text=_("工单：id、number、platform_number"))
    notice = serializers.DictField(allow_null=True, help_text=_("函件：id、number"))

    def to_representation(self, entry) -> dict:
        event = entry.order_event or entry.notice_event
        is_order = entry.order_event_id is not None
        data = {
            "cursor": f"{entry.txid}-{entry.id}",
            "kind": "order" if is_order else "notice",
            "event_id": event.pk,
            "action": event.action,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "actor": event.actor.display_name if event.actor_id else None,
            "created_at": timezone.localtime(event.created_at).isoformat(),
            "note": event.note,
            "order": None,
            "notice": None,
        }
        if is_order:
            order = event.order
            data["order"] = {"id": order.pk, "number": order.number, "platform_number": order.platform_number}
        else:
            data["notice"] = {"id": event.notice.pk, "number": event.notice.number}
        return data


class FeedPageSerializer(serializers.Serializer):
    results = FeedEventSerializer(many=True)
    next = serializers.CharField(help_text=_("下次请求的 after；没有新事件时与本次相同"))
