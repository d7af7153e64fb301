from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    FeedEntry,
    ImportJob,
    ImportMapping,
    OutboxMessage,
    PlatformConnection,
    ReplyFile,
    WebhookSubscription,
)
from .services.delivery import outbox_resend


@admin.register(PlatformConnection)
class PlatformConnectionAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "transport", "endpoint_url", "timeout_seconds"]
    fieldsets = [
        (None, {"fields": ["name", "is_active", "transport", "endpoint_url", "timeout_seconds", "send_attachments"]}),
        (_("认证与签名"), {"fields": ["username", "password", "secret"]}),
        (_("字段与代码对照"), {"fields": ["field_map", "code_map"]}),
    ]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "event_types", "is_active"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "kind", "order", "stream", "sequence", "status", "attempts", "next_attempt_at", "sent_at", "last_error",
    ]  # fmt: skip
    list_filter = ["status", "kind"]
    search_fields = ["=id", "stream", "order__number", "order__platform_number"]
    list_select_related = ["order"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["resend"]
    ordering = ["-created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewable; changed only through the resend action.
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("立即重新发送"), permissions=["view"])
    def resend(self, request, queryset):
        count = outbox_resend(messages=queryset)
        self.message_user(
            request,
            ngettext("%(n)d 条消息将立即重新发送。", "%(n)d 条消息将立即重新发送。", count) % {"n": count},
            messages.SUCCESS,
        )


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin):
    """The change feed, to look up (read-only): which transaction wrote which event."""

    list_display = ["id", "txid", "order", "order_event", "notice", "notice_event"]
    search_fields = ["=order__number", "=notice__number"]
    list_select_related = ["order", "notice", "order_event", "notice_event"]
    readonly_fields = [f.name for f in FeedEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReplyFile)
class ReplyFileAdmin(admin.ModelAdmin):
    list_display = ["day", "connection", "rows", "created_at"]
    search_fields = ["connection__name"]
    readonly_fields = ["connection", "day", "file", "rows", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    """How a platform's export reads (README "Connecting the 12345 platform" → importing orders)."""

    list_display = ["name", "connection", "is_active", "date_format", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "connection", "is_active"]}),
        (
            _("列、代码与时间"),
            {
                "fields": ["column_map", "code_map", "defaults", "date_format"],
                "description": _(
                    "我方字段名：platform_number、channel、received_at、caller_name、caller_phone、address、"
                    "content、nature、handling_type、topic、urgency、confidential、leader_instruction。"
                    "未在列对照中的表头也按我方字段名或中文名称识别。"
                ),
            },
        ),
    ]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Uploaded exports and what their import did (read-only: jobs are made at the dispatch desk)."""

    list_display = [
        "filename", "mapping", "status", "total_rows", "created_count", "existing_count", "failed_count",
        "uploaded_by", "created_at", "finished_at",
    ]  # fmt: skip
    list_filter = ["status", "mapping"]
    search_fields = ["filename"]
    list_select_related = ["mapping", "uploaded_by"]
    exclude = ["preview"]
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name != "preview"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)
