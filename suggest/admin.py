from django.contrib import admin

from .models import SuggestionFeedback, SuggestionModel


@admin.register(SuggestionModel)
class SuggestionModelAdmin(admin.ModelAdmin):
    list_display = ["version", "trained_at", "training_size", "accuracy", "top3_accuracy"]
    exclude = ["pipeline"]  # bytes; produced by training only
    readonly_fields = ["version", "trained_at", "training_size", "accuracy", "top3_accuracy", "metrics"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SuggestionFeedback)
class SuggestionFeedbackAdmin(admin.ModelAdmin):
    list_display = ["order", "target", "suggested", "chosen", "accepted", "model", "created_at"]
    list_filter = ["target", "accepted"]
    readonly_fields = [f.name for f in SuggestionFeedback._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
