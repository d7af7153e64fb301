"""Admin for bulletins (read-only snapshots), commitments, campaigns and typical cases.

Registered from `SupervisionConfig.ready()` so it does not share a module with the notices' admin.
"""

from django.contrib import admin

from .models import Bulletin, BulletinCommitment, Campaign, ExportJob, RollupState, TypicalCase


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "period_start",
        "period_end",
        "version",
        "kind",
        "automatic",
        "generated_at",
        "generated_by",
    ]
    list_filter = ["kind", "automatic"]
    date_hierarchy = "period_start"
    search_fields = ["title"]
    readonly_fields = [f.name for f in Bulletin._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BulletinCommitment)
class BulletinCommitmentAdmin(admin.ModelAdmin):
    list_display = ["bulletin", "unit", "due_on", "recorded_by", "created_at"]
    list_filter = ["unit"]
    search_fields = ["measures", "unit__name"]
    raw_id_fields = ["bulletin"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "area_level", "lead_unit", "starts_on", "ends_on", "created_by"]
    list_filter = ["topic", "lead_unit", "area_level"]
    search_fields = ["title", "description", "area_keyword"]
    filter_horizontal = ["units"]
    raw_id_fields = ["orders"]


@admin.register(TypicalCase)
class TypicalCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "order", "marked_by", "created_at"]
    list_filter = ["kind", "order__topic", "order__unit"]
    search_fields = ["title", "commentary", "order__number"]
    raw_id_fields = ["order"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the workers; shown so an operator can see what they did."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["bulletin", "format", "status", "progress", "requested_by", "requested_at", "finished_at"]
    list_filter = ["format", "status"]
    search_fields = ["bulletin__title"]
    list_select_related = ["bulletin", "requested_by"]


@admin.register(RollupState)
class RollupStateAdmin(ReadOnlyAdmin):
    list_display = ["name", "settled_before", "filled_at", "orders"]
