"""Admin for the supervision app. Records written by rules and services are read-only here;
the thresholds (督办规则设置) are edited here, and failed deliveries can be sent again."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .ladder import level_enabled
from .models import (
    Delivery,
    DeliveryStatus,
    EscalationLevel,
    InboxItem,
    LevelFiring,
    Notice,
    NoticeEvent,
    Notification,
    RuleFiring,
    RuleTimer,
    SupervisionPolicy,
    SurgeFiring,
    SweepCursor,
    SweepHeartbeat,
)
from .notifications import delivery_retry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SupervisionPolicy)
class SupervisionPolicyAdmin(admin.ModelAdmin):
    """One row of thresholds and switches."""

    list_display = ["__str__", "early_warning_percent", "repeat_threshold", "repeat_window_days", "updated_at"]
    fieldsets = [
        (
            _("转办与联系"),
            {"fields": ["notify_on_dispatch", "contact_warning_enabled", "contact_warning_grace_minutes"]},
        ),
        (_("办理时限"), {"fields": ["early_warning_enabled", "early_warning_percent", "overdue_enabled"]}),
        (
            _("审核、回访与重复投诉"),
            {
                "fields": [
                    "returned_enabled",
                    "unresolved_enabled",
                    "unsatisfied_enabled",
                    "repeat_enabled",
                    "repeat_threshold",
                    "repeat_window_days",
                    "leader_enabled",
                ]
            },
        ),
        (
            _("集中投诉"),
            {
                "fields": [
                    "concentrated_enabled",
                    "concentrated_ratio",
                    "concentrated_minimum",
                    "concentrated_baseline_weeks",
                ]
            },
        ),
        (
            _("函件"),
            {"fields": ["respond_working_days", "supervision_number_format", "reminder_number_format", "issuer_name"]},
        ),
        (_("工作群"), {"fields": ["webhook_format"]}),
    ]

    def has_add_permission(self, request):
        return not SupervisionPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        SupervisionPolicy.load()  # the row exists before anyone looks for it
        return super().changelist_view(request, extra_context)


class NoticeEventInline(ReadOnlyInline):
    model = NoticeEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


class NoticeOrderInline(ReadOnlyInline):
    model = Notice.orders.through
    verbose_name = _("涉及工单")
    verbose_name_plural = _("涉及工单")
    fields = ["workorder"]
    readonly_fields = fields


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """Notices change only through the services (the supervision center)."""

    list_display = ["number", "kind", "unit", "rule", "status", "issued_at", "respond_by", "is_late", "escalated_to"]
    list_filter = ["kind", "status", "is_late", "rule", "unit"]
    search_fields = ["number", "reason", "response", "unit__name", "orders__number"]
    date_hierarchy = "issued_at"
    list_select_related = ["unit", "escalated_to"]
    inlines = [NoticeOrderInline, NoticeEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_change_permission(self, request, obj=None):
        # Viewing the change page is allowed; every field is read-only.
        return request.user.is_active and request.user.is_staff


@admin.register(NoticeEvent)
class NoticeEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "notice", "action", "from_status", "to_status", "actor"]
    list_filter = ["action"]
    search_fields = ["notice__number", "note"]
    list_select_related = ["notice", "actor"]


@admin.register(RuleFiring)
class RuleFiringAdmin(ReadOnlyAdmin):
    list_display = ["fired_at", "order", "rule", "cycle", "occurrence", "due_at", "notice"]
    list_filter = ["rule"]
    search_fields = ["order__number", "notice__number"]
    date_hierarchy = "fired_at"
    list_select_related = ["order", "notice"]


@admin.register(EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin):
    """升级阶梯: the steps per clock. Today's rules are its built-in levels, edited in 督办规则设置."""

    list_display = ["clock", "position", "name", "timing", "action", "acts", "builtin"]
    list_display_links = ["name"]
    list_filter = ["clock", "action", "enabled"]
    search_fields = ["name"]
    ordering = ["clock", "position", "id"]
    fieldsets = [
        (
            None,
            {
                "fields": ["clock", "position", "name", "enabled"],
                "description": _(
                    "每一级：在所选时限到达前后若干分钟（按工作时间或自然时间计），若承办单位仍未完成该项工作，"
                    "就执行所选动作，并写入工单日志。每条工单每一轮每一级只执行一次；“每个工作日早上再次提醒”"
                    "在每个工作日（按法定工作日历，周末、节假日不提醒，调休上班日提醒）的提醒时间起执行一次，"
                    "直到办结。内置级别即现有督办规则，其开关和时点在“督办规则设置”中修改。"
                ),
            },
        ),
        (_("时点"), {"fields": ["offset_minutes", "basis", "reminder_time"]}),
        (_("动作"), {"fields": ["action", "builtin"]}),
    ]
    readonly_fields = ["builtin"]

    @admin.display(description=_("启用"), boolean=True)
    def acts(self, obj: EscalationLevel) -> bool:
        # A built-in level acts by its rule's switch in 督办规则设置, not by its own row. One
        # primary-key read per row: the ladder is a handful of rows.
        return level_enabled(obj, SupervisionPolicy.load())

    @admin.display(description=_("时点"))
    def timing(self, obj: EscalationLevel) -> str:
        if obj.builtin:
            return str(_("按督办规则设置"))
        if obj.offset_minutes == 0:
            when = _("时限到达时")
        elif obj.offset_minutes < 0:
            when = _("时限前%(minutes)s分钟") % {"minutes": -obj.offset_minutes}
        else:
            when = _("时限后%(minutes)s分钟") % {"minutes": obj.offset_minutes}
        text = f"{when}（{obj.get_basis_display()}）"
        if obj.reminder_time is not None:
            text += _("，每个工作日%(time)s") % {"time": obj.reminder_time.strftime("%H:%M")}
        return text

    def get_readonly_fields(self, request, obj=None):
        # A built-in level only names today's rule: its timing and switch live in 督办规则设置.
        if obj is not None and obj.builtin:
            return ["clock", "offset_minutes", "basis", "reminder_time", "action", "enabled", "builtin"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.builtin


@admin.register(LevelFiring)
class LevelFiringAdmin(ReadOnlyAdmin):
    list_display = ["fired_at", "level", "order", "notice", "cycle", "occurrence", "due_at", "raised"]
    list_filter = ["level"]
    search_fields = ["order__number", "notice__number"]
    date_hierarchy = "fired_at"
    list_select_related = ["level", "order", "notice", "raised"]


@admin.register(SurgeFiring)
class SurgeFiringAdmin(ReadOnlyAdmin):
    list_display = ["week", "topic", "area_label", "order_count", "baseline_mean", "fired_at"]
    list_filter = ["topic"]
    date_hierarchy = "fired_at"
    list_select_related = ["topic"]


@admin.register(RuleTimer)
class RuleTimerAdmin(ReadOnlyAdmin):
    list_display = ["due_at", "order", "rule", "cycle"]
    list_filter = ["rule"]
    search_fields = ["order__number"]
    list_select_related = ["order"]


@admin.register(SweepCursor)
class SweepCursorAdmin(ReadOnlyAdmin):
    list_display = ["name", "position", "updated_at", "last_run"]


@admin.register(SweepHeartbeat)
class SweepHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["completed_at", "last_run"]


class InboxItemInline(ReadOnlyInline):
    model = InboxItem
    fields = ["user", "read_at"]
    readonly_fields = fields


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = ["channel", "target", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "unit", "level", "category", "title"]
    list_filter = ["level", "category", "unit"]
    search_fields = ["title", "body", "order__number", "notice__number"]
    date_hierarchy = "created_at"
    list_select_related = ["unit"]
    inlines = [InboxItemInline, DeliveryInline]

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(InboxItem)
class InboxItemAdmin(ReadOnlyAdmin):
    list_display = ["notification", "user", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__full_name", "notification__title"]
    list_select_related = ["notification", "user"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Every email and group-chat message, with its attempts; failed ones can be sent again."""

    list_display = [
        "created_at",
        "channel",
        "target",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["target", "last_error", "notification__title"]
    date_hierarchy = "created_at"
    list_select_related = ["notification"]
    actions = ["retry_failed"]

    @admin.display(description=_("错误信息"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("重新发送所选的失败推送"))
    def retry_failed(self, request, queryset):
        ids = delivery_retry(deliveries=queryset.filter(status=DeliveryStatus.FAILED))
        self.message_user(
            request,
            ngettext("%(count)d 条推送已重新排队发送。", "%(count)d 条推送已重新排队发送。", len(ids))
            % {"count": len(ids)},
            messages.SUCCESS,
        )

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
