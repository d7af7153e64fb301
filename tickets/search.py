"""Reads that search the orders: the order search (`q`, issue #12) and similar orders at intake (#16).

Both start from `selectors.orders_visible_to(user)`, and search the caller's name and phone only
on the orders whose caller the user may see (`selectors.caller_visible_q`).

On PostgreSQL a search is answered from indexes (migration 0005):

- something that looks like a number (letters, digits, dashes, at least three digits) is looked
  for inside the order number, the 12345 platform number and the caller's phone, with trigram
  GIN indexes (`LIKE '%…%'`), and also as a word of the content and address;
- anything else is a text search of content and address (`tickets/textindex.py`: jieba words and
  bigrams in `search_vector`, GIN), plus the caller's name from its first characters. Ranked by
  `ts_rank` among the newest RANK_WINDOW matches: ranking every match of a word as common as 噪音
  (a tenth of a million orders) would read them all. An explicit ordering (by time or deadline)
  lists every match instead, unranked.

Rows whose vector is not computed yet (older than the index, before `manage.py search_index` ran)
are searched as before, by LIKE, so nothing goes missing in between. On SQLite everything is LIKE.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db import connection
from django.db.models import F, FloatField, Lookup, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from . import textindex
from .models import OPEN_STATUSES, Status, WorkOrder
from .selectors import RANK, caller_visible_q, orders_visible_to

# How many of the newest matches a search ranks (or, for a number, lists): the rest by an ordering.
RANK_WINDOW = 1000
# The time slices a window is looked for in, newest first, then all time (`newest_matches`).
TIME_SLICES = (dt.timedelta(days=30), dt.timedelta(days=120), dt.timedelta(days=480))
# A number-like query this long or longer is an identifier, not a word of the content.
LONG_NUMBER = 6


class TextMatch(Lookup):
    """`vector @@ query`, for a query that is already a tsquery expression."""

    lookup_name = "textmatch"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ {rhs}", (*lhs_params, *rhs_params)


class ILikeContains(Lookup):
    """`column ILIKE '%value%'`, which a trigram GIN index serves (Django's icontains wraps the
    column in UPPER(), which no index on the column serves)."""

    lookup_name = "ilike_contains"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", (*lhs_params, *rhs_params)

    def get_db_prep_lookup(self, value, connection):
        return "%s", [f"%{connection.ops.prep_for_like_query(value)}%"]


def tsquery(literal: str) -> Cast:
    return Cast(Value(literal), output_field=SearchQueryField())


def _caller_scope(user) -> Q | None:
    if user is None or not user.is_authenticated:
        return None
    return caller_visible_q(user)


def _like_q(user, q: str) -> Q:
    """The search as LIKE over every column: SQLite, and rows not indexed yet."""
    matches = (
        Q(number__icontains=q) | Q(platform_number__icontains=q) | Q(content__icontains=q) | Q(address__icontains=q)
    )
    scope = _caller_scope(user)
    if scope is not None:
        matches |= scope & (Q(caller_name__icontains=q) | Q(caller_phone__icontains=q))
    return matches


def _not_indexed_q(user, q: str) -> Q:
    return Q(search_vector__isnull=True) & _like_q(user, q)


def _number_q(user, q: str) -> Q:
    number = textindex.compact_number(q)
    matches = Q(ILikeContains(F("number"), number)) | Q(ILikeContains(F("platform_number"), number))
    scope = _caller_scope(user)
    if scope is not None:
        matches |= scope & Q(caller_phone__contains=number)
    return matches


def _text_q(user, q: str, literal: str | None) -> Q:
    matches = Q(TextMatch(F("search_vector"), tsquery(literal))) if literal else Q(pk__in=[])
    scope = _caller_scope(user)
    if scope is not None:
        matches |= scope & Q(caller_name__startswith=q)
    return matches


def search_orders(user, q: str, *, orders: QuerySet[WorkOrder] | None = None, ranked: bool = True) -> QuerySet:
    """The orders `user` may see that match `q`: the REST list's and the order page's `q`.

    `orders` narrows the search further (the other filters of the order search); it must come
    from `orders_visible_to(user)`, which is the default. With `ranked` (no ordering asked for),
    the result is the newest RANK_WINDOW matches, and a text search is annotated `search_rank`
    and ordered best first; without it, every match, in the queryset's own order.
    """
    orders = orders_visible_to(user) if orders is None else orders
    q = " ".join((q or "").split())
    if not q:
        return orders
    if connection.vendor != "postgresql":
        return orders.filter(_like_q(user, q))
    literal = textindex.text_query(q)
    if textindex.looks_like_number(q):
        matches = _number_q(user, q) | _not_indexed_q(user, q)
        # A short number (302, 1104) may be a room or a house: look for it among the words too.
        # Not a long one: PostgreSQL guesses a word it has no statistics for at half a percent of
        # the table, and would then read received_at backwards through all of it for a phone.
        if len(textindex.compact_number(q)) < LONG_NUMBER:
            matches |= _text_q(user, q, literal)
        if not ranked:
            return orders.filter(matches)
        window = orders.filter(matches).order_by("-received_at", "-pk").values("pk")[:RANK_WINDOW]
        return orders.filter(pk__in=window)
    matches = _text_q(user, q, literal) | _not_indexed_q(user, q)
    if not ranked or literal is None:
        return orders.filter(matches)
    window = newest_matches(orders.filter(matches), RANK_WINDOW)
    # A row not indexed yet has no rank: 0, after every ranked one. As a double, so the value a
    # cursor carries compares equal to itself (a 4-byte real prints in fewer digits than a double).
    rank = Coalesce(Cast(SearchRank(F("search_vector"), tsquery(literal)), FloatField()), Value(0.0))
    return orders.filter(pk__in=window).annotate(**{RANK: rank}).order_by(f"-{RANK}", "-pk")


def newest_matches(matches: QuerySet, limit: int, now: dt.datetime | None = None) -> list[int]:
    """The ids of the newest `limit` rows of `matches`, read a time slice after another.

    The rows behind a word's index entries are scattered over the whole table, and each costs a
    page read: 23,000 orders mentioning 非法集资 at a million orders are 21,000 pages, half a
    second. The newest `limit` are found in the most recent slice that holds them (an index
    BitmapAnd of the word and received_at), so the pages read stay near `limit` whatever the
    word, and a rare word still finds its few matches over all time.
    """
    now = now or timezone.now()
    ids: list[int] = []
    newer_than = None
    for age in (*TIME_SLICES, None):
        piece = matches
        if newer_than is not None:
            piece = piece.filter(received_at__lt=newer_than)
        if age is not None:
            piece = piece.filter(received_at__gte=now - age)
        ids += piece.order_by("-received_at", "-pk").values_list("pk", flat=True)[: limit - len(ids)]
        if len(ids) >= limit or age is None:
            return ids
        newer_than = now - age
    return ids


# --- similar orders at intake (#16) ------------------------------------------------------------

# Orders that may be the same matter: open ones, and those received this many days back.
SIMILAR_RECENT_DAYS = 30
# Content alone (no shared phone or place) must be this close to count.
CONTENT_ALONE_MIN = 0.5
# Content shown as a reason next to a shared phone or place from this similarity up.
CONTENT_SHOWN_MIN = 0.2
# Candidates read per signal, newest first.
PER_SIGNAL = 50
# Orders compared by content alone: the newest CONTENT_WINDOW of those received this many days
# back or still open (the same event reported by several callers comes in within days), of which
# the CONTENT_CANDIDATES that rank best against the new words.
CONTENT_RECENT_DAYS = 7
CONTENT_WINDOW = 2000
CONTENT_CANDIDATES = 100
SIMILAR_LIMIT = 10


@dataclass
class SimilarOrder:
    order: WorkOrder
    score: float
    reasons: list[str] = field(default_factory=list)
    same_phone: bool = False
    same_address: bool = False
    same_place: str | None = None
    content_similarity: float = 0.0

    @property
    def reason(self) -> str:
        return "，".join(self.reasons)

    @property
    def can_merge_into(self) -> bool:
        """Whether a new order may be merged into this one (the merge service's own rule)."""
        return self.order.is_open and self.order.merged_into_id is None


def _days(delta: dt.timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds() / 86400))


