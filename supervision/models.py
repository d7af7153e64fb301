"""Notices (督办单, 提醒函), rule firings and notifications.

- `SupervisionPolicy`: the admin-editable thresholds and switches of the rules (one row).
- `RuleFiring`: every time a rule fired for an order, unique per (order, rule, cycle[, occurrence]).
  It is the last guard against a second notice: a sweep that runs twice, two workers at once or
  a retried task all hit the same unique row.
- `RuleTimer`: a due moment a rule needs that the order has no column for (the 80 % warning).
- `SweepCursor`: how far each of the sweep's windows has been processed.
- `SweepHeartbeat`: when a sweep last ran to the end (one row), for `/healthz` and the banner.
- `EscalationLevel`: the escalation ladder (升级阶梯), admin-edited steps per clock; `LevelFiring`
  records each step taken, unique per (level, order, cycle, occurrence) or (level, notice, occurrence).
- `Notice` and its append-only `NoticeEvent`s.
- `Notification` (an in-app message to a unit), `InboxItem` (one per recipient, with read state),
  `Delivery` (one per outside channel: email or group-chat webhook).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import EventRecord

__all__ = [
    "AWAITING_RESPONSE_STATUSES",
    "DEFAULT_REMINDER_FORMAT",
    "DEFAULT_SUPERVISION_FORMAT",
    "OPEN_NOTICE_STATUSES",
    "Delivery",
    "DeliveryChannel",
    "DeliveryStatus",
    "EscalationLevel",
    "LadderAction",
    "LadderBasis",
    "LadderBuiltin",
    "LadderClock",
    "LevelFiring",
    "InboxItem",
    "Notice",
    "NoticeEvent",
    "NoticeKind",
    "NoticeStatus",
    "Notification",
    "NotificationLevel",
    "Rule",
    "RuleFiring",
    "RuleTimer",
    "SupervisionPolicy",
    "SurgeFiring",
    "SweepCursor",
    "SweepHeartbeat",
    "WebhookFormat",
]

DEFAULT_SUPERVISION_FORMAT = "督办〔{year}〕第{seq:03d}号"
DEFAULT_REMINDER_FORMAT = "提醒〔{year}〕第{seq:03d}号"


class Rule(models.TextChoices):
    DISPATCH_NOTICE = "dispatch_notice", _("转办通知")
    CONTACT_WARNING = "contact_warning", _("超时未联系预警")
    EARLY_WARNING = "early_warning", _("办理时限预警")
    OVERDUE = "overdue", _("超期督办")
    REVIEW_RETURNED = "review_returned", _("审核退回督办")
    CALLBACK_UNSATISFIED = "callback_unsatisfied", _("回访不满意提醒")
    REPEAT_COMPLAINT = "repeat_complaint", _("重复投诉提醒")
    LEADER_INSTRUCTION = "leader_instruction", _("领导批示提醒")
    UNRESOLVED = "unresolved", _("未解决督办")
    CONCENTRATED = "concentrated_complaint", _("集中投诉提醒")


class NoticeKind(models.TextChoices):
    SUPERVISION = "supervision", _("督办单")
    REMINDER = "reminder", _("提醒函")


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("已下发")
    SIGNED = "signed", _("已签收")
    RESPONDED = "responded", _("已反馈")
    CLOSED = "closed", _("已办结")


OPEN_NOTICE_STATUSES = (NoticeStatus.ISSUED, NoticeStatus.SIGNED, NoticeStatus.RESPONDED)
AWAITING_RESPONSE_STATUSES = (NoticeStatus.ISSUED, NoticeStatus.SIGNED)


class WebhookFormat(models.TextChoices):
    TEXT = "text", _("文本（企业微信、钉钉通用）")
    WECOM_MARKDOWN = "wecom_markdown", _("企业微信 Markdown")
    DINGTALK_MARKDOWN = "dingtalk_markdown", _("钉钉 Markdown")


def validate_number_format(value: str) -> None:
    """A notice number format must name {year} and {seq} (the sequence restarts every year) and
    format cleanly, e.g. 督办〔{year}〕第{seq:03d}号."""
    if "{seq" not in value or "{year" not in value:
        raise ValidationError(_("编号格式必须包含 {year}（年份）和 {seq}（年度序号）。"))
    try:
        value.format(year=2026, seq=15)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(_("编号格式无效：%(error)s") % {"error": exc}) from exc


class SupervisionPolicy(models.Model):
    """督办规则设置: one row, edited in the admin. Read once per sweep."""

    notify_on_dispatch = models.BooleanField(_("转办时通知承办单位"), default=True)

    contact_warning_enabled = models.BooleanField(_("超时未联系预警"), default=True)
    contact_warning_grace_minutes = models.PositiveIntegerField(
        _("联系时限后宽限（分钟）"),
        default=0,
        help_text=_("联系时限（办理时限设置中的联系分钟数，默认转办后60分钟）过后再等待多少分钟发出预警"),
    )

    early_warning_enabled = models.BooleanField(_("办理时限预警"), default=True)
    early_warning_percent = models.PositiveSmallIntegerField(
        _("预警比例（%）"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("办理时间（按工作时间计）过去这一比例仍未上报时，向承办单位预警"),
    )

    overdue_enabled = models.BooleanField(_("超期未上报下发督办单"), default=True)
    returned_enabled = models.BooleanField(_("审核退回下发督办单"), default=True)
    unresolved_enabled = models.BooleanField(
        _("未解决或部分解决下发督办单"),
        default=True,
        help_text=_("上报结果为未解决或部分解决、经审核通过时，向承办单位下发督办单，写明未解决原因"),
    )
    unsatisfied_enabled = models.BooleanField(_("回访不满意下发提醒函"), default=True)

    repeat_enabled = models.BooleanField(_("重复投诉下发提醒函"), default=True)
    repeat_threshold = models.PositiveSmallIntegerField(
        _("重复次数"),
        default=3,
        validators=[MinValueValidator(2)],
        help_text=_("同一来电号码，或同一地址和主题，在统计天数内达到此次数即下发提醒函"),
    )
    repeat_window_days = models.PositiveSmallIntegerField(
        _("统计天数"), default=30, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )

    leader_enabled = models.BooleanField(_("领导批示转办时下发提醒函"), default=True)

    # 集中投诉: the surge threshold of the hotspot page (研判), editable here; defaults as there.
    concentrated_enabled = models.BooleanField(
        _("集中投诉下发提醒函"),
        default=True,
        help_text=_("同一主题在同一派出所辖区本周的工单数激增时，向承办单位下发提醒函，并提请督察部门开展专项整治"),
    )
    concentrated_ratio = models.DecimalField(
        _("激增比例"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("本周工单数不少于前几周平均数的（1 + 此比例）倍，如 0.5 即增加 50%"),
    )
    concentrated_minimum = models.PositiveSmallIntegerField(
        _("激增最少增加件数"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("本周工单数比前几周平均数至少多出的件数"),
    )
    concentrated_baseline_weeks = models.PositiveSmallIntegerField(
        _("对比周数"), default=4, validators=[MinValueValidator(1), MaxValueValidator(26)]
    )

    respond_working_days = models.DecimalField(
        _("反馈时限（工作日）"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("承办单位须在下发后多少个工作日内反馈整改措施"),
    )
    supervision_number_format = models.CharField(
        _("督办单编号格式"),
        max_length=60,
        default=DEFAULT_SUPERVISION_FORMAT,
        validators=[validate_number_format],
        help_text=_("{year} 为年份，{seq} 为年度序号，如 {seq:03d} 补足三位"),
    )
    reminder_number_format = models.CharField(
        _("提醒函编号格式"),
        max_length=60,
        default=DEFAULT_REMINDER_FORMAT,
        validators=[validate_number_format],
    )
    issuer_name = models.CharField(_("发文单位"), max_length=100, default="公安局指挥中心（民意感知中心）")
    webhook_format = models.CharField(
        _("工作群消息格式"), max_length=20, choices=WebhookFormat.choices, default=WebhookFormat.TEXT
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("督办规则设置")
        verbose_name_plural = _("督办规则设置")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="supervision_policy_single_row")]

    def __str__(self) -> str:
        return str(_("督办规则设置"))

    @classmethod
    def load(cls) -> SupervisionPolicy:
        policy = cls.objects.filter(pk=1).first()
        if policy is not None:
            return policy
        try:
            return cls.objects.create(pk=1)
        except IntegrityError:  # created by someone else a moment ago
            return cls.objects.get(pk=1)

    def number_format(self, kind: str) -> str:
        return self.supervision_number_format if kind == NoticeKind.SUPERVISION else self.reminder_number_format


class SweepCursor(models.Model):
    """How far the sweep has processed one of its windows (a deadline column or the event log)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    position = models.DateTimeField(_("已处理至"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    last_run = models.JSONField(_("上次运行"), default=dict, blank=True)

    class Meta:
        verbose_name = _("巡检进度")
        verbose_name_plural = _("巡检进度")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class SweepHeartbeat(models.Model):
    """When a sweep last ran to the end: one row, written by every completed run.

    Enforcement has stopped when this is old (the worker, beat or the broker is down) while the
    rest of the system still works; `/healthz` and the supervisors' banner read it by primary key.
    No row means no sweep has completed on this database yet.
    """

    completed_at = models.DateTimeField(_("上次完成"))
    last_run = models.JSONField(_("上次运行"), default=dict, blank=True)

    class Meta:
        verbose_name = _("巡检心跳")
        verbose_name_plural = _("巡检心跳")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="sweep_heartbeat_single_row")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} @ {self.completed_at:%Y-%m-%d %H:%M:%S}"


