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


class _WindowCount(_CurrentRates):
    """Counts requests per window of the rate's length with one atomic increment of a small
    counter, and weighs in the previous window's count by how much of it still lies within the
    last `duration` seconds (a sliding window, estimated as Cloudflare's limiter does).

    DRF's own throttles keep a list of every request's time in the cache and write it back whole
    (600 floats read, filtered and pickled per request at 600/min), and two requests at once each
    write back their own list, so one of them goes uncounted. A plain fixed window would let twice
    the rate through across a window's edge, and whether a burst is caught would depend on the
    time of day; the weighted previous window closes both.
    """

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{key}:{window}"
        # Kept for two windows: the next one still weighs this one in.
        self.cache.add(counter, 0, 2 * self.duration + 1)
        try:
            count = self.cache.incr(counter)
        except ValueError:  # expired between the two calls: this request opens the window anew
            self.cache.set(counter, 1, 2 * self.duration + 1)
            count = 1
        previous = self.cache.get(f"{key}:{window - 1}", 0)
        still_inside = 1 - (self.now - window * self.duration) / self.duration
        return previous * still_inside + count <= self.num_requests

    def wait(self) -> float:
        return max(0.0, self.window_ends - self.now)


class UserThrottle(_WindowCount, UserRateThrottle):
    """Per signed-in user (per address before sign-in)."""

    scope = "user"


class AddressThrottle(_WindowCount, SimpleRateThrottle):
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
