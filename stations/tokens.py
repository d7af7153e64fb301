"""API tokens: issue one (the key is returned once, never stored), and find the token of a key."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone

from .models import ApiToken, User

PREFIX_LENGTH = 8
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_default_expiry(now: dt.datetime | None = None) -> dt.datetime | None:
    days = settings.HOTLINE_API_TOKEN_DAYS
    if not days:
        return None
    return (now or timezone.now()) + dt.timedelta(days=days)


def token_issue(*, user: User, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns it and its key, which exists nowhere else afterwards."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:PREFIX_LENGTH], digest=token_digest(key), expires_at=expires_at
    )
    return token, key


def token_for_key(key: str) -> ApiToken | None:
    """The token with this key, expired or not; None if there is none."""
    return ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()


def token_touch(*, token: ApiToken, now: dt.datetime | None = None) -> None:
    """Record that the token was just used (at most once a minute: one UPDATE, no row lock)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
