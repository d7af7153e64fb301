"""Attachment endpoints under an order. Who may see the order may see its files; any other order
(or a file of another order) answers 404."""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.api.docs import error_responses, etag_header, idempotency_key_header, if_match_header
from tickets.api.idempotency import idempotent
from tickets.api.lookups import plausible_id
from tickets.api.preconditions import etag_for, expected_version
from tickets.selectors import order_for_user

from .. import selectors, services
from ..responses import file_response
from .serializers import AttachmentSerializer, AttachmentUploadSerializer

ATTACHMENT_ERRORS = {
    400: _("输入有误：文件为空、过大、类型不支持，或所选记录不属于该工单"),
    403: _("您当前不能为该工单上传附件"),
    404: _("工单或附件不存在，或您无权查看"),
    409: _(
        "工单已办结或已并单，附件只读；或同一 Idempotency-Key 的请求仍在处理中"
        "（code 为 idempotency_key_in_progress，带 Retry-After）"
    ),
    412: _("If-Match 与工单当前版本不符：工单已被他人修改"),
    415: _("请求须为 multipart/form-data"),
    503: _("数据库暂时无法连接：按 Retry-After 的秒数后重试"),
}


def _errors(*codes: int) -> dict:
    return error_responses(codes, ATTACHMENT_ERRORS)


ATTACHMENT_ID = OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("附件 id"))


IF_MATCH = if_match_header(_("上次读取工单时得到的 ETag；工单已被修改时返回 412，且不保存文件"))
IDEMPOTENCY_KEY = idempotency_key_header(
    _("客户端生成的唯一键（如 UUID）；以同一键重试时返回首次的响应，文件不会重复保存")
)
ETAG_RESPONSE = etag_header(_("上传后工单的版本"), responses=(201,))


def upload_fingerprint(request) -> str:
    """What tells one upload from another for Idempotency-Key: the path, the form fields and each
    file's SHA-256 — not the raw body, which Django would have to hold in memory whole."""
    digest = hashlib.sha256(f"{request.method}\0{request.get_full_path()}\0".encode())
    for name in sorted(request.data.keys()):
        for value in request.data.getlist(name) if hasattr(request.data, "getlist") else [request.data[name]]:
            if hasattr(value, "chunks"):
                part = hashlib.sha256()
                for chunk in value.chunks():
                    part.update(chunk)
                value = f"file:{value.size}:{part.hexdigest()}"
            digest.update(f"{name}={value}\0".encode())
    return digest.hexdigest()


def _order(request, order_id):
    order = order_for_user(request.user, plausible_id(order_id))
    if order is None:
        raise NotFound()
    return order


def _attachment(request, order_id, attachment_id):
    attachment = selectors.attachment_for_user(request.user, plausible_id(order_id), plausible_id(attachment_id))
    if attachment is None:
        raise NotFound()
    return attachment


class OrderAttachmentsView(APIView):
    parser_classes = [MultiPartParser]
    serializer_class = AttachmentSerializer

    @extend_schema(
        summary=_("工单附件列表"),
        description=_("工单及其上报、回访、督办反馈的全部附件，按上传时间先后。"),
        responses={200: AttachmentSerializer(many=True), **_errors(401, 404, 503)},
    )
    def get(self, request, id):
        order = _order(request, id)
        return Response(AttachmentSerializer(selectors.attachments_for_order(order), many=True).data)

    @extend_schema(
        summary=_("上传附件"),
        description=_(
            "multipart/form-data 上传一个文件。类型按文件内容识别（图片 PNG/JPEG/GIF/WebP、PDF、docx、xlsx、"
            "录音 MP3/WAV/AMR/M4A、纯文本），其他类型（可执行文件、HTML、SVG、脚本）一律拒绝；大小上限见设置"
            " HOTLINE_ATTACHMENT_MAX_MB。指挥中心在工单办结前、承办单位在工单由本单位办理期间可上传。"
            "上传记入工单日志。"
        ),
        request={"multipart/form-data": AttachmentUploadSerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG_RESPONSE],
        responses={201: AttachmentSerializer, **_errors(400, 401, 403, 404, 409, 412, 413, 415, 422, 503)},
    )
    @idempotent(fingerprint=upload_fingerprint)
    def post(self, request, id):
        order = _order(request, id)
        # The same order of checks as the order's actions: version, then who may upload.
        version = expected_version(request, order)
        refusal = services.upload_refusal(request.user, order)
        if refusal is not None:
            raise refusal
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        attachment = services.attachment_upload(
            order=order,
            file=data.get("file"),
            acting_user=request.user,
            kind=data["kind"],
            target_id=data.get("target"),
            expected_version=version,
        )
        return Response(
            AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED, headers={"ETag": etag_for(order)}
        )

    def replay_allowed(self, body: dict) -> bool:
        """An Idempotency-Key replay is given only while the user may still see the file's order."""
        order_id = body.get("order")
        return isinstance(order_id, int) and order_for_user(self.request.user, order_id) is not None


class OrderAttachmentView(APIView):
    serializer_class = AttachmentSerializer

    @extend_schema(
        summary=_("附件信息"),
        parameters=[ATTACHMENT_ID],
        responses={200: AttachmentSerializer, **_errors(401, 404, 503)},
    )
    def get(self, request, id, attachment_id):
        return Response(AttachmentSerializer(_attachment(request, id, attachment_id)).data)


class OrderAttachmentDownloadView(APIView):
    @extend_schema(
        summary=_("下载附件"),
        description=_(
            "文件内容。图片按识别出的图片类型内联返回，其他一律 Content-Disposition: attachment；"
            "均带 X-Content-Type-Options: nosniff。"
        ),
        parameters=[ATTACHMENT_ID],
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description=_("文件内容")),
            **_errors(401, 404, 503),
        },
    )
    def get(self, request, id, attachment_id):
        return file_response(_attachment(request, id, attachment_id))
