"""The API's JSON parser: DRF's, with a limit on nesting and messages a person can read.

Python's JSON decoder recurses once per level of nesting. A body nested a thousand levels deep
(`[[[[…]]]]`, a few kilobytes) exhausts the recursion limit in the decoder, or later in whatever
walks the data (a serializer, the error renderer), and the request fails with a 500. No request
of this API nests deeper than three levels, so anything over `MAX_DEPTH` is refused with a 400
before the data reaches a view; a body too deep for the decoder itself is refused the same way.
"""

from __future__ import annotations

import codecs
import json as stdlib_json

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 32

MSG_TOO_DEEP = _("请求内容的 JSON 嵌套过深（最多 %(limit)s 层）。")
MSG_MALFORMED = _("请求内容不是有效的 JSON（第 %(line)s 行第 %(column)s 列）。")
MSG_UNDECODABLE = _("请求内容不是有效的 JSON，或不是 UTF-8 编码。")


def too_deep(data, limit: int = MAX_DEPTH) -> bool:
    """Whether `data` nests lists and objects more than `limit` levels deep (without recursing)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(MSG_TOO_DEEP % {"limit": MAX_DEPTH}, code="too_deep") from None
        except stdlib_json.JSONDecodeError as exc:
            raise ParseError(MSG_MALFORMED % {"line": exc.lineno, "column": exc.colno}) from None
        except ValueError:  # not decodable in the declared encoding; NaN / Infinity when strict
            raise ParseError(MSG_UNDECODABLE) from None
        if too_deep(data):
            raise ParseError(MSG_TOO_DEEP % {"limit": MAX_DEPTH}, code="too_deep")
        return data
