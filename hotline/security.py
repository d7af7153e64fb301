"""Who is asking (the client's address) and which passwords are never good enough."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# The demo's password (tickets.demo.DEMO_PASSWORD), printed in the README for everybody to read.
PUBLISHED_PASSWORDS = frozenset({"hotline-demo"})

MSG_PUBLISHED_PASSWORD = "这个密码是公开的演示密码，不能在正式系统中使用。"


def client_ip(request: HttpRequest) -> str:
    """The client's address, for the sign-in lockout and the API throttles.

    Only the last HOTLINE_PROXY_COUNT entries of X-Forwarded-For were written by our own proxies;
    anything to their left is whatever the client sent. With no proxy (the default) the header is
    ignored, so nobody escapes a lockout by sending a different X-Forwarded-For each time. This is
    the rule DRF applies with NUM_PROXIES, which settings set to the same count.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.HOTLINE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote
    return addresses[-min(count, len(addresses))]


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in, on the workbench's sign-in page and the admin's."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": max(1, round(cooloff.total_seconds() / 60)) if cooloff else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)


class PublishedPasswordValidator:
    """Refuse the demo's password, which anybody can read in the README, whenever DEBUG is off.

    With DEBUG on (a developer's `make run`) the demo logins may be reset to it in the admin.
    """

    def validate(self, password: str, user=None) -> None:
        if settings.DEBUG:
            return
        if password.strip().lower() in PUBLISHED_PASSWORDS:
            raise ValidationError(_(MSG_PUBLISHED_PASSWORD), code="password_published")

    def get_help_text(self) -> str:
        return _("不能使用公开的演示密码。")
