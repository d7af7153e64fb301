"""One error body for the whole API, in the request's language.

Every error answers `{"detail": message, "code": code}`, plus `errors` (field → messages) for a
400 and `status` / `status_label` (the order's current state) for a 409. A service's
`WorkflowError` carries its own status code: 400 invalid input, 403 not permitted, 409 the state
forbids the action, 412 stale version.

What is not the client's fault has an answer too: 413 for a body over
`DATA_UPLOAD_MAX_MEMORY_SIZE`, 503 with `Retry-After` when the database or the broker cannot be
reached (a retry later will do), 500 for a bug. The same body is given outside DRF's views (an
unknown /api/ path, an error in a middleware): `hotline.views` and `hotline.middleware` call
`json_error` below.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from tickets.exceptions import WorkflowError
from tickets.models import Status

logger = logging.getLogger(__name__)

MSG_INVALID_INPUT = _("提交的数据有误，请检查后重试。")
MSG_TOO_LARGE = _("请求内容过大（上限 %(limit)s）。")
MSG_UNAVAILABLE = _("服务暂时不可用（数据库或消息队列无法连接），请在 %(seconds)s 秒后重试。")
MSG_SERVER_ERROR = _("服务器内部错误，已记录。请稍后重试。")
MSG_BAD_REQUEST = _("请求无效。")

# Where hotline/urls.py mounts the API.
API_PREFIX = "/api/"

# How long a client should wait before retrying after a 503: long enough for a database restart
# or a fail-over to finish, short enough that a blip costs little.
RETRY_AFTER_SECONDS = 30

# Not the client's fault and not a bug: the database (connection refused, dropped, a lock or
# statement timeout, a deadlock) or the broker / Redis could not be reached. A retry may succeed.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    DatabaseOperationalError,
    DatabaseInterfaceError,
    BrokerOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit_bytes: int | None):
        super().__init__(MSG_TOO_LARGE % {"limit": _size(limit_bytes)})


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"

    def __init__(self):
        # DRF's handler turns `wait` into the Retry-After header.
        self.wait = RETRY_AFTER_SECONDS
        super().__init__(MSG_UNAVAILABLE % {"seconds": RETRY_AFTER_SECONDS})


class ServerError(exceptions.APIException):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = MSG_SERVER_ERROR
    default_code = "server_error"


def _size(limit_bytes: int | None) -> str:
    if not limit_bytes:
        return "—"
    if limit_bytes >= 1024 * 1024:
        return f"{limit_bytes / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{limit_bytes // 1024} KB"


def as_api_exception(exc: BaseException) -> exceptions.APIException | None:
    """The API's answer to an error raised outside the services' own refusals, if it has one."""
    if isinstance(exc, exceptions.APIException):
        return exc
    # Django's own exceptions get DRF's generic, translated messages (never "No User matches …").
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return ServiceUnavailable()
    return None


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, WorkflowError):
        return _workflow_error_response(exc)
    api_exc = as_api_exception(exc)
    if isinstance(api_exc, ServiceUnavailable):
        # One line, with the cause: an outage answers hundreds of requests this way.
        logger.warning("Answering 503, a backing service is unavailable: %s: %s", type(exc).__name__, exc)
    response = drf_exception_handler(api_exc, context) if api_exc is not None else None
    if response is None:
        return None  # An unexpected error: Django's 500 handling and logging take over.
    if isinstance(api_exc, exceptions.ValidationError):
        errors = api_exc.detail if isinstance(api_exc.detail, dict) else {"non_field_errors": api_exc.detail}
        response.data = {"detail": str(MSG_INVALID_INPUT), "code": "invalid", "errors": errors}
    elif not isinstance(api_exc.detail, list | dict):
        response.data = error_body(api_exc)
    return response


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX) or request.path_info == API_PREFIX.rstrip("/")


def error_for_status(status_code: int, method: str = "") -> exceptions.APIException:
    """The API's error for an answer that only has a status code (an HTML error page from below)."""
    generic = {
        401: exceptions.NotAuthenticated,
        403: exceptions.PermissionDenied,
        404: exceptions.NotFound,
        503: ServiceUnavailable,
    }
    if status_code in generic:
        return generic[status_code]()
    if status_code == 405:
        return exceptions.MethodNotAllowed(method)
    if status_code == 413:
        return RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    exc = ServerError() if status_code >= 500 else exceptions.APIException(MSG_BAD_REQUEST, code="bad_request")
    exc.status_code = status_code
    return exc


def error_body(exc: exceptions.APIException) -> dict:
    return {"detail": str(exc.detail), "code": getattr(exc.detail, "code", exc.default_code)}


def json_error(exc: exceptions.APIException) -> JsonResponse:
    """The error body for an answer given outside DRF's views (Django's error handlers, middleware)."""
    response = JsonResponse(
        error_body(exc), status=exc.status_code, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
    )
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response


def _workflow_error_response(exc: WorkflowError) -> Response:
    set_rollback()
    body: dict = {"detail": str(exc.message), "code": exc.code}
    if exc.field_errors:
        body["errors"] = {field: [str(message)] for field, message in exc.field_errors.items()}
    current_status = getattr(exc, "current_status", None)
    if current_status:
        body["status"] = current_status
        body["status_label"] = str(Status(current_status).label)
    return Response(body, status=exc.status_code)


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (for the schema)."""

    detail = serializers.CharField(help_text=_("错误说明，按请求的语言（Accept-Language）给出"))
    code = serializers.CharField(help_text=_("机器可读的错误代码，例如 invalid、not_found、invalid_transition"))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("400：每个字段的错误信息"),
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False, help_text=_("409：工单当前状态"))
    status_label = serializers.CharField(required=False, help_text=_("409：工单当前状态的名称"))
