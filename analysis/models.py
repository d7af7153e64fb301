"""Weekly bulletins (每周通报), special rectification campaigns (专项整治) and typical cases (典型案例).

These tables were created by the `supervision` app (its migrations 0002_bulletins, 0003) and moved
here in analysis 0001 without copying a row: the models keep their table names.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AreaLevel",
    "Bulletin",
    "BulletinCommitment",
    "BulletinKind",
    "Campaign",
    "CaseKind",
    "ExportFormat",
    "ExportJob",
    "ExportStatus",
    "RollupState",
    "TypicalCase",
    "UnitDayBreakdown",
    "UnitDayCount",
    "UnitDayFeedback",
]


class BulletinKind(models.TextChoices):
    WEEKLY = "weekly", _("每周通报")
    CUSTOM = "custom", _("专期通报")


class Bulletin(models.Model):
    """One published version of the bulletin of a period: an immutable snapshot.

    Every figure, ranking and list the bulletin shows is frozen in `data` when it is generated,
    so it reads the same a year later. Generating the same period again makes the next `version`;
    the older versions stay readable.
    """

    kind = models.CharField(_("类型"), max_length=10, choices=BulletinKind.choices)
    period_start = models.DateField(_("统计起始日"))
    period_end = models.DateField(_("统计截止日"), help_text=_("含当日"))
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统按计划自动生成"),
    )
    # Made by the Monday beat task; at most one per period, so a retried task cannot publish twice.
    automatic = models.BooleanField(_("自动生成"), default=False)
    data = models.JSONField(_("通报内容"), default=dict)

    class Meta:
        # Made by the supervision app before analysis had its own; the table kept its name.
        db_table = "supervision_bulletin"
        verbose_name = _("每周通报")
        verbose_name_plural = _("每周通报")
        ordering = ["-period_start", "-period_end", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end", "version"], name="bulletin_period_version_unique"
            ),
            models.UniqueConstraint(
                fields=["period_start", "period_end"],
                condition=Q(automatic=True),
                name="one_automatic_bulletin_per_period",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="bulletin_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A published bulletin is a snapshot and cannot be changed; generate a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A published bulletin cannot be deleted.")

    @property
    def period_days(self) -> int:
        return (self.period_end - self.period_start).days + 1


class BulletinCommitment(models.Model):
    """整改承诺: the remedy a unit head commits to at the weekly meeting, with a deadline.

    Recorded after the bulletin is published (at the meeting), so it is not part of the
    snapshot; it belongs to the period and is shown on every version of it.
    """

    bulletin = models.ForeignKey(Bulletin, verbose_name=_("通报"), on_delete=models.PROTECT, related_name="commitments")
    unit = models.ForeignKey(
        "stations.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="bulletin_commitments"
    )
    measures = models.TextField(_("整改措施"))
    due_on = models.DateField(_("整改期限"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        # Made by the supervision app before analysis had its own; the table kept its name.
        db_table = "supervision_bulletincommitment"
        verbose_name = _("整改承诺")
        verbose_name_plural = _("整改承诺")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.unit} → {self.due_on:%Y-%m-%d}"


class AreaLevel(models.TextChoices):
    STATION = "station", _("派出所辖区")
    PLACE = "place", _("社区/道路")


class Campaign(models.Model):
    """专项整治: a special rectification of one matter in one area, led by one unit."""

    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("工作要求"), blank=True)
    topic = models.ForeignKey(
        "tickets.Topic", verbose_name=_("诉求主题"), on_delete=models.PROTECT, related_name="campaigns"
    )
    area_level = models.CharField(_("区域层级"), max_length=10, choices=AreaLevel.choices, blank=True)
    # The station whose jurisdiction it is (level station) or the address keyword (level place).
    area_unit = models.ForeignKey(
        "stations.Unit",
        verbose_name=_("辖区派出所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_keyword = models.CharField(_("社区/道路"), max_length=100, blank=True)
    lead_unit = models.ForeignKey(
        "stations.Unit", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_campaigns"
    )
    units = models.ManyToManyField("stations.Unit", verbose_name=_("参与单位"), blank=True, related_name="campaigns")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    orders = models.ManyToManyField(
        "tickets.WorkOrder", verbose_name=_("关联工单"), blank=True, related_name="campaigns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)

    class Meta:
        # Made by the supervision app before analysis had its own; the table kept its name.
        db_table = "supervision_campaign"
        verbose_name = _("专项整治")
        verbose_name_plural = _("专项整治")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_period_ordered"),
            models.CheckConstraint(
                condition=Q(area_level="")
                | (Q(area_level="station") & Q(area_unit__isnull=False))
                | (Q(area_level="place") & ~Q(area_keyword="")),
                name="campaign_area_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def area_label(self) -> str:
        if self.area_level == AreaLevel.STATION and self.area_unit_id:
            return str(self.area_unit)
        if self.area_level == AreaLevel.PLACE:
            return self.area_keyword
        return str(_("全局"))

    def is_running(self, today: dt.date) -> bool:
        return self.starts_on <= today <= self.ends_on


class CaseKind(models.TextChoices):
    GOOD = "good", _("正面典型")
    BAD = "bad", _("反面典型")


class TypicalCase(models.Model):
    """典型案例: an order a supervisor holds up as a good or a bad example, with a commentary."""

    order = models.OneToOneField(
        "tickets.WorkOrder", verbose_name=_("工单"), on_delete=models.PROTECT, related_name="typical_case"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=CaseKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    commentary = models.TextField(_("点评"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("点评人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        # Made by the supervision app before analysis had its own; the table kept its name.
        db_table = "supervision_typicalcase"
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


# --- the daily roll-up (analysis/rollup.py) -----------------------------------------------------


class RollupState(models.Model):
    """The fill state of the daily roll-up (zulip's FillState): what the tables hold.

    `UnitDayCount` and `UnitDayBreakdown` hold every *settled* order, and nothing else: an order
    that counts (dispatched, not merged), is closed, and whose closing time, handling deadline and
    contact deadline are not at or after `settled_before` (a local midnight). Closed is final, so
    such an order never changes again; the other orders are counted live. `UnitDayFeedback` holds
    the callbacks and returns made before `settled_before`, by the unit their order counts for
    when the day was (re)filled. One row, name "orders".
    """

    name = models.CharField(max_length=30, unique=True)
    settled_before = models.DateTimeField(_("已汇总至"))
    filled_at = models.DateTimeField(_("汇总时间"))
    # Orders the tables hold (the sum of `UnitDayCount.received`), checked against the orders table.
    orders = models.PositiveBigIntegerField(_("已汇总工单数"), default=0)

    class Meta:
        verbose_name = _("统计汇总状态")
        verbose_name_plural = _("统计汇总状态")

    def __str__(self) -> str:
        return f"{self.name} < {self.settled_before:%Y-%m-%d %H:%M}"


class UnitDayCount(models.Model):
    """The settled orders' counts of one unit on one local day (bureau time zone).

    Each counter is the figure of the same name (`analysis.stats.Figures`) restricted to settled
    orders and to that day: `received` counts the orders received that day, `due` those whose
    handling deadline fell that day, `approved` … those reviewed that day, `closed` those closed
    that day.
    """

    unit = models.ForeignKey("stations.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    received = models.PositiveIntegerField(default=0)
    response_base = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    sign_base = models.PositiveIntegerField(default=0)
    signed_in_time = models.PositiveIntegerField(default=0)
    due = models.PositiveIntegerField(default=0)
    due_closed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    partly = models.PositiveIntegerField(default=0)
    unresolved = models.PositiveIntegerField(default=0)
    handling_minutes_total = models.FloatField(default=0.0)
    timed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("单位每日统计")
        verbose_name_plural = _("单位每日统计")
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="one_count_per_unit_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%Y-%m-%d}"


class UnitDayFeedback(models.Model):
    """Callbacks (回访) and returns (审核退回) made on a local day, by the unit their order counts for.

    Callbacks and reviews are never changed, but the unit an order counts for can (re-dispatch,
    merge): a day is filled when it is over and filled again when an order with callbacks or
    returns that day has a new event (`analysis/rollup.py`); until then that day is counted live.
    """

    unit = models.ForeignKey("stations.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    callbacks = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("单位每日回访与退回")
        verbose_name_plural = _("单位每日回访与退回")
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="one_feedback_per_unit_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%Y-%m-%d}"


class UnitDayBreakdown(models.Model):
    """Settled orders received by a unit on a local day, by handling type, topic (id) or channel."""

    unit = models.ForeignKey("stations.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    dimension = models.CharField(max_length=15)  # handling_type, topic or channel
    key = models.CharField(max_length=30)
    orders = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("单位每日分类统计")
        verbose_name_plural = _("单位每日分类统计")
        constraints = [
            models.UniqueConstraint(fields=["day", "unit", "dimension", "key"], name="one_breakdown_per_unit_day_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%Y-%m-%d} {self.dimension}={self.key}"


# --- files rendered by a worker (analysis/exports.py) ---------------------------------------------


class ExportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class ExportJob(models.Model):
    """A bulletin's PDF or workbook, rendered once by a Celery worker into a stored file.

    One row per bulletin version and format: four people asking at once share one render. The
    file is kept; `fingerprint` names what it was made from (the snapshot and the commitments
    recorded since), and a download whose fingerprint no longer matches renders it again.
    """

    bulletin = models.ForeignKey(Bulletin, verbose_name=_("通报"), on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(_("格式"), max_length=10, choices=ExportFormat.choices)
    status = models.CharField(_("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    fingerprint = models.CharField(_("内容标识"), max_length=64, blank=True)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出文件")
        verbose_name_plural = _("导出文件")
        constraints = [models.UniqueConstraint(fields=["bulletin", "format"], name="one_export_per_bulletin_format")]
        indexes = [models.Index(fields=["requested_by", "requested_at"], name="export_requester_idx")]

    def __str__(self) -> str:
        return f"{self.bulletin_id}.{self.format} ({self.status})"
