"""`GET /api/v1/events/?after=<cursor>`: the change feed for clients that poll."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.api.errors import ErrorSerializer

from ..selectors import MAX_LIMIT, decode_cursor, feed_page
from .serializers import FeedEventSerializer, FeedPageSerializer

MSG_BAD_CURSOR = _("游标无效，请使用上次响应中的 next 或事件的 cursor。")
MSG_BAD_LIMIT = _("limit 须为 1 到 %(max)s 之间的整数。")


class EventFeedView(APIView):
    @extend_schema(
        summary=_("变更流"),
        description=_(
            "您有权查看的工单和函件的全部事件，按提交顺序；以上次的 next 作为 after 继续读取，不会遗漏晚提交的事件。"
        ),
        parameters=[
            OpenApiParameter("after", OpenApiTypes.STR, description=_("上次响应的 next；不填从头读取")),
            OpenApiParameter("limit", OpenApiTypes.INT, description=_("每页条数，默认 100，最多 500")),
        ],
        responses={
            200: FeedPageSerializer,
            400: OpenApiResponse(ErrorSerializer, description=_("after 或 limit 无效")),
            401: OpenApiResponse(ErrorSerializer, description=_("未认证：缺少或无效的令牌")),
        },
    )
    def get(self, request):
        cursor = decode_cursor(request.query_params.get("after"))
        if cursor is None:
            raise ValidationError({"after": [str(MSG_BAD_CURSOR)]})
        raw_limit = request.query_params.get("limit", "100")
        if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise ValidationError({"limit": [str(MSG_BAD_LIMIT % {"max": MAX_LIMIT})]})
        entries, next_cursor = feed_page(request.user, after=cursor, limit=int(raw_limit))
        return Response({"results": FeedEventSerializer(entries, many=True).data, "next": next_cursor.encode()})
