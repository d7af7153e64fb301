"""`Authorization: Token <key>`: the client acts as the token's user (stations.models.ApiToken)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from hotline.throttling import FailedTokenThrottle
from stations.tokens import token_for_key, token_touch

MSG_MALFORMED = _("令牌格式不正确：应为 “Authorization: Token <令牌>”。")
MSG_INVALID = _("令牌无效。")
MSG_EXPIRED = _("令牌已过期，请联系系统管理员重新签发。")
MSG_INACTIVE = _("该用户已停用或被删除。")


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # no token: another class (the session) may know the user
        throttle = FailedTokenThrottle(request)
        if throttle.blocked():
            # An address that keeps sending wrong tokens gets 429 without its key being looked up.
            raise exceptions.Throttled(wait=throttle.wait())
        if len(parts) != 2:
            throttle.record_failure()
            raise exceptions.AuthenticationFailed(MSG_MALFORMED)
        try:
            key = parts[1].decode()
        except UnicodeError:
            throttle.record_failure()
            raise exceptions.AuthenticationFailed(MSG_MALFORMED) from None
        token = token_for_key(key)
        if token is None:
            throttle.record_failure()
            raise exceptions.AuthenticationFailed(MSG_INVALID)
        now = timezone.now()
        if token.expires_at is not None and token.expires_at <= now:
            throttle.record_failure()
            raise exceptions.AuthenticationFailed(MSG_EXPIRED)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(MSG_INACTIVE)
        token_touch(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "stations.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_("“Token <令牌>”。令牌由系统管理员在后台签发，只在签发时显示一次。")),
        }
