"""Who may read the OpenAPI schema and its viewers, and what the schema says about throttling."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def docs_are_public() -> bool:
    return settings.HOTLINE_API_DOCS_PUBLIC


class DocsPermission(BasePermission):
    """The schema answers a signed-in user or a valid token, everybody when configured public."""

    def has_permission(self, request, view) -> bool:
        return docs_are_public() or bool(request.user and request.user.is_authenticated)


def docs_page(view):
    """Swagger UI and ReDoc: a browser that is not signed in is sent to the sign-in page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not docs_are_public() and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def _throttled_response() -> dict:
    return {
        "description": str(_("请求过于频繁（按用户、按地址限流）；Retry-After 给出需等待的秒数")),
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": str(_("需等待的秒数"))}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_throttling(result, generator, request, public):
    """Postprocessing hook: every operation may answer 429 (hotline.throttling)."""
    if "Error" not in result.get("components", {}).get("schemas", {}):
        return result
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("429", _throttled_response())
    return result
