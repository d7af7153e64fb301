"""The work order (工单), its records, its append-only event log and the working calendar."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from . import textindex


class ChoiceLabels:
    """`get_FOO_display()` that translates one label, not the whole list of choices.

    Django's `Model._get_FIELD_display` rebuilds the field's choices on every call and hashes
    each lazy label, which translates all of them; a list page calls it thousands of times (it
    was most of the time of a 100-row queue). Here the value is looked up in a dict built once
    per field, and only the label returned is translated, in the active language.
    """

    _labels: dict = {}

    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
        value = getattr(self, field.attname)
        labels = ChoiceLabels._labels.get(field)
        if labels is None:
            labels = ChoiceLabels._labels[field] = dict(field.flatchoices)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value: Django's own way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)


class Channel(models.TextChoices):
    HOTLINE_12345 = "12345", _("12345热线")
    LINKAGE_110 = "110", _("110联动")
    ONLINE_DISCUSSION = "online", _("网络问政")
    WALK_IN = "walk_in", _("来访")
    SMS = "sms", _("短信")
    WEB = "web", _("网站")


class Nature(models.TextChoices):
    """诉求类别, as the 12345 platform classifies a request."""

    CONSULTATION = "consultation", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")


class HandlingType(models.TextChoices):
    """The handling type sets the time limit."""

    CONSULTATION = "consultation", _("咨询类")
    ENFORCEMENT = "enforcement", _("执法办案类")
    SERVICE = "service", _("管理服务类")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Status(models.TextChoices):
    RECEIVED = "received", _("待转办")
    DISPATCHED = "dispatched", _("已转办")
    CONTACTED = "contacted", _("已联系")
    REPORTED = "reported", _("已上报")
    RETURNED = "returned", _("退回")
    APPROVED = "approved", _("审核通过")
    CALLBACK_DONE = "callback_done", _("已回访")
    CLOSED = "closed", _("办结")
    SENT_BACK = "sent_back", _("退单待审")
    MERGED = "merged", _("已并单")


# Statuses in which the responsible unit still owes work: the handling clock runs.
UNIT_WORK_STATUSES = (Status.DISPATCHED, Status.CONTACTED, Status.RETURNED)
OPEN_STATUSES = tuple(s for s in Status if s not in (Status.CLOSED, Status.MERGED))


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("已解决")
    PARTLY = "partly", _("部分解决")
    UNRESOLVED = "unresolved", _("未解决")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    IN_PERSON = "in_person", _("见面")


class Topic(models.Model):
    """诉求主题: noise, fraud, household registration … an admin-editable list."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.SlugField(_("代码"), max_length=50, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("诉求主题")
        verbose_name_plural = _("诉求主题")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class TimeLimitPolicy(models.Model):
    """办理时限: the contact and handling limits of one handling type."""

    handling_type = models.CharField(_("办理类型"), max_length=20, choices=HandlingType.choices, unique=True)
    contact_minutes = models.PositiveIntegerField(
        _("联系时限（分钟）"),
        default=60,
        validators=[MinValueValidator(1)],
        help_text=_("自转办起按自然时间计算，视同警情处置"),
    )
    handling_working_days = models.DecimalField(
        _("办理时限（工作日）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("自转办起按工作时间计算；0.5 即半个工作日"),
    )

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["handling_type"]

    def __str__(self) -> str:
        return f"{self.get_handling_type_display()}: {self.handling_working_days} {_('工作日')}"


class WorkOrder(ChoiceLabels, models.Model):
    """工单: the record of the caller, the matter, its handling, supervision and callback."""

    number = models.CharField(_("工单编号"), max_length=20, unique=True, editable=False)
    platform_number = models.CharField(
        _("12345平台工单号"),
        max_length=50,
        null=True,
        blank=True,
        unique=True,
        help_text=_("同一平台工单号重复推送只生成一张工单"),
    )
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    caller_name = models.CharField(_("来电人"), max_length=50)
    caller_phone = models.CharField(_("来电号码"), max_length=30)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    content = models.TextField(_("诉求内容"))
    nature = models.CharField(_("诉求类别"), max_length=15, choices=Nature.choices)
    handling_type = models.CharField(_("办理类型"), max_length=15, choices=HandlingType.choices)
    topic = models.ForeignKey(Topic, verbose_name=_("诉求主题"), on_delete=models.PROTECT, related_name="orders")
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    confidential = models.BooleanField(
        _("保密"), default=False, help_text=_("来电人要求保密：姓名和电话仅对承办民警显示")
    )
    leader_instructed = models.BooleanField(_("领导批示"), default=False)
    leader_instruction = models.TextField(_("批示内容"), blank=True)

    status = models.CharField(_("状态"), max_length=15, choices=Status.choices, default=Status.RECEIVED)
    # The three foreign keys below are indexed in Meta.indexes: the unit together with the received
    # time, the officer and the primary order only where they are set.
    unit = models.ForeignKey(
        "stations.Unit",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办民警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_orders",
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_orders",
        db_index=False,
    )
    # A dispatch round: incremented on every dispatch, re-dispatch and reopen. Timer rules fire
    # at most once per (order, rule, cycle).
    cycle = models.PositiveIntegerField(_("办理轮次"), default=0)
    # Optimistic concurrency: bumped on every change; the API's ETag.
    version = models.PositiveIntegerField(_("版本"), default=1)

    dispatched_at = models.DateTimeField(_("转办时间"), null=True, blank=True)
    # 签收: the unit took the order (the platform's first step). Set by the sign action, or by the
    # first contact when nobody signed before it (signing is implied by contact).
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signed_orders",
        db_index=False,
    )
    contacted_at = models.DateTimeField(_("联系时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)

    contact_deadline = models.DateTimeField(_("联系时限"), null=True, blank=True, db_index=True)
    handling_deadline = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    deadline_warning = models.CharField(
        _("时限提示"),
        max_length=200,
        blank=True,
        help_text=_("计算办理时限时工作日历缺少官方安排等情况"),
    )
    return_count = models.PositiveIntegerField(_("退回次数"), default=0)
    reopen_count = models.PositiveIntegerField(_("重办次数"), default=0)
    handling_minutes = models.FloatField(
        _("办理用时（工作分钟）"),
        null=True,
        blank=True,
        help_text=_("自转办至上报经审核通过的结果，按工作时间计"),
    )
    # Latest report's outcome and callback's satisfaction, copied here for counting.
    outcome = models.CharField(_("办理结果"), max_length=12, choices=Outcome.choices, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)

    # Related matters (登记并关联 at intake): a link both ways, shown on each order's page.
    related_orders = models.ManyToManyField("self", verbose_name=_("关联工单"), blank=True, symmetrical=True)
    # The search document of content and address (tickets/textindex.py), kept by
    # `refresh_search_vector()`; NULL until computed (rows older than the search index are filled
    # by `manage.py search_index`, and searched the slow way until then). Its GIN index, and the
    # trigram indexes on the numbers, the phone and the address, are PostgreSQL-only and live in
    # migration 0005, outside the model state.
    search_vector = SearchVectorField(_("检索向量"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-received_at", "-id"]
        # Each index names the query it serves; migration 0005 explains what was dropped and why,
        # and `python -m bench.indexes` prints the plan of every one of these queries. The queue
        # indexes are partial: they hold only the orders in that state, a few thousand rows
        # whatever the size of the table, and a new order (status received) writes none of them.
        indexes = [
            # The order list's default ordering (-received_at) filtered by status, and the dispatch
            # board's waiting queue (status received, oldest first).
            models.Index(fields=["status", "received_at"], name="order_status_received_idx"),
            # An officer's orders, newest first (every list an officer opens is scoped to the unit);
            # also the unit foreign key's index.
            models.Index(fields=["unit", "received_at"], name="order_unit_received_idx"),
            # The open work of the units: overdue orders, the oldest deadline first (overview,
            # `overdue=true`); a unit's workbench, nearest deadline first (the unit is a condition
            # on the index's second column); every unit's open, due-soon and overdue counts (an
            # index-only scan of a few thousand entries).
            models.Index(
                fields=["handling_deadline", "unit"],
                condition=Q(status__in=UNIT_WORK_STATUSES),
                name="order_open_work_idx",
            ),
            # The board's sent-back queue, oldest dispatch first; the unit for the per-unit counts
            # (an index-only scan).
            models.Index(
                fields=["dispatched_at", "unit"],
                condition=Q(status=Status.SENT_BACK),
                name="order_sent_back_idx",
            ),
            # The review queue, the callback queue (approved; called back) and the unsatisfied list.
            models.Index(fields=["reported_at"], condition=Q(status=Status.REPORTED), name="order_review_queue_idx"),
            models.Index(fields=["reviewed_at"], condition=Q(status=Status.APPROVED), name="order_callback_queue_idx"),
            models.Index(
                fields=["callback_at"], condition=Q(status=Status.CALLBACK_DONE), name="order_close_queue_idx"
            ),
            # The workbench's "reported or sent back, waiting for others" list of a unit.
            models.Index(
                fields=["unit", "updated_at"],
                condition=Q(status__in=[Status.REPORTED, Status.SENT_BACK]),
                name="order_unit_waiting_idx",
            ),
            # The repeat-caller rule (supervision) and the hotspots' repeat callers: equality only, so
            # a plain index (the varchar_pattern_ops copy `db_index=True` adds served no query).
            models.Index(fields=["caller_phone"], name="order_caller_phone_idx"),
            # Filters of the order list whose values can be rare (特急, 建议) and would otherwise need
            # a scan of the whole table. Few distinct values: deduplicated B-trees of a few MB each.
            # (Every channel carries a good share of the orders: walking the list's own index finds
            # a page of any of them quickly, so `channel` has none.)
            models.Index(fields=["urgency"], name="order_urgency_idx"),
            models.Index(fields=["nature"], name="order_nature_idx"),
            models.Index(fields=["received_at"], condition=Q(leader_instructed=True), name="order_leader_idx"),
            # Foreign keys that are mostly empty: the officer filter and the merged duplicates of an order.
            models.Index(fields=["officer"], condition=Q(officer__isnull=False), name="order_officer_idx"),
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="order_merged_into_idx"),
            # Bulletins and dashboards (analysis/stats.py): results approved in a period, and the
            # orders called back since a moment (narrows the join from callbacks to orders).
            models.Index(fields=["reviewed_at"], name="order_reviewed_at_idx"),
            models.Index(fields=["callback_at"], name="order_callback_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="merged_order_has_primary",
            ),
            models.CheckConstraint(
                condition=Q(status="received") | Q(status="merged") | Q(unit__isnull=False),
                name="dispatched_order_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.leader_instructed and not self.leader_instruction.strip():
            raise ValidationError({"leader_instruction": _("请填写领导批示内容。")})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def refresh_search_vector(self) -> None:
        """Recompute the search document from the content and address.

        Every service that sets or changes either calls this before saving (today: intake).
        """
        self.search_vector = textindex.document_vector(content=self.content, address=self.address)


class AppendOnlyModel(models.Model):
    """A log row: written once, never changed or deleted (the audit trail must stay true)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are append-only and cannot be deleted.")


class EventRecord(AppendOnlyModel):
    """What every event log row holds, whatever it is about (an order, a notice): who, when, why,
    and what else the action carried. Subclasses add their subject, `action` and statuses."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统自动操作"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    note = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        abstract = True


class OrderEvent(ChoiceLabels, EventRecord):
    """An append-only record of one thing that happened to an order: who, when, from, to, why."""

    # Indexed by `event_order_time_idx` (order, created_at), which serves every lookup by order.
    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="events", db_index=False
    )
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=15, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=15, choices=Status.choices, blank=True)
    # As EventRecord's, with a way back from the user (`user.order_events`).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_events",
        help_text=_("为空表示系统自动操作"),
    )

    class Meta:
        verbose_name = _("工单日志")
        verbose_name_plural = _("工单日志")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="event_order_time_idx")]

    def __str__(self) -> str:
        return f"{self.order} {self.action} {self.created_at:%Y-%m-%d %H:%M}"



