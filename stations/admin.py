from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import RoutingRule, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "head_name", "duty_phone", "is_active"]
    list_filter = ["kind", "is_active", "notify_by_email", "notify_by_webhook"]
    search_fields = ["name", "code", "head_name", "duty_phone"]
    autocomplete_fields = ["parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "unit", "role", "is_active", "last_login"]
    list_filter = ["role", "unit__kind", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "phone", "unit__name"]
    autocomplete_fields = ["unit"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("岗位"), {"fields": ("full_name", "unit", "role", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("岗位"), {"fields": ("full_name", "unit", "role", "phone")}),
    )


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "keyword", "topic", "unit", "priority", "is_active"]
    list_filter = ["kind", "is_active", "unit"]
    search_fields = ["keyword", "topic__name", "unit__name"]
    autocomplete_fields = ["unit", "topic"]
