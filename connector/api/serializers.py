from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import ImportMapping, ImportStatus


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


# --- import of the platform's export ---


class ImportUploadSerializer(serializers.Serializer):
    mapping = serializers.PrimaryKeyRelatedField(
        queryset=ImportMapping.objects.filter(is_active=True),
        help_text=_("导入对照 id（管理后台 平台对接 → 导入对照）"),
    )
    file = serializers.FileField(help_text=_("平台导出文件：Excel（.xlsx）或 CSV（UTF-8 或 GBK）"))
    received_at_confirmed = serializers.BooleanField(
        default=False, help_text=_("为 true 时，受理时间早于 30 天前的工单也照常导入")
    )
    confirm = serializers.BooleanField(
        default=False, help_text=_("为 true 时预览后立即导入；否则只预览，之后 POST …/confirm/ 确认")
    )


class ImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("文件中的行号"))
    platform_number = serializers.CharField()
    errors = serializers.DictField(child=serializers.CharField(), help_text=_("字段名称 → 原因"))


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    mapping = serializers.IntegerField(source="mapping_id")
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    total_rows = serializers.IntegerField()
    preview_new = serializers.IntegerField(help_text=_("预览：将新建的行"))
    preview_known = serializers.IntegerField(help_text=_("预览：平台工单号已登记的行"))
    preview_invalid = serializers.IntegerField(help_text=_("预览：无效的行"))
    invalid_rows = serializers.SerializerMethodField(help_text=_("预览中无效的行及原因"))
    rows_done = serializers.IntegerField()
    progress = serializers.IntegerField(help_text=_("已处理的百分比"))
    created_count = serializers.IntegerField()
    existing_count = serializers.IntegerField()
    failed_count = serializers.IntegerField()
    errors = ImportRowErrorSerializer(many=True, help_text=_("导入时未导入的行及原因"))
    error = serializers.CharField(help_text=_("整个文件未导入时的原因"))
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(ImportRowErrorSerializer(many=True))
    def get_invalid_rows(self, job) -> list[dict]:
        return [
            {"line": r["line"], "platform_number": r["platform_number"], "errors": r["errors"]}
            for r in job.preview
            if r["status"] == "invalid"
        ]
