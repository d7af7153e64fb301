"""`POST /api/v1/imports/`, `GET /api/v1/imports/{id}/`, `POST /api/v1/imports/{id}/confirm/`:
the platform export's import over REST, through the same service as the dispatch desk's page."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets import workflow
from tickets.api.errors import ErrorSerializer
from tickets.api.lookups import plausible_id
from tickets.exceptions import InvalidInput

from ..models import ImportJob
from ..services import imports
from .serializers import ImportJobSerializer, ImportUploadSerializer

MSG_DISPATCH_DESK_ONLY = _("只有指挥中心值班员可以导入平台工单。")
ERRORS = {
    400: _("输入有误：不是 Excel 或 CSV 表格、过大、行数过多、缺少必需的列，或导入对照无效"),
    401: _("未认证：缺少或无效的令牌"),
    403: _("只有指挥中心值班员可以导入平台工单"),
    404: _("导入任务不存在"),
    409: _("该导入已确认"),
    413: _("请求内容过大"),
    415: _("请求须为 multipart/form-data"),
    503: _("数据库暂时无法连接：按 Retry-After 的秒数后重试"),
}
JOB_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("导入任务 id"))


def _errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer, description=ERRORS[code]) for code in codes}


def _dispatch_desk(request) -> None:
    if request.user.role not in workflow.DISPATCH_DESK:
        raise PermissionDenied(MSG_DISPATCH_DESK_ONLY)


def _job(request, id) -> ImportJob:
    _dispatch_desk(request)
    job = ImportJob.objects.filter(pk=plausible_id(id)).first()
    if job is None:
        raise NotFound()
    return job


class ImportsView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary=_("上传平台导出文件"),
        description=_(
            "multipart/form-data 上传12345平台导出的工单文件，按导入对照读取，"
            "返回逐行预览（新建、已登记、无效及原因）；"
            "预览不写入任何工单。confirm 为 true 时随即导入：行数少的文件在本次请求中导入完毕，"
            "较大的文件由后台导入，以 GET /api/v1/imports/{id}/ 查看进度。每行与 POST /api/v1/orders/ "
            "同样登记，平台工单号已登记的行不重复登记：同一文件导入两次不会产生重复工单。"
        ),
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer, **_errors(400, 401, 403, 413, 415, 503)},
    )
    def post(self, request):
        _dispatch_desk(request)
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            job = imports.import_job_create(
                mapping=data["mapping"],
                upload=data["file"],
                acting_user=request.user,
                received_at_confirmed=data["received_at_confirmed"],
            )
        except InvalidInput as error:
            raise ValidationError({"file": [str(error)]}) from error
        if data["confirm"]:
            job = imports.import_confirm(job=job, acting_user=request.user)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)


class ImportJobView(APIView):
    @extend_schema(
        summary=_("导入任务"),
        description=_("预览的计数和无效的行；确认后的进度、新建和已登记的条数、未导入的行及原因。"),
        parameters=[JOB_ID],
        responses={200: ImportJobSerializer, **_errors(401, 403, 404, 503)},
    )
    def get(self, request, id):
        return Response(ImportJobSerializer(_job(request, id)).data)


class ImportConfirmView(APIView):
    @extend_schema(
        summary=_("确认导入"),
        description=_("导入已预览的文件（每个导入任务只能确认一次）。"),
        request=None,
        parameters=[JOB_ID],
        responses={200: ImportJobSerializer, **_errors(401, 403, 404, 409, 503)},
    )
    def post(self, request, id):
        job = imports.import_confirm(job=_job(request, id), acting_user=request.user)
        return Response(ImportJobSerializer(job).data)
