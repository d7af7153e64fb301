"""API throttles: per user, per address, and per address for requests with a wrong token.

DRF reads its rates once, when the throttle classes are imported; these read them on every
request, so a changed setting (and a test's override) takes effect at once.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle


class _CurrentRates:
    scope: str

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_CurrentRates, UserRateThrottle):
    """Per signed-in user (per address before sign-in)."""

    scope = "user"


class AddressThrottle(_CurrentRates, SimpleRateThrottle):
    """Per address, whoever is signed in: one machine cannot spread its load over many tokens."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class FailedTokenThrottle(_CurrentRates, SimpleRateThrottle):
    """Counts requests whose token was wrong or expired, per address.

    Authentication runs before DRF's throttles and a refused token ends the request with 401, so
    the ordinary throttles never see a client guessing tokens; the authentication class asks this
    one first and records each failure.
    """

    scope = "failed_token"

    def __init__(self, request):
        super().__init__()
        self.key = self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_cache_key(self, request, view):
        return self.key

    def _recent(self) -> list[float]:
        now = self.timer()
        return [moment for moment in self.cache.get(self.key, []) if moment > now - self.duration]

    def blocked(self) -> bool:
        """Whether this address has used up its failures; records nothing."""
        if self.rate is None:
            return False
        self.history = self._recent()
        self.now = self.timer()
        return len(self.history) >= self.num_requests

    def record_failure(self) -> None:
        if self.rate is None:
            return
        self.now = self.timer()
        history = [self.now, *self._recent()]
        self.cache.set(self.key, history, self.duration)
