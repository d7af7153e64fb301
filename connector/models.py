"""What goes out: the platform connection, webhook subscriptions, the outbox and the change feed."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    """The steps the 12345 platform hears about (our codes; `PlatformConnection.code_map` renames them)."""

    SIGNED = "signed", _("签收")
    CONTACTED = "contacted", _("初步答复")
    SENT_BACK = "sent_back", _("退单")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_DECIDED = "extension_decided", _("延期审批")
    REPORTED = "reported", _("办结反馈")
    CALLBACK = "callback", _("回访结果")


class WebhookEvent(models.TextChoices):
    ORDER_CREATED = "order.created", _("工单登记")
    ORDER_DISPATCHED = "order.dispatched", _("工单转办")
    ORDER_REPORTED = "order.reported", _("结果上报")
    ORDER_CLOSED = "order.closed", _("工单办结")
    NOTICE_ISSUED = "notice.issued", _("督办函件发出")


class Transport(models.TextChoices):
    HTTP = "http", _("HTTP JSON 接口")
    EXCEL = "excel", _("每日回复文件（Excel）")


class PlatformConnection(models.Model):
    """The 12345 platform's HTTP JSON interface: where, how to sign in, how to name things.

    At most one is active. Without an active connection nothing is written for the platform.
    """

    name = models.CharField(_("名称"), max_length=100)
    is_active = models.BooleanField(_("启用"), default=False)
    transport = models.CharField(
        _("对接方式"),
        max_length=10,
        choices=Transport.choices,
        default=Transport.HTTP,
        help_text=_("平台没有接口时，每天生成回复文件，由指挥中心下载后上传平台"),
    )
    endpoint_url = models.URLField(
        _("接口地址"), max_length=500, blank=True, help_text=_("每一步以 JSON POST 到此地址")
    )
    username = models.CharField(_("用户名"), max_length=100, blank=True, help_text=_("填写则以 HTTP Basic 认证"))
    password = models.CharField(_("密码"), max_length=200, blank=True)
    secret = models.CharField(
        _("签名密钥"), max_length=200, blank=True, help_text=_("填写则每个请求带 X-Hotline-Signature: sha256=<HMAC>")
    )
    timeout_seconds = models.FloatField(_("超时（秒）"), default=10.0)
    send_attachments = models.BooleanField(
        _("发送附件"),
        default=False,
        help_text=_("平台接口接收文件时勾选：办结反馈附带本轮上传的附件（Base64）；否则不发送附件"),
    )
    field_map = models.JSONField(
        _("字段对照"), default=dict, blank=True, help_text=_('我方字段名 → 平台字段名，如 {"platform_number": "gdbh"}')
    )
    code_map = models.JSONField(
        _("代码对照"),
        default=dict,
        blank=True,
        help_text=_('按我方字段名：我方代码 → 平台代码，如 {"step": {"signed": "QS"}, "outcome": {"resolved": "1"}}'),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("12345平台连接")
        verbose_name_plural = _("12345平台连接")
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_platform")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.transport == Transport.HTTP and not self.endpoint_url:
            raise ValidationError({"endpoint_url": _("HTTP 接口方式须填写接口地址。")})


class WebhookSubscription(models.Model):
    """A REST client's webhook: these event types are POSTed, signed with the secret, to the URL."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200)
    event_types = models.JSONField(_("事件类型"), default=list, help_text=_('如 ["order.created", "order.closed"]'))
    is_active = models.BooleanField(_("启用"), default=True)
    timeout_seconds = models.FloatField(_("超时（秒）"), default=10.0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")

    def __str__(self) -> str:
        return self.name


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已送达")


class OutboxMessage(models.Model):
    """One message to the platform or a webhook, written in the transaction of the change.

    `id` is stable across retries: the receiver deduplicates on it (X-Hotline-Message-Id). Messages
    of one stream (one destination × one order or notice) are delivered by `sequence`, one after
    the other: a message waits while an earlier one of its stream is undelivered.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    stream = models.CharField(_("队列"), max_length=100, help_text=_("目的地与工单（或函件）"))
    sequence = models.PositiveIntegerField(_("序号"))
    # What made it (an event and the step or type it stands for): writing it twice is refused.
    source = models.CharField(_("来源"), max_length=100)
    connection = models.ForeignKey(
        PlatformConnection, verbose_name=_("平台连接"), null=True, blank=True, on_delete=models.PROTECT
    )
    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("Webhook 订阅"), null=True, blank=True, on_delete=models.PROTECT
    )
    order = models.ForeignKey(
        "tickets.WorkOrder", verbose_name=_("工单"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=30, help_text=_("平台步骤或 Webhook 事件类型"))
    payload = models.JSONField(_("内容"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    last_error = models.TextField(_("最近错误"), blank=True)
    request = models.TextField(_("请求"), blank=True, help_text=_("最近一次发出的请求（地址、头、正文）"))
    response = models.TextField(_("响应"), blank=True, help_text=_("最近一次收到的响应"))
    response_status = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "sequence"], name="outbox_stream_sequence_unique"),
            models.UniqueConstraint(fields=["stream", "source"], name="outbox_stream_source_unique"),
            models.CheckConstraint(
                condition=Q(connection__isnull=True, subscription__isnull=False)
                | Q(connection__isnull=False, subscription__isnull=True),
                name="outbox_one_destination",
            ),
        ]
        indexes = [
            # The sweep: pending messages that are due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="outbox_due_idx"),
            # A stream's undelivered head.
            models.Index(
                fields=["stream", "sequence"], condition=Q(status="pending"), name="outbox_stream_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.stream}#{self.sequence}"


class FeedEntry(models.Model):
    """One order or notice event in the change feed (`GET /api/v1/events/`).

    `txid` is the writing transaction's id on PostgreSQL (`pg_current_xact_id()`), 0 elsewhere.
    The feed is read in (txid, id) order and only below the oldest running transaction
    (`connector.selectors.feed_page` explains why no late commit is ever skipped).
    """

    txid = models.BigIntegerField(_("事务号"), default=0)
    order_event = models.OneToOneField(
        "tickets.OrderEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    notice_event = models.OneToOneField(
        "supervision.NoticeEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    order = models.ForeignKey(
        "tickets.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    notice = models.ForeignKey(
        "supervision.Notice", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("变更流")
        verbose_name_plural = _("变更流")
        indexes = [models.Index(fields=["txid", "id"], name="feed_position_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(order_event__isnull=True, notice_event__isnull=False)
                | Q(order_event__isnull=False, notice_event__isnull=True),
                name="feed_one_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.txid}-{self.pk}"


class ReplyFile(models.Model):
    """The day's replies in one workbook, for a platform without an API: the dispatch desk
    downloads it and uploads it to the platform. Built by a worker after midnight."""

    connection = models.ForeignKey(PlatformConnection, verbose_name=_("平台连接"), on_delete=models.PROTECT)
    day = models.DateField(_("日期"))
    file = models.FileField(_("文件"), upload_to="replies/%Y/%m/")
    rows = models.PositiveIntegerField(_("条数"), default=0)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("每日回复文件")
        verbose_name_plural = _("每日回复文件")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["connection", "day"], name="one_reply_file_a_day")]

    def __str__(self) -> str:
        return f"{self.connection} {self.day:%Y-%m-%d}"


# Our intake fields an import file may carry (the arguments of tickets.services.order_intake).
IMPORT_FIELDS = (
    "platform_number", "channel", "received_at", "caller_name", "caller_phone", "address", "content",
    "nature", "handling_type", "topic", "urgency", "confidential", "leader_instruction",
)  # fmt: skip
MSG_UNKNOWN_IMPORT_FIELD = _("没有此字段：%(names)s。可用：%(fields)s。")
MSG_MAP_NOT_OBJECT = _('应为 JSON 对象，如 {"工单编号": "platform_number"}。')


class ImportMapping(models.Model):
    """How one platform's Excel/CSV export of orders reads: its column headers, its codes, its dates.

    Headers not in `column_map` are also matched against our own field names and their Chinese
    labels (a file in our own layout needs no mapping).
    """

    name = models.CharField(_("名称"), max_length=100)
    connection = models.ForeignKey(
        PlatformConnection, verbose_name=_("平台连接"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(_("启用"), default=True)
    column_map = models.JSONField(
        _("列对照"),
        default=dict,
        blank=True,
        help_text=_('平台表头 → 我方字段名，如 {"工单编号": "platform_number", "来电人姓名": "caller_name"}'),
    )
    code_map = models.JSONField(
        _("代码对照"),
        default=dict,
        blank=True,
        help_text=_(
            '按我方字段名：平台代码 → 我方代码，如 {"nature": {"ZX": "consultation"}, "topic": {"001": "noise"}}'
        ),
    )
    defaults = models.JSONField(
        _("缺省值"),
        default=dict,
        blank=True,
        help_text=_('文件中没有的字段取此值，如 {"channel": "12345", "handling_type": "service"}'),
    )
    date_format = models.CharField(
        _("时间格式"),
        max_length=50,
        blank=True,
        help_text=_("受理时间为文本时的格式，如 %Y-%m-%d %H:%M:%S；不填则识别常见格式"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("导入对照")
        verbose_name_plural = _("导入对照")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        for name, value, names_of in (
            ("column_map", self.column_map, lambda v: v.values()),
            ("code_map", self.code_map, lambda v: v.keys()),
            ("defaults", self.defaults, lambda v: v.keys()),
        ):
            if not isinstance(value, dict) or (
                name == "code_map" and not all(isinstance(c, dict) for c in value.values())
            ):
                errors[name] = MSG_MAP_NOT_OBJECT
                continue
            unknown = sorted({str(n) for n in names_of(value)} - set(IMPORT_FIELDS))
            if unknown:
                errors[name] = MSG_UNKNOWN_IMPORT_FIELD % {
                    "names": "、".join(unknown),
                    "fields": "、".join(IMPORT_FIELDS),
                }
        if errors:
            raise ValidationError(errors)


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("待确认")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportJob(models.Model):
    """One uploaded export of the platform: its preview, then its import by a worker, with counts.

    The preview writes no order; confirming queues the import. Rows are taken in slices, each
    chunk in one transaction with `rows_done`, so a worker killed mid-way resumes where the last
    commit left off; every row goes through `order_intake`, idempotent on the platform number.
    """

    mapping = models.ForeignKey(ImportMapping, verbose_name=_("导入对照"), on_delete=models.PROTECT)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    received_at_confirmed = models.BooleanField(_("确认受理时间无误"), default=False)
    total_rows = models.PositiveIntegerField(_("行数"), default=0)
    preview_new = models.PositiveIntegerField(_("预览：新建"), default=0)
    preview_known = models.PositiveIntegerField(_("预览：已登记"), default=0)
    preview_invalid = models.PositiveIntegerField(_("预览：无效"), default=0)
    preview = models.JSONField(_("预览"), default=list, blank=True)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新建"), default=0)
    existing_count = models.PositiveIntegerField(_("已登记"), default=0)
    failed_count = models.PositiveIntegerField(_("失败"), default=0)
    errors = models.JSONField(_("行错误"), default=list, blank=True)
    error = models.TextField(_("错误"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rows_done__lte=models.F("total_rows")), name="import_done_le_total")
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress(self) -> int:
        return 100 if not self.total_rows else int(self.rows_done * 100 / self.total_rows)
