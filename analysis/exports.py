"""A bulletin as an Excel workbook (openpyxl) and as a PDF (WeasyPrint, from the print view's HTML).

Both read the bulletin's frozen snapshot, never the live orders, so every download of a version is
the same document.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tickets.models import Status

from .bulletins import BULLETIN_COLUMNS, REASON_LABELS
from .models import Bulletin

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
