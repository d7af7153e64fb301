"""One error body for the whole API, in the request's language.

Every error answers `{"detail": message, "code": code}`, plus `errors` (field → messages) for a
400 and `status` / `status_label` (the order's current state) for a 409. A service's
`WorkflowError` carries its own status code: 400 invalid input, 403 not permitted, 409 the state
forbids the action, 412 stale version.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from tickets.exceptions import WorkflowError
from tickets.models import Status

MSG_INVALID_INPUT = _("提交的数据有误，请检查后重试。")


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, WorkflowError):
        return _workflow_error_response(exc)
    # Django's own exceptions get DRF's generic, translated messages (never "No User matches …").
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # An unexpected error: Django's 500 handling and logging take over.
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"detail": str(MSG_INVALID_INPUT), "code": "invalid", "errors": errors}
    elif isinstance(exc, exceptions.APIException) and not isinstance(exc.detail, list | dict):
        response.data = {"detail": str(exc.detail), "code": getattr(exc.detail, "code", exc.default_code)}
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
