from django.contrib import admin, messages
from django.utils import timezone

from .models import (
    CalendarDay,
    CalendarYear,
    Callback,
    ContactRecord,
    Counter,
    ExtensionRequest,
    IdempotencyRecord,
    LeaderInstruction,
    Objection,
    OrderEvent,
    Report,
    Review,
    SavedSearch,
    TimeLimitPolicy,
    Topic,
    WorkOrder,
)
from .workcalendar import fallback_warning, year_coverage


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


class ReportInline(ReadOnlyInline):
    model = Report
    fields = ["created_at", "author", "outcome", "text", "unresolved_reason", "cycle"]
    readonly_fields = fields


class InstructionInline(ReadOnlyInline):
    model = LeaderInstruction
    fk_name = "order"
    fields = ["sequence", "instructor", "text", "instructed_at", "recorded_by", "recorded_at", "carried_from"]
    readonly_fields = fields


class HistoryAdmin(admin.ModelAdmin):
    """Records of what people did are history: readable here, changed only by the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Orders change only through the services (the workbench and the API); here they are read."""

    list_display = [
        "number",
        "platform_number",
        "received_at",
        "channel",
        "handling_type",
        "topic",
        "status",
        "unit",
        "handling_deadline",
    ]
    list_filter = ["status", "handling_type", "channel", "nature", "urgency", "topic", "unit", "leader_instructed"]
    search_fields = ["number", "platform_number", "caller_name", "caller_phone", "address", "content"]
    date_hierarchy = "received_at"
    inlines = [EventInline, InstructionInline, ReportInline]
    list_select_related = ["topic", "unit"]

    # The search document is derived data; related orders are linked at intake.
    exclude = ["search_vector", "related_orders"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrderEvent)
class OrderEventAdmin(HistoryAdmin):
    list_display = ["created_at", "order", "action", "from_status", "to_status", "actor"]
    list_filter = ["action", "to_status"]
    search_fields = ["order__number", "note", "actor__username"]
    list_select_related = ["order", "actor"]


@admin.register(LeaderInstruction)
class LeaderInstructionAdmin(HistoryAdmin):
    list_display = ["instructed_at", "order", "sequence", "instructor", "recorded_by"]
    search_fields = ["order__number", "instructor", "text"]
    list_select_related = ["order", "recorded_by"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    list_editable = ["sort_order", "is_active"]


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    list_display = ["handling_type", "contact_minutes", "handling_working_days"]


class CalendarWarningMixin:
    """Say loudly, on the calendar pages, which years have no official schedule."""

    def changelist_view(self, request, extra_context=None):
        this_year = timezone.localdate().year
        for year in (this_year, this_year + 1):
            if not year_coverage(year).known:
                messages.warning(request, fallback_warning(year))
        return super().changelist_view(request, extra_context)


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ["year", "note", "created_at"]
    search_fields = ["note"]


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    date_hierarchy = "date"


@admin.register(ContactRecord)
class ContactRecordAdmin(HistoryAdmin):
    list_display = ["order", "officer", "method", "contacted_at", "cycle"]
    list_filter = ["method"]
    search_fields = ["order__number", "note"]


@admin.register(Report)
class ReportAdmin(HistoryAdmin):
    list_display = ["order", "author", "outcome", "created_at", "cycle"]
    list_filter = ["outcome"]
    search_fields = ["order__number", "text"]


@admin.register(Review)
class ReviewAdmin(HistoryAdmin):
    list_display = ["order", "reviewer", "decision", "created_at"]
    list_filter = ["decision"]
    search_fields = ["order__number", "reason"]


@admin.register(Callback)
class CallbackAdmin(HistoryAdmin):
    list_display = ["order", "caller", "satisfaction", "created_at"]
    list_filter = ["satisfaction"]
    search_fields = ["order__number", "citizen_words"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(HistoryAdmin):
    list_display = ["order", "requested_by", "requested_until", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["order__number", "reason"]


@admin.register(Objection)
class ObjectionAdmin(HistoryAdmin):
    list_display = ["order", "unit", "raised_by", "status", "decided_by", "created_at"]
    list_filter = ["status", "unit"]
    search_fields = ["order__number", "reason"]


@admin.register(Counter)
class CounterAdmin(HistoryAdmin):
    """Read-only: a counter set back by hand hands out numbers that are already taken."""

    list_display = ["key", "value"]
    search_fields = ["key"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(HistoryAdmin):
    list_display = ["created_at", "user", "method", "path", "status_code"]
    list_filter = ["method", "status_code"]
    search_fields = ["key", "path", "user__username"]
    list_select_related = ["user"]


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    """A user's named order searches: kept by each user on the search page; here to look up or remove."""

    list_display = ["user", "name", "created_at"]
    search_fields = ["name", "user__username", "user__full_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "query", "created_at"]

    def has_add_permission(self, request):
        return False
