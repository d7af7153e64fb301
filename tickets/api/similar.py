"""GET /api/v1/orders/similar/: open and recent orders that look like the same matter as a new one (#16)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets import limits
from tickets.search import similar_orders

from .errors import ErrorSerializer
from .serializers import LimitedCharField, OrderSerializer


class SimilarQuerySerializer(serializers.Serializer):
    phone = LimitedCharField(
        max_length=limits.CALLER_PHONE, required=False, allow_blank=True, default="", help_text=_("来电号码")
    )
    address = LimitedCharField(
        max_length=limits.ADDRESS, required=False, allow_blank=True, default="", help_text=_("地址")
    )
    content = LimitedCharField(
        max_length=limits.LONG_TEXT, required=False, allow_blank=True, default="", help_text=_("诉求内容")
    )


class SimilarOrderSerializer(serializers.Serializer):
    order = OrderSerializer()
    score = serializers.FloatField(help_text=_("相似程度，越大越像同一事项"))
    reason = serializers.CharField(help_text=_("理由，例如“同一来电号码，3天内第2次”“地址相同，内容相似 0.82”"))
    reasons = serializers.ListField(child=serializers.CharField())
    content_similarity = serializers.FloatField(help_text=_("诉求内容的词语相似度，0 至 1"))
    can_merge_into = serializers.BooleanField(help_text=_("新工单能否并入该工单（该工单在办且未被并单）"))


class SimilarOrdersView(APIView):
    @extend_schema(
        summary=_("相似工单"),
        description=_(
            "接单时，按来电号码、地址（同一地址或同一小区、道路）和诉求内容的词语，列出可能是同一事项的"
            "在办工单和近 30 天的工单，最像的在前，最多 10 张，每张附理由。只列出您有权查看的工单；"
            "来电号码只与您能看到来电人的工单比对。"
        ),
        parameters=[SimilarQuerySerializer],
        responses={
            200: SimilarOrderSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description=_("输入有误：errors 给出每个字段的错误")),
            401: OpenApiResponse(ErrorSerializer, description=_("未认证：缺少或无效的令牌")),
        },
    )
    def get(self, request):
        query = SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        hits = similar_orders(request.user, **query.validated_data)
        context = {"request": request, "now": timezone.now()}
        return Response(SimilarOrderSerializer(hits, many=True, context=context).data)
