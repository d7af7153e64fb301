"""The dispatch desk's page of daily reply files (每日回复文件), and their download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from stations.models import Role

from .selectors import reply_files_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _allowed(user) -> bool:
    return user.is_superuser or user.role in (Role.DISPATCHER, Role.ADMINISTRATOR)


@login_required
def reply_files(request: HttpRequest) -> HttpResponse:
    if not _allowed(request.user):
        raise PermissionDenied
    files = reply_files_visible_to(request.user)[:60]
    return render(request, "connector/reply_files.html", {"files": files})


@login_required
def reply_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    reply = reply_files_visible_to(request.user).filter(pk=pk).first()
    if reply is None:
        raise Http404
    return FileResponse(
        reply.file.open("rb"), content_type=XLSX, as_attachment=True, filename=f"replies-{reply.day:%Y%m%d}.xlsx"
    )
