"""Keyset (cursor) pagination of the order list: page 500 costs what page 1 costs.

The list is ordered by one indexed column (received time or handling deadline) and the id, so
every row has a unique position. A cursor holds the position of the last row of a page (or the
first, to go back) and the next page is `WHERE (column, id) > position`, never an OFFSET
(`selectors.keyset_page`, shared with the browser's order search). DRF's own CursorPagination
keys on the column alone and cannot place NULL deadlines; this one can.
"""

from __future__ import annotations

from collections import OrderedDict

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from tickets.filters import clamp, order_spec
from tickets.selectors import decode_position, encode_position, order_page

MSG_INVALID_CURSOR = _("分页游标无效。")


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

    def ordering(self, request) -> tuple[str, bool]:
        """(column, descending) the list is paged by; the order list lets `?ordering=` choose."""
        return order_spec(request.query_params.get("ordering"))

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        field, descending = self.ordering(request)
        size = self.get_page_size(request)
        raw = request.query_params.get(self.cursor_query_param)
        try:
            position = decode_position(raw, clamp=clamp) if raw else None
            # A ranked search (`q` words, no ordering) is paged best match first.
            self.page = order_page(queryset, field=field, descending=descending, size=size, position=position)
        except ValueError:
            raise exceptions.ValidationError({self.cursor_query_param: [MSG_INVALID_CURSOR]}) from None
        return self.page.rows

    def get_next_link(self) -> str | None:
        if not self.page.has_next:
            return None
        after = self.page.position_after()
        if after is None:
            # Walked back past the start: the first page.
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, encode_position(after))

    def get_previous_link(self) -> str | None:
        before = self.page.position_before()
        if before is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, encode_position(before))

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