class RuleTimer(models.Model):
    """A due moment computed on the working calendar (the 80 % early warning of a round).

    The order's own deadline columns serve the other timed rules; this is the indexed "due"
    column for a moment the order does not store.
    """

    order = models.ForeignKey(
        "tickets.WorkOrder", verbose_name=_("工单"), on_delete=models.CASCADE, related_name="rule_timers"
    )
    rule = models.CharField(_("规则"), max_length=30, choices=Rule.choices)
    cycle = models.PositiveIntegerField(_("办理轮次"))
    due_at = models.DateTimeField(_("到期时间"), db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规则计时")
        verbose_name_plural = _("规则计时")
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["order", "rule", "cycle"], name="one_timer_per_order_rule_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.get_rule_display()} #{self.cycle} @ {self.due_at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """督办单 or 提醒函: a numbered letter to a unit that it must sign for and answer."""

    kind = models.CharField(_("类型"), max_length=15, choices=NoticeKind.choices)
    number = models.CharField(_("编号"), max_length=80, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("年度序号"))
    rule = models.CharField(
        _("触发规则"), max_length=30, choices=Rule.choices, blank=True, help_text=_("为空表示人工下发")
    )
    reason = models.TextField(_("督办事由"))
    requirement = models.TextField(_("工作要求"), blank=True, help_text=_("对承办单位的要求，写入函件正文"))
    unit = models.ForeignKey(
        "stations.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="notices"
    )
    orders = models.ManyToManyField("tickets.WorkOrder", verbose_name=_("涉及工单"), related_name="notices", blank=True)

    status = models.CharField(
        _("状态"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED, db_index=True
    )
    issued_at = models.DateTimeField(_("下发时间"), db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统按规则自动下发"),
    )
    respond_by = models.DateTimeField(_("反馈时限"), db_index=True)

    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    response = models.TextField(_("整改措施"), blank=True)
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    close_note = models.TextField(_("办结意见"), blank=True)

    is_late = models.BooleanField(
        _("逾期反馈"), default=False, db_index=True, help_text=_("超过反馈时限仍未反馈，纳入通报")
    )
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "stations.Unit",
        verbose_name=_("升级至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A hand-issued notice's form carries a token, so a double-clicked submit issues one notice.
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("督办函件")
        verbose_name_plural = _("督办函件")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"], name="notice_unit_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "sequence"], name="notice_number_per_kind_year"),
            models.CheckConstraint(
                condition=~Q(status="responded") & ~Q(status="closed") | ~Q(response=""),
                name="answered_notice_has_response",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != NoticeStatus.CLOSED

    @property
    def awaiting_response(self) -> bool:
        return self.status in AWAITING_RESPONSE_STATUSES

    def is_overdue(self, now=None) -> bool:
        """No answer yet and the respond-by time has passed."""
        return self.awaiting_response and self.respond_by < (now or timezone.now())


NOTICE_EVENT_LABELS = {
    "issue": _("下发"),
    "sign": _("签收"),
    "respond": _("反馈整改措施"),
    "close": _("办结"),
    "escalate": _("逾期升级"),
    "link_orders": _("关联工单"),
}


class NoticeEvent(EventRecord):
    """An append-only record of what happened to a notice: issued, signed, answered, closed…"""

    notice = models.ForeignKey(Notice, verbose_name=_("函件"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, choices=NoticeStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=NoticeStatus.choices, blank=True)

    class Meta:
        verbose_name = _("函件日志")
        verbose_name_plural = _("函件日志")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.notice} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return str(NOTICE_EVENT_LABELS.get(self.action, self.action))


class SurgeFiring(models.Model):
    """集中投诉 fired for a surge: one topic in one station's area, in one ISO week. At most once.

    The unique constraint is the last guard, as `RuleFiring` is for an order's rules: the letters
    to the units and the supervisors' notification are written in the same transaction.
    """

    topic = models.ForeignKey("tickets.Topic", verbose_name=_("诉求主题"), on_delete=models.PROTECT, related_name="+")
    # The station whose area it is (by address, else the unit dispatched to); "" for no known area.
    area_key = models.CharField(_("区域"), max_length=100, blank=True)
    area_label = models.CharField(_("区域名称"), max_length=200, blank=True)
    week = models.DateField(_("周（周一）"))
    order_count = models.PositiveIntegerField(_("本周工单数"))
    baseline_mean = models.FloatField(_("前几周平均数"))
    fired_at = models.DateTimeField(_("触发时间"), db_index=True)
    notices = models.ManyToManyField(Notice, verbose_name=_("提醒函"), related_name="surge_firings", blank=True)

    class Meta:
        verbose_name = _("集中投诉触发记录")
        verbose_name_plural = _("集中投诉触发记录")
        ordering = ["-week", "-fired_at"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "area_key", "week"], name="one_surge_firing_per_topic_area_week")
        ]

    def __str__(self) -> str:
        return f"{self.week:%Y-%m-%d} {self.area_label} {self.order_count}"


class RuleFiring(models.Model):
    """A rule fired for an order. At most once per (order, rule, cycle, occurrence).

    `cycle` is the order's dispatch round. `occurrence` is 0 for every rule but one: a reviewer
    may return the same round's result more than once, and each return is its own 督办单, so
    that rule numbers its firings by the order's return count.
    """

    order = models.ForeignKey(
        "tickets.WorkOrder", verbose_name=_("工单"), on_delete=models.PROTECT, related_name="rule_firings"
    )
    rule = models.CharField(_("规则"), max_length=30, choices=Rule.choices)
    cycle = models.PositiveIntegerField(_("办理轮次"))
    occurrence = models.PositiveIntegerField(_("次序"), default=0)
    due_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    fired_at = models.DateTimeField(_("触发时间"), db_index=True)
    notice = models.ForeignKey(
        Notice, verbose_name=_("函件"), null=True, blank=True, on_delete=models.PROTECT, related_name="firings"
    )
    detail = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("规则触发记录")
        verbose_name_plural = _("规则触发记录")
        ordering = ["-fired_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "rule", "cycle", "occurrence"], name="one_firing_per_order_rule_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.get_rule_display()} #{self.cycle}"


class NotificationLevel(models.TextChoices):
    INFO = "info", _("通知")
    WARNING = "warning", _("预警")
    URGENT = "urgent", _("督办")


class Notification(models.Model):
    """An in-app message addressed to a unit; its staff each get an `InboxItem`."""

    unit = models.ForeignKey(
        "stations.Unit",
        verbose_name=_("接收单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    category = models.CharField(_("类别"), max_length=30)
    level = models.CharField(
        _("级别"), max_length=10, choices=NotificationLevel.choices, default=NotificationLevel.INFO
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    order = models.ForeignKey(
        "tickets.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("函件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "created_at"], name="notification_unit_time_idx")]

    def __str__(self) -> str:
        return self.title


class InboxItem(models.Model):
    """One recipient's copy of a notification, with its read state."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="inbox_items"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="inbox_items"
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("收件箱")
        verbose_name_plural = _("收件箱")
        ordering = ["-notification__created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["notification", "user"], name="one_inbox_item_per_user")]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_user_read_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.notification}"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("邮件")
    WEBHOOK = "webhook", _("工作群机器人")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """Sending one notification through one outside channel; retried with backoff by Celery."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=DeliveryChannel.choices)
    target = models.CharField(_("发送地址"), max_length=500)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claimed_at = models.DateTimeField(_("开始发送"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("消息推送")
        verbose_name_plural = _("消息推送")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target} ({self.get_status_display()})"


# --- the escalation ladder (升级阶梯) -----------------------------------------------------------

LADDER_MAX_OFFSET_MINUTES = 30 * 24 * 60  # thirty days either side of the deadline


class LadderClock(models.TextChoices):
    CONTACT = "contact", _("联系时限")
    HANDLING = "handling", _("办理时限")
    NOTICE_RESPONSE = "notice_response", _("督办反馈时限")


class LadderBasis(models.TextChoices):
    WORKING = "working", _("工作时间")
    WALL = "wall", _("自然时间")


class LadderAction(models.TextChoices):
    WARN_UNIT = "warn_unit", _("预警承办单位")
    WARN_OFFICER = "warn_officer", _("提醒承办民警")
    WARN_HEAD = "warn_head", _("提醒单位负责人")
    SUPERVISION_NOTICE = "supervision_notice", _("下发督办单")
    ESCALATE_PARENT = "escalate_parent", _("报上级单位和督导领导")
    DAILY_REMINDER = "daily_reminder", _("每个工作日早上再次提醒")


class LadderBuiltin(models.TextChoices):
    """Today's rules, shown as the first steps of the default ladder. They keep firing through
    their own windows and switches (督办规则设置); a ladder row only names them."""

    CONTACT_WARNING = "contact_warning", _("超时未联系预警")
    EARLY_WARNING = "early_warning", _("办理时限预警")
    OVERDUE = "overdue", _("超期督办")
    NOTICE_ESCALATION = "notice_escalation", _("督办逾期未反馈报上级")


class EscalationLevel(models.Model):
    """One step of the escalation ladder: at the clock's deadline ± offset (working time or wall
    clock), while the unit still owes the work, do the action. Each step is written into the order's
    timeline."""

    position = models.PositiveSmallIntegerField(_("级别"), default=1, help_text=_("第几级，按此排序"))
    name = models.CharField(_("名称"), max_length=60)
    clock = models.CharField(_("时限"), max_length=20, choices=LadderClock.choices)
    offset_minutes = models.IntegerField(
        _("相对时限（分钟）"),
        default=0,
        validators=[MinValueValidator(-LADDER_MAX_OFFSET_MINUTES), MaxValueValidator(LADDER_MAX_OFFSET_MINUTES)],
        help_text=_("负数为时限前，正数为时限后，0 为时限到达时；最多前后30天（43200分钟）"),
    )
    basis = models.CharField(
        _("计时方式"),
        max_length=10,
        choices=LadderBasis.choices,
        default=LadderBasis.WORKING,
        help_text=_("工作时间按法定工作日历和上班时段计算，节假日和下班时间不计"),
    )
    action = models.CharField(_("动作"), max_length=20, choices=LadderAction.choices)
    reminder_time = models.TimeField(
        _("每日提醒时间"),
        null=True,
        blank=True,
        help_text=_("仅用于“每个工作日早上再次提醒”：每个工作日到此时刻，仍超期的工单再提醒一次（周末、节假日不提醒）"),
    )
    enabled = models.BooleanField(_("启用"), default=True)
    builtin = models.CharField(
        _("内置规则"),
        max_length=20,
        choices=LadderBuiltin.choices,
        blank=True,
        help_text=_("内置级别即现有督办规则，时点和开关在“督办规则设置”中修改"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("升级阶梯级别")
        verbose_name_plural = _("升级阶梯")
        ordering = ["clock", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["builtin"], condition=~Q(builtin=""), name="one_ladder_level_per_builtin_rule"
            ),
            models.CheckConstraint(
                condition=Q(offset_minutes__gte=-LADDER_MAX_OFFSET_MINUTES)
                & Q(offset_minutes__lte=LADDER_MAX_OFFSET_MINUTES),
                name="ladder_offset_within_thirty_days",
            ),
            models.CheckConstraint(
                condition=~Q(action="daily_reminder") | Q(reminder_time__isnull=False),
                name="ladder_daily_reminder_has_time",
            ),
        ]

    def __str__(self) -> str:
        return _("第%(position)s级 %(name)s") % {"position": self.position, "name": self.name}

    def clean(self) -> None:
        errors = {}
        if self.action == LadderAction.DAILY_REMINDER and self.reminder_time is None:
            errors["reminder_time"] = _("每日提醒须填写提醒时间。")
        if self.action != LadderAction.DAILY_REMINDER and self.reminder_time is not None:
            errors["reminder_time"] = _("只有“每个工作日早上再次提醒”需要提醒时间。")
        if self.action == LadderAction.DAILY_REMINDER and self.offset_minutes < 0:
            # Reminding "while still overdue" before the deadline has passed would remind of nothing.
            errors["offset_minutes"] = _("每日提醒从时限过后开始，相对时限不能为负数。")
        if self.clock == LadderClock.NOTICE_RESPONSE and self.action in (
            LadderAction.WARN_OFFICER,
            LadderAction.SUPERVISION_NOTICE,
        ):
            errors["action"] = _("督办反馈时限只能提醒单位、负责人或报上级。")
        if errors:
            raise ValidationError(errors)


class LevelFiring(models.Model):
    """A ladder step taken: for an order's round (contact, handling) or for a notice (its
    response clock). The unique keys are the last guard against a second step; a daily reminder's
    occurrence is the working day (YYYYMMDD), so it fires once per working morning."""

    level = models.ForeignKey(EscalationLevel, verbose_name=_("级别"), on_delete=models.PROTECT, related_name="firings")
    order = models.ForeignKey(
        "tickets.WorkOrder", verbose_name=_("工单"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    notice = models.ForeignKey(
        "Notice", verbose_name=_("函件"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    cycle = models.PositiveIntegerField(_("转办轮次"), default=0)
    occurrence = models.PositiveIntegerField(_("次序"), default=0)
    due_at = models.DateTimeField(_("到期时间"))
    fired_at = models.DateTimeField(_("触发时间"), default=timezone.now)
    raised = models.ForeignKey(
        "Notice",
        verbose_name=_("下发的督办单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("升级记录")
        verbose_name_plural = _("升级记录")
        ordering = ["-fired_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "order", "cycle", "occurrence"],
                condition=Q(notice__isnull=True),
                name="one_level_firing_per_order_round",
            ),
            models.UniqueConstraint(
                fields=["level", "notice", "occurrence"],
                condition=Q(notice__isnull=False),
                name="one_level_firing_per_notice",
            ),
            models.CheckConstraint(
                condition=Q(order__isnull=False) | Q(notice__isnull=False), name="level_firing_has_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} #{self.order_id or self.notice_id}/{self.cycle}/{self.occurrence}"
