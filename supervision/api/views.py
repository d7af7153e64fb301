"""Notice endpoints. Every write calls the service the browser's supervision pages call; the view
parses, calls and renders.

Who may see a notice is `selectors.notices_visible_to` (the browser's rule): any other notice
answers 404, so its existence is never revealed. Who may act is the transition table
(`services.check`), asked before the body is read and again by the service under the row lock.
Preconditions (ETag / If-Match), Idempotency-Key, the error body and throttling are the order
API's (tickets.api).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.api.docs import IDEMPOTENCY_KEY, REPLAYED, error_responses, etag_header, if_match_header
from tickets.api.idempotency import idempotent
from tickets.api.lookups import plausible_id
from tickets.api.pagination import OrderCursorPagination
from tickets.api.preconditions import etag, required_version

from .. import services
from ..exceptions import MSG_NOT_ALLOWED_TO_ISSUE, MSG_NOTICE_STALE, NotPermitted
from ..letters import letter_pdf_ready, pdf_filename
from ..models import Notice, SupervisionPolicy
from ..rule_settings import rule_states
from ..selectors import escalation_ladder, notices_visible_to, with_versions
from . import serializers as s
from .filters import NoticeFilter

logger = logging.getLogger(__name__)

MSG_DONE_DETAIL_UNAVAILABLE = _("操作已完成，但暂时无法读取函件详情，请稍后重新获取函件。")
MSG_LETTER_PENDING = _("函件涉及工单较多，PDF 正在生成，请稍后重试。")
LETTER_RETRY_SECONDS = 10

NOTICE_ERRORS = {
    404: _("函件不存在，或您无权查看"),
    409: _(
        "函件当前状态不允许该操作；"
        "或同一 Idempotency-Key 的请求仍在处理中（code 为 idempotency_key_in_progress，带 Retry-After）"
    ),
    412: _("If-Match 与函件当前版本不符：函件已被他人修改"),
}


def _errors(*codes: int) -> dict:
    return error_responses(codes, NOTICE_ERRORS)


ETAG_RESPONSE = etag_header(_("函件当前版本，写操作时放入 If-Match"))
IF_MATCH = if_match_header(_("上次读取时得到的 ETag；函件已被修改时返回 412，且不做任何改动"))


def _action_schema(request, summary, description="") -> extend_schema:
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG_RESPONSE, REPLAYED],
        responses={200: s.NoticeDetailSerializer, **_errors(400, 401, 403, 404, 409, 412, 413, 422, 503)},
    )


class NoticeCursorPagination(OrderCursorPagination):
    """The order list's keyset pages, newest issued first (the browser's order)."""

    def ordering(self, request) -> tuple[str, bool]:
        return "issued_at", True


@extend_schema_view(
    list=extend_schema(
        summary=_("督办函件列表"),
        description=_(
            "督办单和提醒函，按条件筛选，下发时间新的在前，游标分页。只列出您有权查看的函件："
            "承办单位看下发给本单位的，审核员看涉及其可查看工单的，指挥中心和督导领导看全部。"
        ),
        responses={200: s.NoticeSerializer, **_errors(400, 401, 503)},
    ),
    retrieve=extend_schema(
        summary=_("督办函件详情"),
        description=_("函件及其涉及工单（只列出您有权查看的，其余只计数）、操作记录，以及您现在可以执行的操作。"),
        parameters=[ETAG_RESPONSE],
        responses={200: s.NoticeDetailSerializer, **_errors(401, 404, 503)},
    ),
    create=extend_schema(
        summary=_("人工下发督办单或提醒函"),
        description=_("督导领导为一张已转办的工单向其承办单位下发督办单或提醒函。"),
        request=s.IssueSerializer,
        parameters=[IDEMPOTENCY_KEY, ETAG_RESPONSE, REPLAYED],
        responses={
            201: OpenApiResponse(s.NoticeDetailSerializer, description=_("已下发")),
            **_errors(400, 401, 403, 409, 413, 422, 503),
        },
    ),
)
class NoticeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NoticeSerializer
    filterset_class = NoticeFilter
    pagination_class = NoticeCursorPagination
    # Any id reaches get_object, which answers 404 for what is not a plausible one.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        visible = notices_visible_to(self.request.user).select_related("signed_by", "responded_by", "closed_by")
        return with_versions(visible)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "now": timezone.now()}

    def get_object(self) -> Notice:
        notice = self.get_queryset().filter(pk=plausible_id(self.kwargs[self.lookup_field])).first()
        if notice is None:
            raise NotFound()
        return notice

    def _detail(self, notice: Notice, code: int = status.HTTP_200_OK, headers: dict | None = None) -> Response:
        data = s.NoticeDetailSerializer(notice, context=self.get_serializer_context()).data
        return Response(data, status=code, headers={"ETag": etag(notice.version), **(headers or {})})

    def _answer_after_write(self, written: Notice, code: int = status.HTTP_200_OK, headers=None) -> Response:
        """The notice as it now is. As for orders (tickets.api.views): without an Idempotency-Key
        the write has committed, and a failure to read it back must not tell the client it failed."""
        try:
            notice = (
                self.get_queryset().filter(pk=written.pk).first()
                or with_versions(Notice.objects.filter(pk=written.pk)).get()
            )
            return self._detail(notice, code, headers)
        except Exception:
            if transaction.get_connection().in_atomic_block:
                raise
            logger.exception("Notice %s was written, but the answer could not be built", written.number)
        body = {
            "id": written.pk,
            "number": written.number,
            "status": written.status,
            "status_label": str(written.get_status_display()),
            "detail": str(MSG_DONE_DETAIL_UNAVAILABLE),
            "code": "detail_unavailable",
        }
        return Response(body, status=code, headers=headers or {})

    def replay_allowed(self, body: dict) -> bool:
        """An Idempotency-Key replay is given only while the user may still see its notice."""
        return notices_visible_to(self.request.user).filter(pk=plausible_id(body.get("id", ""))).exists()

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @idempotent
    def create(self, request):
        # Who may issue is asked before the body is read, as the browser's page does.
        if not services.may_issue(request.user):
            raise NotPermitted(MSG_NOT_ALLOWED_TO_ISSUE)
        serializer = s.IssueSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        notice = services.notice_issue_by_hand(acting_user=request.user, **serializer.validated_data)
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{notice.pk}/")
        return self._answer_after_write(notice, status.HTTP_201_CREATED, {"Location": location})

    # --- one endpoint per transition (services.NOTICE_TRANSITIONS) ---

    def _act(self, request, action_name: str, service, input_serializer=None) -> Response:
        notice = self.get_object()
        # The same order of checks as the orders': version, then the transition table, then the body.
        version = required_version(request, notice.version, stale_message=MSG_NOTICE_STALE)
        services.check(notice, request.user, action_name)
        data = {}
        if input_serializer is not None:
            serializer = input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        written = service(notice=notice, acting_user=request.user, expected_version=version, **data)
        return self._answer_after_write(written)

    @_action_schema(None, _("签收"), _("承办单位民警或负责人签收下发给本单位的函件。无须请求内容。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def sign(self, request, pk=None):
        return self._act(request, "sign", services.notice_sign)

    @_action_schema(
        s.RespondSerializer, _("反馈整改措施"), _("承办单位负责人反馈整改措施；超过反馈时限的反馈照收，并标记逾期。")
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def respond(self, request, pk=None):
        return self._act(request, "respond", services.notice_respond, s.RespondSerializer)

    @_action_schema(s.CloseSerializer, _("办结函件"), _("督导领导认可承办单位的整改措施，办结函件。"))
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk=None):
        return self._act(request, "close", services.notice_close, s.CloseSerializer)

    # --- the letter ---

    def perform_content_negotiation(self, request, force=False):
        # The letter answers a PDF (an HttpResponse of its own) or a JSON error: a client that
        # asks for application/pdf gets its errors as JSON rather than 406.
        return super().perform_content_negotiation(request, force=force or self.action == "letter_pdf")

    @extend_schema(
        operation_id="v1_notices_letter_pdf",
        summary=_("函件 PDF"),
        description=_(
            "函件正式文本的 PDF，与页面上的函件相同：只写明承办单位（及您本人）有权查看的工单，其余只计数。"
            "涉及工单较多的函件由后台生成：先返回 202（带 Retry-After），生成后再次请求即得 PDF。"
        ),
        filters=False,
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("函件 PDF")),
            202: OpenApiResponse(s.LetterPendingSerializer, description=_("PDF 正在生成，请按 Retry-After 稍后重试")),
            **_errors(401, 404, 503),
        },
    )
    # Routed by urls.py: `letter.pdf`, like the browser's, with no trailing slash.
    def letter_pdf(self, request, pk=None):
        notice = self.get_object()
        name = letter_pdf_ready(notice, user=request.user)
        if name is None:
            body = {"detail": str(MSG_LETTER_PENDING), "code": "letter_pending"}
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Retry-After": str(LETTER_RETRY_SECONDS)})
        with default_storage.open(name, "rb") as stored:
            response = HttpResponse(stored.read(), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(pdf_filename(notice))}"
        return response


class NoticeRulesView(APIView):
    @extend_schema(
        operation_id="v1_notice_rules_list",
        summary=_("督办规则"),
        description=_("每条督办规则及其在督办规则设置中的开关和阈值（只读；由系统管理员在后台修改）。"),
        responses={200: s.RuleStateSerializer(many=True), **_errors(401, 503)},
    )
    def get(self, request):
        return Response(s.RuleStateSerializer(rule_states(), many=True).data)


class EscalationLevelsView(APIView):
    @extend_schema(
        operation_id="v1_escalation_levels_list",
        summary=_("升级阶梯"),
        description=_(
            "每个时限（联系、办理、督办反馈）的升级阶梯，按级别排列：在时限前后多少分钟（工作时间或自然时间）、"
            "执行什么动作、是否启用。内置级别即现有督办规则。只读；由系统管理员在后台修改。"
        ),
        responses={200: s.EscalationLevelSerializer(many=True), **_errors(401, 503)},
    )
    def get(self, request):
        context = {"policy": SupervisionPolicy.load()}
        return Response(s.EscalationLevelSerializer(escalation_ladder(), many=True, context=context).data)