class LeaderInstruction(AppendOnlyModel):
    """领导批示: a leader's instruction on an order, at intake or at any time before it is closed.

    Numbered per order (`sequence`, from 1): the supervision rule raises one 提醒函 per
    instruction recorded while a unit has the order, keyed by this number.
    """

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="instructions"
    )
    sequence = models.PositiveIntegerField(_("序号"))
    instructor = models.CharField(_("批示领导"), max_length=100, blank=True, help_text=_("姓名或职务"))
    text = models.TextField(_("批示内容"))
    instructed_at = models.DateTimeField(_("批示时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # Carried over when the order it was given on was merged into this one (并单).
    carried_from = models.ForeignKey(
        WorkOrder,
        verbose_name=_("随并单转入自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["order", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="one_instruction_number_per_order")
        ]

    def __str__(self) -> str:
        return f"{self.order} #{self.sequence} {self.instructor}"


class ContactRecord(ChoiceLabels, models.Model):
    """联系记录: the officer talked with the citizen."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="contacts")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("联系民警"), on_delete=models.PROTECT)
    method = models.CharField(_("联系方式"), max_length=10, choices=ContactMethod.choices)
    contacted_at = models.DateTimeField(_("联系时间"))
    note = models.TextField(_("沟通情况"))
    cycle = models.PositiveIntegerField(_("办理轮次"))

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["contacted_at", "id"]

    def __str__(self) -> str:
        return f"{self.order} {self.get_method_display()} {self.contacted_at:%Y-%m-%d %H:%M}"


class Report(ChoiceLabels, models.Model):
    """上报: what the unit did and the outcome."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上报人"), on_delete=models.PROTECT)
    outcome = models.CharField(_("办理结果"), max_length=12, choices=Outcome.choices)
    text = models.TextField(_("办理情况"))
    unresolved_reason = models.TextField(
        _("未解决原因"), blank=True, help_text=_("例如：属民事纠纷，已引导当事人诉讼解决")
    )
    created_at = models.DateTimeField(_("上报时间"), auto_now_add=True)
    cycle = models.PositiveIntegerField(_("办理轮次"))

    class Meta:
        verbose_name = _("办理上报")
        verbose_name_plural = _("办理上报")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order} {self.get_outcome_display()}"


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回")


