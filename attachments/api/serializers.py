from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import AttachedTo, Attachment

MAX_ID = 2**63 - 1


class AttachmentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, help_text=_("附件归属的名称"))
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, help_text=_("上传人的用户名"))
    download_url = serializers.SerializerMethodField(help_text=_("下载地址（需认证，与工单同样的可见范围）"))
    thumbnail_url = serializers.SerializerMethodField(help_text=_("图片的缩略图地址（浏览器页面使用）；非图片为空"))

    class Meta:
        model = Attachment
        fields = [
            "id",
            "order",
            "kind",
            "kind_label",
            "report",
            "callback",
            "notice",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "created_at",
            "download_url",
            "thumbnail_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        return reverse("api:order-attachment-download", args=[attachment.order_id, attachment.pk])

    def get_thumbnail_url(self, attachment: Attachment) -> str | None:
        if not attachment.thumbnail:
            return None
        return reverse("attachments:thumbnail", args=[attachment.order_id, attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    # Checked by the service (size, type from the content), with its own messages.
    file = serializers.FileField(
        required=False, allow_empty_file=True, use_url=False, help_text=_("文件；类型按内容识别，与文件名无关")
    )
    kind = serializers.ChoiceField(
        choices=AttachedTo.choices,
        default=AttachedTo.ORDER,
        help_text=_("附件归属：工单本身、办理上报、回访或督办反馈"),
    )
    target = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("kind 为 report、callback、notice_response 时：该工单的上报、回访或督办函件的 id"),
    )
