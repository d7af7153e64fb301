"""The dispatch desk's pages of the connector: daily reply files, and the import of the platform's export."""

from __future__ import annotations

import contextlib

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from stations.models import Role
from tickets import workflow
from tickets.exceptions import WorkflowError

from .forms import ImportUploadForm
from .models import ImportJob
from .selectors import import_jobs_recent, reply_files_visible_to
from .services import imports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_PAGE_ROWS = 100


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


# --- import of the platform's export ---


def _import_desk(user) -> None:
    # Orders are registered at the dispatch desk only (order_intake refuses anybody else).
    if getattr(user, "role", None) not in workflow.DISPATCH_DESK:
        raise PermissionDenied


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload the platform's export; the preview follows (nothing is written before confirming)."""
    _import_desk(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = imports.import_job_create(
                    mapping=form.cleaned_data["mapping"],
                    upload=form.cleaned_data["file"],
                    acting_user=request.user,
                    received_at_confirmed=form.cleaned_data["received_at_confirmed"],
                )
            except WorkflowError as error:
                form.add_error("file", str(error))
            else:
                return redirect("connector:import_job", pk=job.pk)
        status = 400
    context = {"form": form, "jobs": import_jobs_recent()[:20]}
    return render(request, "connector/import_upload.html", context, status=status)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A job: its preview with 确认导入 while it waits, its progress and report after."""
    _import_desk(request.user)
    job = get_object_or_404(ImportJob.objects.select_related("mapping", "uploaded_by"), pk=pk)
    show = request.GET.get("show", "")
    rows = job.preview if show not in imports.STATUS_LABELS else [r for r in job.preview if r["status"] == show]
    page = Paginator(rows, PREVIEW_PAGE_ROWS).get_page(request.GET.get("page"))
    context = {
        "job": job,
        "stale": imports.import_stale(job),
        "page": page,
        "show": show,
        "labels": imports.STATUS_LABELS,
        "filters": [("", None, job.total_rows)]
        + [(key, label, getattr(job, f"preview_{key}")) for key, label in imports.STATUS_LABELS.items()],
    }
    return render(request, "connector/import_job.html", context)


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _import_desk(request.user)
    job = get_object_or_404(ImportJob, pk=pk)
    # Confirmed already (a double click): the job page shows where it is.
    with contextlib.suppress(WorkflowError):
        imports.import_confirm(job=job, acting_user=request.user)
    return redirect("connector:import_job", pk=job.pk)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the job page polls (htmx) while the job is queued or running."""
    _import_desk(request.user)
    job = get_object_or_404(ImportJob.objects.defer("preview"), pk=pk)  # polled: not the (large) preview
    return render(request, "connector/_import_progress.html", {"job": job, "stale": imports.import_stale(job)})


@login_required
@require_POST
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    _import_desk(request.user)
    job = get_object_or_404(ImportJob, pk=pk)
    imports.import_resume(job=job)
    return redirect("connector:import_job", pk=job.pk)