def similar_orders(
    user, *, phone: str = "", address: str = "", content: str = "", now: dt.datetime | None = None
) -> list[SimilarOrder]:
    """Open and recent orders that look like the same matter as a new one, best first, with why.

    - the same caller phone (only on orders whose caller `user` may see): 同一来电号码，3天内第2次;
    - the same address, or the same community or road (`textindex.place_of`: 幸福小区, 人民路);
    - similar words: Dice's coefficient of the jieba words of the contents (the stored vector's
      content words against the new text), shown with either of the above from CONTENT_SHOWN_MIN,
      and enough alone from CONTENT_ALONE_MIN among the open and last week's orders.

    Each signal is one small indexed query (the phone's B-tree, the address trigram index, a window
    of the newest orders for the words); the similarity is computed here on at most a few hundred
    rows, from the words stored in their vectors (no segmentation but the new text's).
    """
    now = now or timezone.now()
    phone = (phone or "").strip()
    address = textindex.normalize_address(address)
    content = (content or "").strip()
    visible = orders_visible_to(user).exclude(status=Status.MERGED)
    recent = Q(received_at__gte=now - dt.timedelta(days=SIMILAR_RECENT_DAYS))
    candidates = visible.filter(recent | Q(status__in=OPEN_STATUSES))
    newest = ("-received_at", "-pk")
    found: dict[int, WorkOrder] = {}
    phone_matches: list[WorkOrder] = []
    place = textindex.place_of(address)

    scope = _caller_scope(user)
    if phone and scope is not None and len(phone) >= 5:
        phone_matches = list(candidates.filter(scope, caller_phone=phone).order_by(*newest)[:PER_SIGNAL])
        found.update((o.pk, o) for o in phone_matches)
    if address:
        same_place = Q(address=address)
        if place and connection.vendor == "postgresql":
            same_place |= Q(ILikeContains(F("address"), place))
        elif place:
            same_place |= Q(address__contains=place)
        found.update((o.pk, o) for o in candidates.filter(same_place).order_by(*newest)[:PER_SIGNAL])
    words = textindex.content_words(content) if content else set()
    literal = textindex.or_query(words)
    if literal and connection.vendor == "postgresql":
        # Content alone: among the newest open or last week's orders, those sharing a word, best
        # ranked first. The window bounds the work whatever the words: a common word (噪音, 影响)
        # matches most of them, and each match is ranked.
        last_week = Q(received_at__gte=now - dt.timedelta(days=CONTENT_RECENT_DAYS))
        window = visible.filter(last_week | Q(status__in=OPEN_STATUSES)).order_by(*newest).values("pk")
        by_words = (
            visible.filter(pk__in=window[:CONTENT_WINDOW])
            .filter(TextMatch(F("search_vector"), tsquery(literal)))
            .annotate(similar_rank=SearchRank(F("search_vector"), tsquery(literal)))
            .order_by("-similar_rank", "-pk")[:CONTENT_CANDIDATES]
        )
        found.update((o.pk, o) for o in by_words)
    if not found:
        return []

    phone_reason = None
    if phone_matches:
        first = min(o.received_at for o in phone_matches)
        phone_reason = _("同一来电号码，%(days)s天内第%(n)s次") % {
            "days": _days(now - first),
            "n": len(phone_matches) + 1,
        }
    results = []
    for order in found.values():
        hit = SimilarOrder(order=order, score=0.0)
        if phone_reason and order.caller_phone == phone and scope is not None:
            hit.same_phone = True
            hit.score += 0.5
            hit.reasons.append(phone_reason)
        order_address = textindex.normalize_address(order.address)
        if address and order_address == address:
            hit.same_address = True
            hit.score += 0.4
            hit.reasons.append(_("地址相同"))
        elif place and place in order_address:
            hit.same_place = place
            hit.score += 0.25
            hit.reasons.append(_("同一小区或道路（%(place)s）") % {"place": place})
        if words:
            if order.search_vector is None:  # not indexed yet
                other = textindex.content_words(order.content)
            else:
                other = textindex.content_words_of_vector(order.search_vector)
            hit.content_similarity = textindex.word_similarity(words, other)
        related = hit.same_phone or hit.same_address or hit.same_place
        if hit.content_similarity >= (CONTENT_SHOWN_MIN if related else CONTENT_ALONE_MIN):
            hit.score += 0.5 * hit.content_similarity
            hit.reasons.append(_("内容相似 %(score).2f") % {"score": hit.content_similarity})
        if not hit.reasons:
            continue
        if order.is_open:
            hit.score += 0.05
        results.append(hit)
    results.sort(key=lambda h: (h.score, h.order.received_at, h.order.pk), reverse=True)
    return results[:SIMILAR_LIMIT]
