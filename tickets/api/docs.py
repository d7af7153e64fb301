"""OpenAPI pieces every part of the API documents alike: the error answers (one body,
`errors.ErrorSerializer`) and the headers of optimistic locking and idempotent retries.

Each resource names what differs (which thing is missing, what its conflict means) and takes the
rest from here, so the orders, notices and attachments endpoints cannot drift apart.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .errors import ErrorSerializer
from .idempotency import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from .preconditions import IF_MATCH_HEADER

ERROR_TEXTS = {
    400: _("输入有误：errors 给出每个字段的错误"),
    401: _("未认证：缺少或无效的令牌"),
    403: _("无权执行：角色或单位不符"),
    413: _("请求内容过大"),
    422: _("该 Idempotency-Key 已用于另一个请求"),
    503: _("数据库或消息队列暂时无法连接：按 Retry-After 的秒数后重试"),
}


def error_responses(codes, texts: dict | None = None) -> dict:
    """The answers `codes` documented with the shared error body; `texts` gives the resource's own
    descriptions (404, 409, 412 …) and overrides the shared ones."""
    described = {**ERROR_TEXTS, **(texts or {})}
    return {code: OpenApiResponse(ErrorSerializer, description=described[code]) for code in codes}


def etag_header(description, responses=(200, 201)) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=list(responses), description=description
    )


def if_match_header(description) -> OpenApiParameter:
    return OpenApiParameter(IF_MATCH_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, description=description)


def idempotency_key_header(description) -> OpenApiParameter:
    return OpenApiParameter(IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, description=description)


IDEMPOTENCY_KEY = idempotency_key_header(
    _("客户端生成的唯一键（如 UUID）；以同一键重试时返回首次的响应，且不会重复执行")
)
REPLAYED = OpenApiParameter(
    REPLAYED_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description=_("为 true 时，本响应是对同一 Idempotency-Key 的重放"),
)
