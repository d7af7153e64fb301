"""Order endpoints. Every write calls one service; the view parses, calls and renders.

Who may see an order is `selectors.orders_visible_to`: any other order answers 404, so its
existence is never revealed. Who may act is the transition table (`workflow.check`), asked
before the body is read so the answer does not depend on it, and asked again by the service
under the row lock.
"""

from __future__ import annotations

import logging

import django_filters
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from stations.services import routing_suggest
from tickets import services, workflow
from tickets.deadlines import compute_deadlines
from tickets.exceptions import InvalidTransition
from tickets.filters import BooleanFilter, OrderFilter
from tickets.models import Topic, WorkOrder
from tickets.selectors import orders_visible_to

from . import serializers as s
from .docs import IDEMPOTENCY_KEY, REPLAYED, error_responses, etag_header, if_match_header
from .idempotency import idempotent
from .lookups import PlausibleIdMixin, plausible_id
from .pagination import OrderCursorPagination
from .preconditions import etag_for, expected_version

logger = logging.getLogger(__name__)

MSG_DONE_DETAIL_UNAVAILABLE = _("操作已完成，但暂时无法读取工单详情，请稍后重新获取工单。")


ORDER_ERRORS = {
    404: _("工单不存在，或您无权查看"),
    409: _(
        "工单当前状态不允许该操作：status 给出当前状态；"
        "或同一 Idempotency-Key 的请求仍在处理中（code 为 idempotency_key_in_progress，带 Retry-After）"
    ),
    412: _("If-Match 与工单当前版本不符：工单已被他人修改"),
}


def _errors(*codes: int) -> dict:
    return error_responses(codes, ORDER_ERRORS)


ETAG_RESPONSE = etag_header(_("工单当前版本，写操作时放入 If-Match"))
IF_MATCH = if_match_header(_("上次读取时得到的 ETag；工单已被修改时返回 412，且不做任何改动"))


def _action_schema(request, summary, description="") -> extend_schema:
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG_RESPONSE, REPLAYED],
        responses={200: s.OrderDetailSerializer, **_errors(400, 401, 403, 404, 409, 412, 413, 422, 503)},
    )


def _no_records_yet(order: WorkOrder, *, linked: bool) -> None:
    """A new order has no contact, report, review, callback, extension or objection, and no other
    order merged into it; it is linked to another only if intake asked (`relate_to`). Tell the
    detail serializer so, instead of letting it ask the database for empty lists."""
    order.has_no_records = True
    order.has_links = linked


