"""A bulletin as an Excel workbook (openpyxl) and as a PDF (WeasyPrint, from the print view's HTML).

Both read the bulletin's frozen snapshot, never the live orders, so every download of a version is
the same document.

A PDF (seconds of CPU and hundreds of MB for a big week) and a large workbook are never made in a
web request: `export_request` records an `ExportJob` (one per bulletin and format, so people
asking at once share one render) and hands it to a worker, which `export_render`s it into a stored
file (Django's default storage, var/media) with its progress; the page polls and then links to
the file. A file is kept and served again until what it shows changes (`export_fingerprint`: the
snapshot and the commitments recorded for the period). Each person may start
`HOTLINE_EXPORT_RENDERS_PER_HOUR` renders an hour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tickets.exceptions import WorkflowError
from tickets.models import Status

from .bulletins import BULLETIN_COLUMNS, REASON_LABELS, period_commitments
from .models import Bulletin, ExportFormat, ExportJob, ExportStatus

logger = logging.getLogger(__name__)

# WeasyPrint logs every layout step at INFO; only its warnings matter here.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
BOLD = Font(bold=True)
# Excel refuses sheet titles longer than 31 characters.
MAX_SHEET_TITLE = 31

NOTICE_ORDER_COLUMNS = (
    ("kind", gettext_noop("类型")),
    ("notice_number", gettext_noop("通知编号")),
    ("unit", gettext_noop("承办单位")),
    ("order_number", gettext_noop("工单编号")),
    ("topic", gettext_noop("诉求主题")),
    ("reason", gettext_noop("原因")),
    ("issued_at", gettext_noop("下发时间")),
    ("respond_by", gettext_noop("应回复时间")),
    ("responded_at", gettext_noop("回复时间")),
    ("late", gettext_noop("逾期回复")),
    ("remedy", gettext_noop("整改措施")),
)


def _local(value: str | None) -> dt.datetime | None:
    """A snapshot's ISO time as a naive local datetime (Excel has no time zones)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return timezone.localtime(moment).replace(tzinfo=None) if timezone.is_aware(moment) else moment


def _cell_value(column, figures: dict):
    value = figures.get(column.key)
    if value is None:
        return None
    if column.kind == "hours":
        return round(value, 2)
    return value