class Review(ChoiceLabels, models.Model):
    """审核: a reviewer approved a report or returned it for rework."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="reviews")
    report = models.ForeignKey(Report, verbose_name=_("上报"), on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.PROTECT)
    decision = models.CharField(_("审核结论"), max_length=10, choices=ReviewDecision.choices)
    reason = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("审核时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["created_at", "id"]
        # Returns made in a period (bulletins).
        indexes = [models.Index(fields=["created_at"], name="review_created_at_idx")]

    def __str__(self) -> str:
        return f"{self.order} {self.get_decision_display()}"


class Callback(ChoiceLabels, models.Model):
    """回访: the citizen was called back and rated the handling."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="callbacks")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("回访人"), on_delete=models.PROTECT)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices)
    citizen_words = models.TextField(_("群众意见"), blank=True)
    created_at = models.DateTimeField(_("回访时间"), auto_now_add=True)
    cycle = models.PositiveIntegerField(_("办理轮次"))

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["created_at", "id"]
        # Callbacks made in a period (satisfaction rates of bulletins and dashboards).
        indexes = [models.Index(fields=["created_at"], name="callback_created_at_idx")]

    def __str__(self) -> str:
        return f"{self.order} {self.get_satisfaction_display()}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


class ExtensionRequest(ChoiceLabels, models.Model):
    """延期申请: the unit asks for more time; the dispatcher decides."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("延期理由"))
    requested_until = models.DateTimeField(_("申请延至"))
    previous_deadline = models.DateTimeField(_("原办理时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-created_at"]
        constraints = [
            # At most one undecided request per order.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="pending"),
                name="one_pending_extension_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} → {self.requested_until:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class Objection(ChoiceLabels, models.Model):
    """退单 / 派单异议: the unit says the order is not theirs; the dispatcher reviews it."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="objections")
    unit = models.ForeignKey("stations.Unit", verbose_name=_("退单单位"), on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("退单人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("退单理由"))
    previous_status = models.CharField(_("退单前状态"), max_length=15, choices=Status.choices)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(_("退单时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("退单异议")
        verbose_name_plural = _("退单异议")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="pending"),
                name="one_pending_objection_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.unit} ({self.get_status_display()})"


class Counter(models.Model):
    """A named sequence (daily order numbers, yearly notice numbers), incremented under a lock."""

    key = models.CharField(max_length=50, unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class CalendarYear(models.Model):
    """A year whose official schedule an administrator entered (or imported)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    note = models.CharField(_("依据"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度工作日安排")
        verbose_name_plural = _("年度工作日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An override of one day: a holiday or a make-up working day (调休). It wins over the package."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"


class IdempotencyRecord(models.Model):
    """The answer given to a POST that carried an `Idempotency-Key`, replayed when the key returns.

    A key belongs to the user who sent it. The row is written in the same transaction as the action
    it answers, so an action and its record commit together or not at all.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("幂等键"), max_length=255)
    method = models.CharField(_("请求方法"), max_length=10)
    path = models.CharField(_("请求路径"), max_length=500)
    # SHA-256 of the method, path and body: the same key sent with another request is refused.
    fingerprint = models.CharField(_("请求指纹"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("响应状态码"))
    response_body = models.JSONField(_("响应内容"), default=dict, blank=True)
    response_headers = models.JSONField(_("响应头"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等请求记录")
        verbose_name_plural = _("幂等请求记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} → {self.status_code}"


class SavedSearch(models.Model):
    """A user's named filter of the order search (`/orders/?…`), kept to open again in one click."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("名称"), max_length=40)
    # The search page's query string, without its page position.
    query = models.CharField(_("查询条件"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("常用查询")
        verbose_name_plural = _("常用查询")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_search_name_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.name}"
