"""Units and staff, read only: whom an order can be dispatched or assigned to."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets

from stations.models import Role, Unit, UnitKind, User
from stations.selectors import staff_visible_to
from tickets.api.errors import ErrorSerializer
from tickets.api.lookups import PlausibleIdMixin
from tickets.filters import BooleanFilter, MultipleChoiceFilter

from .serializers import StaffSerializer, UnitSerializer

_400 = {400: OpenApiResponse(ErrorSerializer, description=_("筛选条件有误"))}
_401 = {401: OpenApiResponse(ErrorSerializer, description=_("未认证"))}
_404 = {404: OpenApiResponse(ErrorSerializer, description=_("不存在"))}


class UnitFilter(filters.FilterSet):
    kind = MultipleChoiceFilter(label=_("类型"), choices=UnitKind.choices, distinct=False)
    handles_orders = BooleanFilter(label=_("承办工单"), method="filter_handles_orders")
    is_active = BooleanFilter(label=_("启用"))

    class Meta:
        model = Unit
        fields: list[str] = []

    def filter_handles_orders(self, queryset, name, value: bool):
        if value is None:
            return queryset
        handling = {"kind__in": [UnitKind.STATION, UnitKind.DEPARTMENT]}
        return queryset.filter(**handling) if value else queryset.exclude(**handling)


class StaffFilter(filters.FilterSet):
    unit = filters.ModelChoiceFilter(label=_("所属单位"), queryset=Unit.objects.all())
    role = MultipleChoiceFilter(label=_("角色"), choices=Role.choices, distinct=False)
    is_active = BooleanFilter(label=_("启用"))

    class Meta:
        model = User
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary=_("单位列表"), responses={200: UnitSerializer(many=True), **_400, **_401}),
    retrieve=extend_schema(summary=_("单位"), responses={200: UnitSerializer, **_401, **_404}),
)
class UnitViewSet(PlausibleIdMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Unit.objects.order_by("kind", "name")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    pagination_class = None


@extend_schema_view(
    list=extend_schema(
        summary=_("人员列表"),
        description=_(
            "只列出角色需要的人员：单位负责人看到本单位民警，民警看到本单位负责人，"
            "值班员和督导领导看到各单位负责人（值班联系人），审核员只看到自己；系统管理员账号不列出。"
        ),
        responses={200: StaffSerializer(many=True), **_400, **_401},
    ),
    retrieve=extend_schema(summary=_("人员"), responses={200: StaffSerializer, **_401, **_404}),
)
class StaffViewSet(PlausibleIdMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspecting the view
            return User.objects.none()
        # Anyone outside what the role may see answers 404, like an id that does not exist.
        return staff_visible_to(self.request.user)
