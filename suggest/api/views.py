from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from stations.models import Role
from stations.services import routing_suggest
from tickets.api.views import _errors  # the API's shared error responses

from ..services import suggest_beside_rules


class IsDispatchDesk(BasePermission):
    message = _("只有指挥中心值班员可以获取智能分派建议。")

    def has_permission(self, request, view) -> bool:
        return getattr(request.user, "role", None) == Role.DISPATCHER


class QuerySerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GuessSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_("主题或单位的 id，办理类型的代码"))
    label = serializers.CharField()
    confidence = serializers.FloatField()


class OrderSuggestionSerializer(serializers.Serializer):
    model_version = serializers.IntegerField(allow_null=True)
    rule_units = serializers.ListField(child=serializers.IntegerField())
    topic = GuessSerializer(many=True)
    handling_type = GuessSerializer(many=True)
    unit = GuessSerializer(many=True)


class OrderSuggestView(APIView):
    permission_classes = [IsAuthenticated, IsDispatchDesk]

    @extend_schema(
        summary=_("智能分派建议"),
        description=_(
            "按诉求内容给出主题、办理类型和承办单位的前三个建议及置信度；仅供参考，由值班员选择。"
            "地址命中派单规则时，规则的单位优先，模型的单位建议不返回。没有模型（工单太少）时各项为空列表。"
        ),
        parameters=[
            OpenApiParameter("content", str, required=True),
            OpenApiParameter("address", str, required=False),
        ],
        responses={200: OrderSuggestionSerializer, **_errors(400, 401, 403)},
    )
    def get(self, request):
        query = QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rules = routing_suggest(address=query.validated_data["address"]) if query.validated_data["address"] else []
        rule_units = [s.unit.pk for s in rules]
        suggestions = suggest_beside_rules(content=query.validated_data["content"], rule_unit_ids=rule_units)
        data = {"model_version": suggestions.version, "rule_units": rule_units}
        for target in ("topic", "handling_type", "unit"):
            data[target] = [
                {"value": g.value, "label": g.label, "confidence": g.confidence} for g in suggestions[target]
            ]
        return Response(data)
