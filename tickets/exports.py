"""The order search's result as an Excel workbook, written in the request when it is small."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from . import selectors

# A result up to this size is written in the request (about a second of CPU at the limit); a
# larger one is refused with the advice to narrow the filter. The bulletins' background export
# (analysis.exports.ExportJob) is bound to a bulletin and its snapshot, so it does not take a search.
EXPORT_MAX_ROWS = 5000


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def orders_xlsx(orders, user) -> bytes:
    """One row per order as `user` sees it (a masked caller stays masked)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("工单查询结果"))
    header = [
        _("工单编号"), _("受理时间"), _("状态"), _("紧急程度"), _("诉求主题"), _("诉求内容"), _("地址"),
        _("承办单位"), _("来电人"), _("来电号码"), _("办理时限"), _("办结时间"), _("满意度"),
    ]
    bold = Font(bold=True)
    sheet.append([_cell(sheet, text, bold) for text in header])
    for order in orders:
        name, phone = selectors.caller_for(user, order)
        sheet.append([
            order.number,
            _local(order.received_at),
            order.get_status_display(),
            order.get_urgency_display(),
            str(order.topic) if order.topic_id else "",
            order.content,
            order.address,
            str(order.unit) if order.unit_id else "",
            name,
            phone,
            _local(order.handling_deadline),
            _local(order.closed_at),
            order.get_satisfaction_display() if order.satisfaction else "",
        ])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell
