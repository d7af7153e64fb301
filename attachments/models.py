"""附件: a file that travels with a work order, optionally attached to one of its records."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import ChoiceLabels


class AttachedTo(models.TextChoices):
    """What inside the order a file belongs to. The order itself always holds it (visibility)."""

    ORDER = "order", _("工单")
    REPORT = "report", _("办理上报")
    CALLBACK = "callback", _("回访")
    NOTICE_RESPONSE = "notice_response", _("督办反馈")


def stored_name(instance: Attachment, filename: str) -> str:
    """attachments/2026/11/<random>.<ext of the detected type>: never the uploader's name on disk."""
    now = timezone.localtime()
    return f"attachments/{now:%Y/%m}/{secrets.token_hex(16)}{instance.extension}"


def thumbnail_name(instance: Attachment, filename: str) -> str:
    now = timezone.localtime()
    return f"attachments/thumbs/{now:%Y/%m}/{secrets.token_hex(16)}.jpg"


class Attachment(ChoiceLabels, models.Model):
    # Always set: an attachment is visible exactly when its order is.
    order = models.ForeignKey(
        "tickets.WorkOrder", verbose_name=_("工单"), on_delete=models.CASCADE, related_name="attachments"
    )
    # A kind plus one nullable foreign key per kind: "the report's files" is a plain filter, and the
    # database refuses a row whose kind and record disagree.
    kind = models.CharField(_("附件归属"), max_length=20, choices=AttachedTo.choices, default=AttachedTo.ORDER)
    report = models.ForeignKey(
        "tickets.Report", verbose_name=_("上报"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    callback = models.ForeignKey(
        "tickets.Callback", verbose_name=_("回访"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    notice = models.ForeignKey(
        "supervision.Notice",
        verbose_name=_("督办函件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    file = models.FileField(_("文件"), upload_to=stored_name, max_length=200)
    thumbnail = models.FileField(_("缩略图"), upload_to=thumbnail_name, max_length=200, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100, help_text=_("按文件内容识别，不看扩展名"))
    extension = models.CharField(_("扩展名"), max_length=10)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="attachment_order_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="order", report__isnull=True, callback__isnull=True, notice__isnull=True)
                    | Q(kind="report", report__isnull=False, callback__isnull=True, notice__isnull=True)
                    | Q(kind="callback", report__isnull=True, callback__isnull=False, notice__isnull=True)
                    | Q(kind="notice_response", report__isnull=True, callback__isnull=True, notice__isnull=False)
                ),
                name="attachment_kind_matches_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.original_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
