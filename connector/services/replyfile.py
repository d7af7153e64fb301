"""The daily reply file (每日回复文件) for a platform without an API.

With a connection whose transport is Excel, the outbox is written as for HTTP but never POSTed:
after midnight a worker puts every undelivered message of the connection written before that
midnight into one workbook — one row per step, in order per order, the columns named by the
connection's field mapping and the codes mapped — and marks them delivered "in the file of <day>".
The dispatch desk downloads the workbook and uploads it to the platform. Building a day twice
returns the first file (one per connection and day, a database constraint).
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from openpyxl import Workbook

from ..models import OutboxMessage, OutboxStatus, PlatformConnection, ReplyFile, Transport
from .transport import map_fields

COLUMNS = (
    "message_id", "sequence", "step", "platform_number", "order_number", "unit", "occurred_at", "operator",
    "signed_at", "signed_by", "contacted_at", "method", "reply_text", "reason", "requested_until", "approved",
    "handling_deadline", "note", "outcome", "unresolved_reason", "officer", "reported_at", "satisfaction",
    "citizen_words", "attachments",
)  # fmt: skip


def _midnight_after(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def reply_file_build(*, connection: PlatformConnection, day: dt.date) -> ReplyFile:
    """The reply file of `day`: built now from the undelivered messages, or the one already built."""
    with transaction.atomic():
        # The connection row serialises two builders of the same day.
        PlatformConnection.objects.select_for_update().get(pk=connection.pk)
        existing = ReplyFile.objects.filter(connection=connection, day=day).first()
        if existing is not None:
            return existing
        messages = list(
            OutboxMessage.objects.filter(
                connection=connection, status=OutboxStatus.PENDING, created_at__lt=_midnight_after(day)
            ).order_by("order_id", "sequence")
        )
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "replies"
        header = list(map_fields(dict.fromkeys(COLUMNS, ""), connection))
        sheet.append(header)
        for message in messages:
            data = {"message_id": str(message.pk), "sequence": message.sequence, **message.payload}
            if "attachments" in data:
                # The file's names only: a workbook uploaded by hand carries no content.
                data["attachments"] = "; ".join(item["file_name"] for item in data["attachments"])
            row = map_fields(data, connection)
            sheet.append([_cell(row.get(name)) for name in header])
        buffer = io.BytesIO()
        workbook.save(buffer)
        reply = ReplyFile(connection=connection, day=day, rows=len(messages))
        reply.file.save(f"replies-{day:%Y%m%d}.xlsx", ContentFile(buffer.getvalue()), save=False)
        reply.save()
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            status=OutboxStatus.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            response=f"reply file {day:%Y-%m-%d}",
            last_error="",
        )
    return reply


def _cell(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def reply_files_build(*, now: dt.datetime | None = None) -> list[ReplyFile]:
    """The beat task's work: yesterday's file of the active Excel connection (none without one)."""
    yesterday = timezone.localdate(now or timezone.now()) - dt.timedelta(days=1)
    connection = PlatformConnection.objects.filter(is_active=True, transport=Transport.EXCEL).first()
    return [] if connection is None else [reply_file_build(connection=connection, day=yesterday)]
