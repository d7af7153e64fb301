"""Read-only endpoints: bulletins, dashboard figures and hotspots. The same selectors and the
same permission rules as the browser pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stations.models import Role, Unit
from tickets.api.errors import ErrorSerializer
from tickets.api.lookups import PlausibleIdMixin, plausible_id

from .. import permissions as perms
from ..bulletins import MSG_DATE_RANGE
from ..dashboards import Dashboard, dashboard_data
from ..hotspots import SurgeRule, hotspot_table, repeat_callers, repeat_window, repeated_addresses
from ..models import Bulletin
from ..periods import in_range, local_date, week_containing
from .filters import BulletinFilter
from .serializers import (
    BulletinDetailSerializer,
    BulletinSerializer,
    DashboardSerializer,
    HotspotQuerySerializer,
    HotspotsSerializer,
)

ERRORS = {
    400: _("输入有误：errors 给出每个字段的错误"),
    401: _("未认证：缺少或无效的令牌"),
    403: _("无权查看"),
    404: _("不存在，或页码超出范围"),
}


def _errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer, description=ERRORS[code]) for code in codes}


def _present(params) -> dict:
    """Query parameters with a value: an empty one (`?week=`) means "not set", as forms send it."""
    return {key: value for key, value in params.items() if value != ""}


class ReadsBulletins(BasePermission):
    def has_permission(self, request, view) -> bool:
        return perms.reads_bulletins(request.user)


class SeesBureau(BasePermission):
    def has_permission(self, request, view) -> bool:
        return perms.sees_bureau(request.user)


@extend_schema_view(
    list=extend_schema(
        summary=_("通报列表"),
        description=_("已发布的通报（每个版本一条），统计区间新的在前。"),
        responses={200: BulletinSerializer(many=True), **_errors(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary=_("通报"),
        description=_("一个版本的通报，data 为发布时冻结的全部数字、排名和周例会名单。"),
        responses={200: BulletinDetailSerializer, **_errors(401, 403, 404)},
    ),
)
class BulletinViewSet(PlausibleIdMixin, viewsets.ReadOnlyModelViewSet):
    """Published bulletins, newest period first; the detail carries the frozen snapshot (`data`)."""

    permission_classes = [IsAuthenticated, ReadsBulletins]
    filterset_class = BulletinFilter

    def get_queryset(self):
        bulletins = Bulletin.objects.select_related("generated_by").order_by("-period_start", "-period_end", "-version")
        return bulletins.defer("data") if self.action == "list" else bulletins

    def get_serializer_class(self):
        return BulletinDetailSerializer if self.action == "retrieve" else BulletinSerializer


def _figures(figures) -> dict | None:
    return None if figures is None else figures.as_dict()


def _dashboard_payload(data: Dashboard) -> dict:
    return {
        "now": data.now,
        "ytd_start": data.ytd.start,
        "ytd_end": data.ytd.end,
        "unit_id": None if data.unit is None else data.unit.pk,
        "unit_count": data.unit_count,
        "bureau": _figures(data.bureau),
        "unit": _figures(data.unit_figures),
        "trend": [
            {
                "week_start": point.week.start,
                "week_end": point.week.end,
                "bureau": _figures(point.bureau),
                "unit": _figures(point.unit),
            }
            for point in data.trend
        ],
        "breakdowns": {
            name: [{"label": label, "count": count} for label, count in items]
            for name, items in data.breakdowns.items()
        },
        "load": [
            {
                "unit_id": unit.pk,
                "unit": unit.name,
                "open": load.open,
                "due_soon": load.due_soon,
                "overdue": load.overdue,
            }
            for unit, load in data.load
        ],
    }


class BureauDashboardView(APIView):
    """The supervisor dashboard: year-to-date totals, 12-week trend, breakdowns and each unit's load."""

    permission_classes = [IsAuthenticated, SeesBureau]

    @extend_schema(summary=_("全局统计看板"), responses={200: DashboardSerializer, **_errors(401, 403)})
    def get(self, request: Request) -> Response:
        return Response(DashboardSerializer(_dashboard_payload(dashboard_data())).data)


class UnitDashboardView(APIView):
    """One unit's dashboard, with the bureau's figures alongside for comparison."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=_("单位统计看板"),
        parameters=[OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: DashboardSerializer, **_errors(401, 403, 404)},
    )
    def get(self, request: Request, unit_id: str) -> Response:
        unit = get_object_or_404(Unit, pk=plausible_id(unit_id))
        if not perms.may_see_unit(request.user, unit.pk):
            self.permission_denied(request)
        return Response(DashboardSerializer(_dashboard_payload(dashboard_data(unit=unit))).data)


class HotspotsView(APIView):
    """Counts by topic × area for a week against the previous weeks, surges first; repeat callers
    and repeated addresses in the repeat window."""

    permission_classes = [IsAuthenticated, SeesBureau]

    @extend_schema(
        summary=_("热点研判"),
        parameters=[HotspotQuerySerializer],
        responses={200: HotspotsSerializer, **_errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        query = HotspotQuerySerializer(data=_present(request.query_params))
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("week")
        if day is not None and not in_range(day):
            raise serializers.ValidationError({"week": [str(MSG_DATE_RANGE)]})
        week = week_containing(day or local_date())
        level = query.validated_data["level"]
        rule = SurgeRule.from_settings()
        table = hotspot_table(week, level, rule=rule, topic_id=query.validated_data.get("topic"))
        start, end = repeat_window(week)
        reveal = request.user.is_superuser or request.user.role == Role.DISPATCHER
        callers = [{**row, "key": row["phone"]} for row in repeat_callers(start, end, reveal=reveal)]
        addresses = [{**row, "key": row["address"]} for row in repeated_addresses(start, end)]
        payload = {
            "week_start": week.start,
            "week_end": week.end,
            "level": level,
            "baseline_weeks": rule.baseline_weeks,
            "surge_ratio": rule.ratio,
            "surge_minimum": rule.minimum,
            "window_start": start,
            "window_end": end,
            "hotspots": [
                {
                    "topic_id": h.topic_id,
                    "topic": h.topic,
                    "area": None if h.area is None else str(h.area),
                    "area_label": h.area_label,
                    "counts": h.counts,
                    "count": h.count,
                    "baseline_mean": h.baseline_mean,
                    "increase": h.increase,
                    "surge": h.surge,
                }
                for h in table
            ],
            "repeat_callers": callers,
            "repeated_addresses": addresses,
        }
        return Response(HotspotsSerializer(payload).data)
