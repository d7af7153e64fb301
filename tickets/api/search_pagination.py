"""Pages of a ranked text search (`?q=` words, no `ordering`): best match first.

`tickets.search.search_orders` annotates such a list with `search_rank` and orders it by
(rank, id), both descending; the list holds at most `RANK_WINDOW` rows. A cursor here holds the
(rank, id) of the last row of a page, and the next page is the rows after it in that order, as the
time-ordered pages are (`OrderCursorPagination`, which every other list still uses).
"""

from __future__ import annotations

import base64
import binascii
import json
import math

from django.db.models import Q, QuerySet
from rest_framework import exceptions
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .pagination import MSG_INVALID_CURSOR, OrderCursorPagination

RANK = "search_rank"
_MAX_ID = 2**63 - 1


def is_ranked(queryset) -> bool:
    return isinstance(queryset, QuerySet) and RANK in queryset.query.annotations


class SearchCursorPagination(OrderCursorPagination):
    """The order list's pagination, with ranked pages for a ranked search."""

    def paginate_queryset(self, queryset, request, view=None):
        self.ranked = is_ranked(queryset) and not request.query_params.get("ordering")
        if not self.ranked:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.size = self.get_page_size(request)
        raw = request.query_params.get(self.cursor_query_param)
        position = self._decode_rank(raw) if raw else None
        backwards = bool(position and position[2])
        page = queryset.order_by(f"{RANK}", "pk") if backwards else queryset.order_by(f"-{RANK}", "-pk")
        if position is not None:
            rank, pk = position[0], position[1]
            if backwards:
                page = page.filter(Q(**{f"{RANK}__gt": rank}) | Q(**{RANK: rank, "pk__gt": pk}))
            else:
                page = page.filter(Q(**{f"{RANK}__lt": rank}) | Q(**{RANK: rank, "pk__lt": pk}))
        rows = list(page[: self.size + 1])
        more = len(rows) > self.size
        rows = rows[: self.size]
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, position is not None
        self.rows = rows
        return rows

    def _decode_rank(self, raw: str) -> tuple[float, int, bool]:
        try:
            padded = raw + "=" * (-len(raw) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            rank, pk, backwards = data["r"], data["i"], data["b"]
            if isinstance(rank, bool) or not isinstance(rank, int | float) or not math.isfinite(rank):
                raise ValueError
            if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk <= _MAX_ID:
                raise ValueError
            if not isinstance(backwards, bool):
                raise ValueError
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
            raise exceptions.ValidationError({self.cursor_query_param: [MSG_INVALID_CURSOR]}) from None
        return float(rank), pk, backwards

    def _rank_link(self, row, backwards: bool) -> str:
        # The rank is a double (see search_orders): its exact value survives the trip through JSON.
        data = {"r": getattr(row, RANK) or 0.0, "i": row.pk, "b": backwards}
        cursor = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, cursor)

    def get_next_link(self) -> str | None:
        if not self.ranked:
            return super().get_next_link()
        if not self.has_next:
            return None
        if not self.rows:
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self._rank_link(self.rows[-1], backwards=False)

    def get_previous_link(self) -> str | None:
        if not self.ranked:
            return super().get_previous_link()
        if not self.has_previous or not self.rows:
            return None
        return self._rank_link(self.rows[0], backwards=True)
