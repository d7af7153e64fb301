from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Read-only: files are added through the order (so the timeline records them), never edited."""

    list_display = ["original_name", "order", "kind", "content_type", "size", "uploaded_by", "created_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["original_name", "order__number", "sha256"]
    raw_id_fields = ["order", "report", "callback", "notice", "uploaded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
