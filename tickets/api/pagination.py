"""Keyset (cursor) pagination of the order list: page 500 costs what page 1 costs.

The list is ordered by one indexed column (received time or handling deadline) and the id, so
every row has a unique position. A cursor holds the position of the last row of a page (or the
first, to go back) and the next page is `WHERE (column, id) > position`, never an OFFSET.
DRF's own CursorPagination keys on the column alone and cannot place NULL deadlines; this one can.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections import OrderedDict

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from tickets.filters import clamp, order_spec

MSG_INVALID_CURSOR = _("分页游标无效。")
_MAX_ID = 2**63 - 1


class OrderCursorPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 50
    max_page_size = 200

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("每页条数须为 1 至 %(max)s 之间的整数。") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    # --- cursor encoding ---

    def _decode(self, raw: str) -> tuple[dt.datetime | None, int, bool]:
        try:
            padded = raw + "=" * (-len(raw) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            value, pk, backwards = data["v"], data["i"], data["b"]
            if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk <= _MAX_ID:
                raise ValueError
            if not isinstance(backwards, bool):
                raise ValueError
            position = None if value is None else dt.datetime.fromisoformat(value)
            if position is not None:
                if position.tzinfo is None:
                    raise ValueError
                position = clamp(position)
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error, OverflowError):
            raise exceptions.ValidationError({self.cursor_query_param: [MSG_INVALID_CURSOR]}) from None
        return position, pk, backwards

    def _encode(self, row, backwards: bool) -> str:
        value = getattr(row, self.field)
        data = {"v": value.isoformat() if value is not None else None, "i": row.pk, "b": backwards}
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")

    # --- the query ---

    def _ordered(self, queryset: QuerySet, descending: bool, nulls_last: bool) -> QuerySet:
        nulls = {"nulls_last": True} if nulls_last else {"nulls_first": True}
        column = F(self.field).desc(**nulls) if descending else F(self.field).asc(**nulls)
        return queryset.order_by(column, "-pk" if descending else "pk")

    def _beyond(self, value, pk: int, descending: bool, nulls_last: bool) -> Q:
        """Rows strictly after the position (value, pk) in the traversal order."""
        after = "lt" if descending else "gt"
        if value is None:
            rest = Q(**{f"{self.field}__isnull": True, f"pk__{after}": pk})
            return rest if nulls_last else rest | Q(**{f"{self.field}__isnull": False})
        rest = Q(**{f"{self.field}__{after}": value}) | Q(**{self.field: value, f"pk__{after}": pk})
        if nulls_last and self.nullable:
            rest |= Q(**{f"{self.field}__isnull": True})
        return rest

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.field, self.descending = order_spec(request.query_params.get("ordering"))
        self.nullable = queryset.model._meta.get_field(self.field).null
        self.size = self.get_page_size(request)
        raw = request.query_params.get(self.cursor_query_param)
        position = self._decode(raw) if raw else None
        backwards = bool(position and position[2])
        # Going back walks the same order reversed: NULLs, which come last, then come first.
        descending = self.descending != backwards
        nulls_last = not backwards
        page = self._ordered(queryset, descending, nulls_last)
        if position is not None:
            page = page.filter(self._beyond(position[0], position[1], descending, nulls_last))
        rows = list(page[: self.size + 1])
        more = len(rows) > self.size
        rows = rows[: self.size]
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = position is not None, more
        else:
            self.has_next, self.has_previous = more, position is not None
        self.rows = rows
        return rows

    def _link(self, row, backwards: bool) -> str:
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self._encode(row, backwards))

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        if not self.rows:
            # Walked back past the start: the first page.
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self._link(self.rows[-1], backwards=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous or not self.rows:
            return None
        return self._link(self.rows[0], backwards=True)

    def get_paginated_response(self, data) -> Response:
        return Response(
            OrderedDict([("next", self.get_next_link()), ("previous", self.get_previous_link()), ("results", data)])
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(_("分页游标：取自上一页响应的 next 或 previous 链接")),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(_("每页条数，默认 %(default)s，最多 %(max)s"))
                % {"default": self.page_size, "max": self.max_page_size},
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
