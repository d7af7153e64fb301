from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken, RoutingRule, Unit, User
from .tokens import token_default_expiry, token_issue


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed by their prefix; the key itself is shown once, on the page after "save"."""

    list_display = ["name", "user", "key_prefix", "created_at", "expires_at", "last_used_at"]
    list_filter = ["user__role"]
    search_fields = ["name", "prefix", "user__username", "user__full_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["key_prefix", "created_at", "last_used_at"]

    @admin.display(description=_("令牌前缀"), ordering="prefix")
    def key_prefix(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…" if obj.prefix else "-"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_at"]
        return ["user", "name", "key_prefix", "created_at", "expires_at", "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        # A token stays with the user it was issued to; issue a new one for somebody else.
        return [*self.readonly_fields, "user"] if obj else []

    def get_changeform_initial_data(self, request):
        return {"expires_at": token_default_expiry(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = token_issue(user=obj.user, name=obj.name, expires_at=obj.expires_at)
        obj.pk, obj.prefix, obj.digest, obj.created_at = token.pk, token.prefix, token.digest, token.created_at
        request._new_token_key = key  # for response_add, on this request only

    def response_add(self, request, obj, post_url_continue=None):
        """Instead of redirecting (the key would have to travel through a message), show it here once."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "token": obj,
            "key": request._new_token_key,
            "title": _("令牌已签发"),
        }
        return TemplateResponse(request, "admin/stations/apitoken/issued.html", context)


@admin.action(description=_("解除锁定（删除这些用户名和地址的失败记录）"), permissions=["delete"])
def unlock(modeladmin, request, queryset):
    usernames = {name for name in queryset.values_list("username", flat=True) if name}
    addresses = {address for address in queryset.values_list("ip_address", flat=True) if address}
    # The lockout counts failures per username and per address over all rows, so lifting it
    # means removing every row of those usernames and addresses, not only the selected ones.
    deleted, _details = AccessAttempt.objects.filter(Q(username__in=usernames) | Q(ip_address__in=addresses)).delete()
    modeladmin.message_user(
        request,
        ngettext("已解除锁定，删除 %(count)d 条失败记录。", "已解除锁定，删除 %(count)d 条失败记录。", deleted)
        % {"count": deleted},
    )


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """django-axes' list of failed sign-ins, with an action that lifts a lockout."""

    actions = [unlock, "cleanup_expired_attempts"]