def _header(ws, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _widths(ws, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _write_figures(ws, row: int, lead: list, figures: dict, bold: bool = False) -> None:
    values = lead + [_cell_value(c, figures) for c in BULLETIN_COLUMNS]
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        offset = col - len(lead) - 1
        if offset >= 0:
            kind = BULLETIN_COLUMNS[offset].kind
            if kind == "rate":
                cell.number_format = "0.0%"
            elif kind == "hours":
                cell.number_format = "0.0"
        if bold:
            cell.font = BOLD


def bulletin_xlsx(bulletin: Bulletin) -> bytes:
    data = bulletin.data
    wb = Workbook()

    ws = wb.active
    ws.title = _("单位情况")[:MAX_SHEET_TITLE]
    ws.cell(row=1, column=1, value=f"{bulletin.title}（{_('第%(v)s版') % {'v': bulletin.version}}）").font = Font(
        bold=True, size=14
    )
    cutoff = _local(data.get("cutoff"))
    ws.cell(
        row=2,
        column=1,
        value=_("统计区间 %(start)s 至 %(end)s（%(tz)s），数据截至 %(cutoff)s")
        % {
            "start": data["period"]["start"],
            "end": data["period"]["end"],
            "tz": data["period"]["time_zone"],
            "cutoff": f"{cutoff:%Y-%m-%d %H:%M}" if cutoff else "",
        },
    )
    lead_labels = [_("排名"), _("单位")]
    _header(ws, 4, lead_labels + [str(c.label) for c in BULLETIN_COLUMNS])
    _write_figures(ws, 5, ["", _("全局合计")], data["totals"], bold=True)
    row = 6
    for unit in data["units"]:
        _write_figures(ws, row, [unit["rank"] if unit["ranked"] else _("不参与排名"), unit["name"]], unit["figures"])
        row += 1
    ws.cell(
        row=row + 1,
        column=1,
        value=_("应办结工单少于 %(n)s 件的单位列出但不参与排名。") % {"n": data["min_orders"]},
    )
    if not data.get("notices_available"):
        ws.cell(row=row + 2, column=1, value=_("督办单、提醒函统计待督办模块上线后提供，当前记为 0。"))
    ws.freeze_panes = "C5"
    _widths(ws, [10, 18] + [11] * len(BULLETIN_COLUMNS))
    ws.row_dimensions[4].height = 32

    notices = wb.create_sheet(_("督办提醒工单")[:MAX_SHEET_TITLE])
    _header(notices, 1, [_(label) for _key, label in NOTICE_ORDER_COLUMNS])
    for r, item in enumerate(data.get("notice_orders", []), start=2):
        for c, (key, _label) in enumerate(NOTICE_ORDER_COLUMNS, start=1):
            value = item.get(key)
            if key in ("issued_at", "respond_by", "responded_at"):
                value = _local(value)
            elif key == "late":
                value = _("是") if value else _("否")
            elif key == "kind":
                value = {"supervision": _("督办单"), "reminder": _("提醒函")}.get(value, value)
            cell = notices.cell(row=r, column=c, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    notices.freeze_panes = "A2"
    _widths(notices, [8, 22, 16, 18, 12, 24, 17, 17, 17, 9, 40])

    meeting = wb.create_sheet(_("周例会发言单位")[:MAX_SHEET_TITLE])
    _header(meeting, 1, [_("单位"), _("负责人"), _("工单编号"), _("诉求主题"), _("原因"), _("状态"), _("情况")])
    r = 2
    for unit in data.get("meeting", []):
        for order in unit["orders"]:
            values = [
                unit["name"],
                unit["head_name"],
                order["number"],
                order["topic"],
                "、".join(str(REASON_LABELS.get(code, code)) for code in order["reasons"]),
                _status_label(order["status"]),
                "；".join(d for d in order["details"] if d),
            ]
            for c, value in enumerate(values, start=1):
                meeting.cell(row=r, column=c, value=value)
            r += 1
    meeting.freeze_panes = "A2"
    _widths(meeting, [18, 10, 18, 12, 16, 10, 50])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _status_label(code: str) -> str:
    try:
        return str(Status(code).label)
    except ValueError:
        return code


def bulletin_pdf(context: dict, *, base_url: str | None = None, compress: bool = True) -> bytes:
    """Render the print view and lay it out with WeasyPrint (fonts: Noto Sans CJK from the system).

    `compress=False` leaves the PDF's streams readable (tests look for the embedded fonts).
    """
    from weasyprint import HTML  # imported here: it loads Pango, which only the PDF needs

    html = render_to_string("analysis/bulletin_print.html", {**context, "for_pdf": True})
    return HTML(string=html, base_url=base_url).write_pdf(uncompressed_pdf=not compress)


# --- rendered by a worker --------------------------------------------------------------------

MSG_TOO_MANY_EXPORTS = gettext_lazy("一小时内申请生成的文件过多，请稍后再试。")
RENDER_TASK = "analysis.render_export"
CONTENT_TYPES = {
    ExportFormat.PDF: "application/pdf",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportThrottled(WorkflowError):
    status_code = 429
    code = "throttled"


def _commitments_digest(commitments) -> str:
    """What the commitments of a period say (they are shown under the meeting list)."""
    parts = [f"{c.pk}|{c.unit_id}|{c.due_on}|{c.recorded_by_id}|{c.measures}" for c in commitments]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def print_context(bulletin: Bulletin) -> dict:
    """What the print view and the PDF show: the snapshot and the commitments of the period.

    `body_key` names that content: the snapshot never changes, so the rendered body (hundreds of
    meeting rows in a big week) is cached under it (`{% cache %}` in the templates).
    """
    commitments = list(period_commitments(bulletin))
    return {
        "bulletin": bulletin,
        "data": bulletin.data,
        "columns": BULLETIN_COLUMNS,
        "commitments": commitments,
        "body_key": f"{bulletin.pk}:{bulletin.generated_at.isoformat()}:{_commitments_digest(commitments)}",
    }


def export_filename(bulletin: Bulletin, fmt: str) -> str:
    return f"bulletin-{bulletin.period_start:%Y%m%d}-{bulletin.period_end:%Y%m%d}-v{bulletin.version}.{fmt}"


def export_fingerprint(bulletin: Bulletin, fmt: str) -> str:
    """What the file shows: the snapshot (immutable, so its id) and, in the PDF, the commitments."""
    parts = [str(bulletin.pk), fmt]
    if fmt == ExportFormat.PDF:
        parts.append(_commitments_digest(period_commitments(bulletin)))
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def export_rows(bulletin: Bulletin) -> int:
    data = bulletin.data
    return (
        len(data.get("units", []))
        + len(data.get("notice_orders", []))
        + sum(len(unit["orders"]) for unit in data.get("meeting", []))
    )


def export_inline(bulletin: Bulletin, fmt: str) -> bool:
    """A small workbook is made in the request (a fraction of a second); a PDF never is."""
    return fmt == ExportFormat.XLSX and export_rows(bulletin) <= settings.HOTLINE_EXPORT_INLINE_ROWS


def export_ready(bulletin: Bulletin, fmt: str) -> ExportJob | None:
    """The stored file of this bulletin and format, if it was rendered and still shows the same."""
    job = ExportJob.objects.filter(bulletin=bulletin, format=fmt, status=ExportStatus.DONE).first()
    if job is None or not job.file or job.fingerprint != export_fingerprint(bulletin, fmt):
        return None
    return job


def export_job(bulletin: Bulletin, fmt: str) -> ExportJob | None:
    return ExportJob.objects.filter(bulletin=bulletin, format=fmt).first()


def _stale(job: ExportJob, now: dt.datetime) -> bool:
    """A queued or running render that should have finished long ago (its worker died)."""
    since = job.started_at or job.requested_at
    return since < now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT * 2)


def export_request(*, bulletin: Bulletin, fmt: str, acting_user, now: dt.datetime | None = None) -> ExportJob:
    """Ask for the file: the job, already done, already under way, or queued now.

    Only queuing a new render counts against the person's hourly allowance (ExportThrottled).
    The job row is locked while deciding, so people asking at once queue one render.
    """
    now = now or timezone.now()
    fingerprint = export_fingerprint(bulletin, fmt)
    with transaction.atomic():
        job, _created = ExportJob.objects.select_for_update().get_or_create(
            bulletin=bulletin, format=fmt, defaults={"requested_at": now, "requested_by": acting_user}
        )
        if job.fingerprint == fingerprint and not _created:
            if job.status == ExportStatus.DONE and job.file:
                return job
            if job.status in (ExportStatus.PENDING, ExportStatus.RUNNING) and not _stale(job, now):
                return job
        recent = ExportJob.objects.filter(
            requested_by=acting_user, requested_at__gte=now - dt.timedelta(hours=1)
        ).exclude(pk=job.pk)
        if acting_user is not None and recent.count() >= settings.HOTLINE_EXPORT_RENDERS_PER_HOUR:
            raise ExportThrottled(MSG_TOO_MANY_EXPORTS)
        job.status = ExportStatus.PENDING
        job.progress = 0
        job.fingerprint = fingerprint
        job.error = ""
        job.requested_by = acting_user
        job.requested_at = now
        job.started_at = job.finished_at = None
        job.save()
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    try:
        # The registered task (not send_task), so CELERY_TASK_ALWAYS_EAGER applies; by name, so
        # this module never imports the task module.
        current_app.tasks[RENDER_TASK].apply_async(args=[job_id], retry=False)
    except Exception:  # noqa: BLE001 - the page shows the job as queued; asking again re-queues
        logger.warning("Could not queue export %s; it stays pending", job_id, exc_info=True)


def _progress(job: ExportJob, percent: int) -> None:
    # Outside any transaction: the page polling the job sees each step at once.
    job.progress = percent
    ExportJob.objects.filter(pk=job.pk).update(progress=percent)


def export_render(
    *, job_id: int | None = None, bulletin: Bulletin | None = None, fmt: str | None = None, force: bool = False
) -> ExportJob | None:
    """The worker's part: claim the pending job, render the file, store it, mark it done.

    Claimed with a conditional update (pending → running), so a doubled task renders once and
    returns None. `force` (benchmarks, the shell) renders whatever the job's state.
    """
    now = timezone.now()
    if job_id is None:
        job, _created = ExportJob.objects.get_or_create(bulletin=bulletin, format=fmt, defaults={"requested_at": now})
        job_id = job.pk
    claim = ExportJob.objects.filter(pk=job_id)
    if not force:
        claim = claim.filter(status=ExportStatus.PENDING)
    if not claim.update(status=ExportStatus.RUNNING, started_at=now, progress=5):
        return None
    job = ExportJob.objects.select_related("bulletin").get(pk=job_id)
    bulletin = job.bulletin
    fingerprint = export_fingerprint(bulletin, job.format)
    try:
        content = _render_pdf(job, bulletin) if job.format == ExportFormat.PDF else bulletin_xlsx(bulletin)
        _progress(job, 95)
        old = job.file.name if job.file else None
        job.file.save(export_filename(bulletin, job.format), ContentFile(content), save=False)
        if old and old != job.file.name:
            job.file.storage.delete(old)
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, progress=100, file=job.file.name, fingerprint=fingerprint, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _render_pdf(job: ExportJob, bulletin: Bulletin) -> bytes:
    """As `bulletin_pdf`, in steps that report progress: HTML, layout (the long part), writing."""
    from weasyprint import HTML

    html = render_to_string("analysis/bulletin_print.html", {**print_context(bulletin), "for_pdf": True})
    _progress(job, 15)
    document = HTML(string=html).render()
    _progress(job, 80)
    return document.write_pdf()