@extend_schema_view(
    list=extend_schema(
        summary=_("工单列表"),
        description=_("按条件筛选的工单，游标分页。只列出您有权查看的工单。"),
        responses={200: s.OrderSerializer, **_errors(400, 401, 503)},
    ),
    retrieve=extend_schema(
        summary=_("工单详情"),
        description=_("工单及其联系、上报、审核、回访、延期、退单记录，以及您现在可以执行的操作。"),
        parameters=[ETAG_RESPONSE],
        responses={200: s.OrderDetailSerializer, **_errors(401, 404, 503)},
    ),
    create=extend_schema(
        summary=_("接单"),
        description=_(
            "登记一张工单。带12345平台工单号的重复推送返回已有工单（200），不生成第二张；新建返回 201。"
            "可同时并入相似工单（merge_into）、与之关联（relate_to）或转办（dispatch_to），在同一事务中完成。"
        ),
        request=s.OrderCreateSerializer,
        parameters=[IDEMPOTENCY_KEY, ETAG_RESPONSE, REPLAYED],
        responses={
            201: OpenApiResponse(s.OrderDetailSerializer, description=_("已新建工单")),
            200: OpenApiResponse(s.OrderDetailSerializer, description=_("该平台工单号已登记，返回已有工单")),
            **_errors(400, 401, 403, 409, 413, 422, 503),
        },
    ),
)
class OrderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.OrderSerializer
    filterset_class = OrderFilter
    pagination_class = OrderCursorPagination
    # Any id reaches get_object, which answers 404 for what is not a plausible one.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return orders_visible_to(self.request.user)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "now": timezone.now()}

    def get_object(self) -> WorkOrder:
        order = self.get_queryset().filter(pk=plausible_id(self.kwargs[self.lookup_field])).first()
        if order is None:
            raise NotFound()
        return order

    def _detail(self, order: WorkOrder, code: int = status.HTTP_200_OK, headers: dict | None = None) -> Response:
        data = s.OrderDetailSerializer(order, context=self.get_serializer_context()).data
        return Response(data, status=code, headers={"ETag": etag_for(order), **(headers or {})})

    def _answer_after_write(
        self, written: WorkOrder, code: int = status.HTTP_200_OK, headers=None, *, reread: bool = True
    ) -> Response:
        """The answer to a write: the order as it now is.

        Without an Idempotency-Key the write has committed by now. If reading the order back
        fails (the database gone a moment later, a bug in a serializer), an error answer would
        tell the client the action failed although it was done; instead it gets the same status
        with what the service returned — id, number, status and the new version (also as ETag),
        and `code: detail_unavailable` — and finds the rest with a GET and in the events.
        With an Idempotency-Key nothing has committed yet: the error rolls the action back, and
        the client's error answer is true.
        """
        try:
            # Answer with the order as it now is. The acting user may no longer see it (a
            # reviewer's approved order stays visible, but be safe). A new order is answered as
            # written (`reread=False`): the intake services return it as it now is, with its topic
            # and unit, and only the dispatch desk, which sees every order, registers.
            if reread:
                order = self.get_queryset().filter(pk=written.pk).first() or WorkOrder.objects.get(pk=written.pk)
            else:
                order = written
            return self._detail(order, code, headers)
        except Exception:
            if transaction.get_connection().in_atomic_block:
                raise
            logger.exception("Order %s was written, but the answer could not be built", written.number)
        body = {
            "id": written.pk,
            "number": written.number,
            "status": written.status,
            "status_label": str(written.get_status_display()),
            "version": written.version,
            "detail": str(MSG_DONE_DETAIL_UNAVAILABLE),
            "code": "detail_unavailable",
        }
        return Response(body, status=code, headers={"ETag": etag_for(written), **(headers or {})})

    def replay_allowed(self, body: dict) -> bool:
        """An Idempotency-Key replay is given only while the user may still see its order."""
        return self.get_queryset().filter(pk=plausible_id(body.get("id", ""))).exists()

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @idempotent
    def create(self, request):
        serializer = s.OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.order_register(acting_user=request.user, **serializer.validated_data)
        if not result.created:
            return self._detail(result.order)
        _no_records_yet(result.order, linked=bool(serializer.validated_data.get("relate_to")))
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{result.order.pk}/")
        return self._answer_after_write(result.order, status.HTTP_201_CREATED, {"Location": location}, reread=False)

    @extend_schema(
        summary=_("工单日志"),
        description=_("工单的全部操作记录（时间线），按时间先后。"),
        responses={200: s.EventSerializer(many=True), **_errors(401, 404, 503)},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        order = self.get_object()
        events = order.events.select_related("actor").order_by("created_at", "id")
        return Response(s.EventSerializer(events, many=True).data)

    # --- one endpoint per transition ---

    def _act(self, request, action_name: str, input_serializer, service) -> Response:
        order = self.get_object()
        try:
            # The same order of checks as the service's: version, then the transition table.
            version = expected_version(request, order)
            workflow.check(order, request.user, action_name)
            serializer = input_serializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            result = service(
                order=order, acting_user=request.user, expected_version=version, **serializer.validated_data
            )
        except InvalidTransition as exc:
            # Name the state the order is in now (another user may have just moved it).
            exc.current_status = WorkOrder.objects.filter(pk=order.pk).values_list("status", flat=True).first()
            raise
        # Services answer the order they changed (an extension request, the request it made).
        return self._answer_after_write(result if isinstance(result, WorkOrder) else result.order)

    @_action_schema(s.DispatchSerializer, _("转办"), _("指挥中心将待转办工单转给承办单位，开始计算联系和办理时限。"))
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    @idempotent
    def dispatch_order(self, request, pk=None):
        return self._act(request, "dispatch", s.DispatchSerializer, services.order_dispatch)

    @_action_schema(s.DispatchSerializer, _("改派"), _("改派给另一承办单位；对退单待审的工单即同意退单。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def redispatch(self, request, pk=None):
        return self._act(request, "redispatch", s.DispatchSerializer, services.order_redispatch)

    @_action_schema(s.NoteSerializer, _("签收"), _("承办单位签收已转办的工单（联系群众时未签收的即视为签收）。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def sign(self, request, pk=None):
        return self._act(request, "sign", s.NoteSerializer, services.order_sign)

    @_action_schema(s.ContactSerializer, _("联系群众"), _("承办单位民警与群众电话或当面沟通。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def contact(self, request, pk=None):
        return self._act(request, "contact", s.ContactSerializer, services.order_contact)

    @_action_schema(s.ReportInputSerializer, _("上报结果"), _("承办单位上报办理情况和办理结果。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def report(self, request, pk=None):
        return self._act(request, "report", s.ReportInputSerializer, services.order_report)

    @_action_schema(s.NoteSerializer, _("审核通过"))
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        return self._act(request, "approve", s.NoteSerializer, services.order_approve)

    @_action_schema(s.ReasonSerializer, _("退回重办"), _("审核不通过，退回承办单位重新办理（须填写理由）。"))
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    @idempotent
    def return_order(self, request, pk=None):
        return self._act(request, "return", s.ReasonSerializer, services.order_return)

    @_action_schema(s.CallbackInputSerializer, _("回访"), _("记录群众对办理结果的满意度。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def callback(self, request, pk=None):
        return self._act(request, "callback", s.CallbackInputSerializer, services.order_callback)

    @_action_schema(s.NoteSerializer, _("办结"), _("办结工单；并入该工单的工单随之办结。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk=None):
        return self._act(request, "close", s.NoteSerializer, services.order_close)

    @_action_schema(s.ReasonSerializer, _("重办"), _("回访不满意的工单交原承办单位重新办理（须填写理由）。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def reopen(self, request, pk=None):
        return self._act(request, "reopen", s.ReasonSerializer, services.order_reopen)

    @_action_schema(
        s.ReasonSerializer, _("退单"), _("承办单位认为工单不属本单位办理，退回指挥中心审核（须填写理由）。")
    )
    @action(detail=True, methods=["post"], url_path="send-back", url_name="send-back")
    @idempotent
    def send_back(self, request, pk=None):
        return self._act(request, "send_back", s.ReasonSerializer, services.order_send_back)

    @_action_schema(s.ReasonSerializer, _("驳回退单"), _("工单仍由原承办单位办理，回到退单前的状态。"))
    @action(detail=True, methods=["post"], url_path="reject-objection", url_name="reject-objection")
    @idempotent
    def reject_objection(self, request, pk=None):
        return self._act(request, "reject_objection", s.ReasonSerializer, services.order_reject_objection)

    @_action_schema(s.MergeSerializer, _("并单"), _("重复诉求并入同一事项的主工单，随主工单办结。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def merge(self, request, pk=None):
        return self._act(request, "merge", s.MergeSerializer, services.order_merge)

    @_action_schema(s.RequestExtensionSerializer, _("申请延期"), _("承办单位申请推迟办理时限，由指挥中心审批。"))
    @action(detail=True, methods=["post"], url_path="request-extension", url_name="request-extension")
    @idempotent
    def request_extension(self, request, pk=None):
        return self._act(request, "request_extension", s.RequestExtensionSerializer, services.order_request_extension)

    @_action_schema(s.DecideExtensionSerializer, _("审批延期"), _("同意则办理时限改为申请的时间；驳回须填写意见。"))
    @action(detail=True, methods=["post"], url_path="decide-extension", url_name="decide-extension")
    @idempotent
    def decide_extension(self, request, pk=None):
        return self._act(request, "decide_extension", s.DecideExtensionSerializer, services.order_decide_extension)

    @_action_schema(s.AssignSerializer, _("指定承办民警"), _("单位负责人指定本单位民警承办。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def assign(self, request, pk=None):
        return self._act(request, "assign", s.AssignSerializer, services.order_assign)


    @_action_schema(
        s.InstructSerializer,
        _("记录领导批示"),
        _(
            "办结前的任何时候记录领导批示（批示领导、内容、时间），不改变工单状态；"
            "工单在承办单位办理中时，即向承办单位下发提醒函。同一批示重复提交只记录一次。"
        ),
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def instruct(self, request, pk=None):
        return self._act(request, "instruct", s.InstructSerializer, services.order_instruct)


class TopicFilter(django_filters.FilterSet):
    is_active = BooleanFilter(label=_("启用"))

    class Meta:
        model = Topic
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary=_("诉求主题列表"), responses={200: s.TopicSerializer(many=True), **_errors(400, 401)}),
    retrieve=extend_schema(summary=_("诉求主题"), responses={200: s.TopicSerializer, **_errors(401, 404)}),
)
class TopicViewSet(PlausibleIdMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.TopicSerializer
    queryset = Topic.objects.all()
    pagination_class = None
    filterset_class = TopicFilter


class RoutingSuggestionView(APIView):
    @extend_schema(
        summary=_("派单建议"),
        description=_("按地址关键词和诉求主题规则建议承办单位，最优在前；无规则匹配时为空列表。"),
        parameters=[s.RoutingSuggestionQuerySerializer],
        responses={200: s.RoutingSuggestionSerializer(many=True), **_errors(400, 401)},
    )
    def get(self, request):
        query = s.RoutingSuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        suggestions = routing_suggest(**query.validated_data)
        return Response(s.RoutingSuggestionSerializer(suggestions, many=True).data)


class DeadlineView(APIView):
    @extend_schema(
        summary=_("办理时限试算"),
        description=_(
            "给定办理类型和转办时间，按当前时限设置和工作日历算出联系时限和办理时限。"
            "工作日历缺少某年官方安排时，warnings 说明已按周一至周五并扣除法定节假日推算。"
        ),
        parameters=[s.DeadlineQuerySerializer],
        responses={200: s.DeadlineSerializer, **_errors(400, 401)},
    )
    def get(self, request):
        query = s.DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        handling_type = query.validated_data["handling_type"]
        dispatched_at = query.validated_data["dispatched_at"] or timezone.now()
        deadlines = compute_deadlines(handling_type, dispatched_at)
        data = {
            "handling_type": handling_type,
            "dispatched_at": dispatched_at,
            "contact_deadline": deadlines.contact,
            "handling_deadline": deadlines.handling,
            "warnings": list(deadlines.warnings),
        }
        return Response(s.DeadlineSerializer(data).data)
