"""Import of the 12345 platform's Excel/CSV export of orders (导入平台工单).

The dispatch desk uploads the file; `import_preview` reads it and says of every row whether it
would be new (新建), is already registered (已登记: its platform number exists) or invalid (无效,
with the reason per field, from `tickets.services.intake_errors`, the API's own check) — and
writes nothing. `import_job_create` keeps the file and the preview as an `ImportJob` awaiting
confirmation; `import_confirm` queues it; `import_run` (a Celery task, or in the request for a
small file) takes the rows through `order_intake`, so numbering, events, the outbox and the
platform-number idempotency are the API's: importing a file again creates nothing twice.

A file that is bad as a whole (not a spreadsheet, too large, a required column missing) raises
`InvalidInput` and changes nothing; a bad row is reported and the others go on. Every imported
row must carry its platform number: it is what makes a re-import harmless.

Rows are taken in slices of HOTLINE_IMPORT_SLICE_ROWS a task run (well inside the task time
limit), each chunk of CHUNK_ROWS in one transaction together with the job's counts, so a worker
killed mid-way loses a chunk's work and nothing else, and the next run resumes after the last
committed row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from tickets import limits
from tickets.exceptions import MSG_REQUIRED, InvalidInput, InvalidTransition, WorkflowError
from tickets.models import Channel, HandlingType, Nature, Topic, Urgency, WorkOrder
from tickets.services import intake_errors, order_intake

from ..models import IMPORT_FIELDS as FIELDS
from ..models import ImportJob, ImportMapping, ImportStatus

logger = logging.getLogger(__name__)

RUN_TASK = "connector.import_run"
# Rows written in one transaction (with the job's counts): the work a killed worker can lose.
CHUNK_ROWS = 100
# A running job without progress for this long lost its worker; asking again resumes it.
STALE_AFTER = dt.timedelta(minutes=5)
# The uncompressed size an .xlsx may unpack to (a zip bomb is refused before it is read).
MAX_UNPACKED_BYTES = 400 * 1024 * 1024

MSG_NOT_SPREADSHEET = gettext_lazy("文件不是 Excel（.xlsx）或 CSV 表格，请从12345平台导出后上传。")
MSG_OLD_EXCEL = gettext_lazy("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传。")
MSG_TOO_LARGE = gettext_lazy("文件过大：最大 %(mb)s MB。")
MSG_TOO_MANY_ROWS = gettext_lazy("行数过多：一次最多导入 %(max)s 行，请分成几个文件。")
MSG_EMPTY = gettext_lazy("文件中没有工单行。")
MSG_MISSING_COLUMNS = gettext_lazy("缺少列：%(columns)s。请检查文件或导入对照的列对照。")
MSG_BAD_DATE = gettext_lazy("无法识别的时间「%(value)s」。")
MSG_BAD_BOOL = gettext_lazy("「%(value)s」应为 是 或 否。")
MSG_DUPLICATE_IN_FILE = gettext_lazy("与第 %(line)s 行的平台工单号重复。")
MSG_UNKNOWN_TOPIC = gettext_lazy("没有此诉求主题：「%(value)s」。")
MSG_NOT_PREVIEWED = gettext_lazy("该导入已确认，不能再次确认。")
MSG_WRITE_FAILED = gettext_lazy("写入失败，请检查此行。")

# Without these (as a column or a mapping default) the file is refused as a whole.
REQUIRED = ("platform_number", "channel", "caller_name", "caller_phone", "content", "nature", "handling_type", "topic")
CHOICES = {"channel": Channel, "nature": Nature, "handling_type": HandlingType, "urgency": Urgency}
LENGTHS = {
    "platform_number": limits.PLATFORM_NUMBER,
    "caller_name": limits.CALLER_NAME,
    "caller_phone": limits.CALLER_PHONE,
    "address": limits.ADDRESS,
    "content": limits.LONG_TEXT,
    "leader_instruction": limits.LONG_TEXT,
}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y%m%d%H%M%S")
TRUE = {"是", "1", "true", "y", "yes", "保密", "√"}
FALSE = {"否", "0", "false", "n", "no", ""}


def field_label(name: str) -> str:
    return str(WorkOrder._meta.get_field(name).verbose_name)


# --- reading the file ---


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list]]  # (line number in the file, cells)


def read_table(content: bytes) -> Table:
    """The file's header and rows, an .xlsx (first sheet) or a CSV in UTF-8 or GB18030 (GBK).

    Decided by content, not by name. Anything else raises InvalidInput with a plain reason.
    """
    if len(content) > settings.HOTLINE_IMPORT_MAX_BYTES:
        raise InvalidInput(MSG_TOO_LARGE % {"mb": settings.HOTLINE_IMPORT_MAX_BYTES // (1024 * 1024)})
    if content.startswith(b"PK\x03\x04"):
        lines = _xlsx_lines(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput(MSG_OLD_EXCEL)
    else:
        lines = _csv_lines(content)
    header: list[str] | None = None
    rows: list[tuple[int, list]] = []
    for line, cells in lines:
        if not any(_text(c) for c in cells):
            continue  # blank lines (Excel leaves them under a table) are no rows
        if header is None:
            header = [_text(c) for c in cells]
            continue
        rows.append((line, list(cells)))
        if len(rows) > settings.HOTLINE_IMPORT_MAX_ROWS:
            raise InvalidInput(MSG_TOO_MANY_ROWS % {"max": settings.HOTLINE_IMPORT_MAX_ROWS})
    if header is None or not rows:
        raise InvalidInput(MSG_EMPTY)
    return Table(header, rows)


def _xlsx_lines(content: bytes) -> Iterator[tuple[int, tuple]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise InvalidInput(MSG_TOO_LARGE % {"mb": settings.HOTLINE_IMPORT_MAX_BYTES // (1024 * 1024)})
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        lines = list(enumerate(sheet.iter_rows(values_only=True), start=1))
        workbook.close()
    except InvalidInput:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged or foreign zip is the user's file, not our bug
        raise InvalidInput(MSG_NOT_SPREADSHEET) from error
    return iter(lines)


def _csv_lines(content: bytes) -> Iterator[tuple[int, list]]:
    # Chinese Excel saves CSV in GBK; GB18030 decodes all of GBK. UTF-8 (with or without BOM) first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput(MSG_NOT_SPREADSHEET)
    # Binary content decodes as GB18030 more often than one would think; control characters give it away.
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:65536]):
        raise InvalidInput(MSG_NOT_SPREADSHEET)
    try:
        lines = list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
    except csv.Error as error:
        raise InvalidInput(MSG_NOT_SPREADSHEET) from error
    return iter(lines)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number Excel kept as a number: 13800000000.0
    return str(value).strip()


# --- one row ---


@dataclass
class Columns:
    """Which cell holds which of our fields."""

    index: dict[str, int]
    mapping: ImportMapping


def columns_of(header: list[str], mapping: ImportMapping) -> Columns:
    """Map the header to our fields; a required field with neither a column nor a default refuses the file."""
    ours = {}
    with translation.override(settings.LANGUAGE_CODE):
        for name in FIELDS:
            ours[name] = name
            ours[field_label(name)] = name
    index: dict[str, int] = {}
    for position, title in enumerate(header):
        name = mapping.column_map.get(title) or ours.get(title)
        if name in FIELDS and name not in index:
            index[name] = position
    missing = [name for name in REQUIRED if name not in index and not mapping.defaults.get(name)]
    if missing:
        theirs = {ours_: title for title, ours_ in mapping.column_map.items()}
        names = [f"{theirs[n]}（{field_label(n)}）" if n in theirs else field_label(n) for n in missing]
        raise InvalidInput(MSG_MISSING_COLUMNS % {"columns": "、".join(names)})
    return Columns(index, mapping)


@dataclass
class RowResult:
    line: int
    fields: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # our field → message

    @property
    def platform_number(self) -> str:
        return self.fields.get("platform_number") or ""


def _choice_lookup() -> dict[str, dict[str, str]]:
    with translation.override(settings.LANGUAGE_CODE):
        return {name: {str(label): value for value, label in enum.choices} for name, enum in CHOICES.items()}


def _topic_lookup() -> dict[str, Topic]:
    found = {}
    for topic in Topic.objects.filter(is_active=True):
        found[topic.name] = topic
        found[topic.code] = topic
    return found


class RowReader:
    """Turns a row's cells into `order_intake`'s arguments, and every reason it would be refused."""

    def __init__(self, columns: Columns, *, received_at_confirmed: bool, now: dt.datetime | None = None):
        self.columns = columns
        self.mapping = columns.mapping
        self.received_at_confirmed = received_at_confirmed
        self.now = now or timezone.now()
        self.choices = _choice_lookup()
        self.topics = _topic_lookup()

    def _raw(self, cells: list, name: str):
        position = self.columns.index.get(name)
        value = cells[position] if position is not None and position < len(cells) else None
        if value is None or _text(value) == "":
            value = self.mapping.defaults.get(name)
        return value

    def _code(self, name: str, value: str) -> str:
        return str(self.mapping.code_map.get(name, {}).get(value, value))

    def read(self, line: int, cells: list) -> RowResult:
        result = RowResult(line)
        fields, errors = result.fields, result.errors
        for name in ("platform_number", "caller_name", "caller_phone", "address", "content", "leader_instruction"):
            fields[name] = _text(self._raw(cells, name))
        for name in CHOICES:
            value = self._code(name, _text(self._raw(cells, name)))
            fields[name] = self.choices[name].get(value, value)
        if not fields["urgency"]:
            fields["urgency"] = Urgency.NORMAL
        topic_text = self._code("topic", _text(self._raw(cells, "topic")))
        fields["topic"] = self.topics.get(topic_text)
        confidential = _text(self._raw(cells, "confidential")).lower()
        fields["confidential"] = confidential in TRUE
        if confidential not in TRUE | FALSE:
            errors["confidential"] = str(MSG_BAD_BOOL % {"value": confidential})
        fields["received_at"] = self._received_at(self._raw(cells, "received_at"), errors)
        fields["leader_instructed"] = bool(fields["leader_instruction"])
        fields["received_at_confirmed"] = self.received_at_confirmed

        if not fields["platform_number"]:
            errors["platform_number"] = str(MSG_REQUIRED)
        checked = intake_errors(
            channel=fields["channel"],
            caller_name=fields["caller_name"],
            caller_phone=fields["caller_phone"],
            content=fields["content"],
            nature=fields["nature"],
            handling_type=fields["handling_type"],
            topic=fields["topic"],
            urgency=fields["urgency"],
            received_at=fields["received_at"] or self.now,
            received_at_confirmed=self.received_at_confirmed,
            leader_instructed=fields["leader_instructed"],
            leader_instruction=fields["leader_instruction"],
            now=self.now,
        )
        for name, message in checked.items():
            errors.setdefault(name, str(message))
        if topic_text and fields["topic"] is None:
            errors["topic"] = str(MSG_UNKNOWN_TOPIC % {"value": topic_text})
        for name, limit in LENGTHS.items():
            if name not in errors and len(fields[name]) > limit:
                errors[name] = str(limits.MSG_TOO_LONG % {"limit_value": limit, "show_value": len(fields[name])})
        return result

    def _received_at(self, value, errors: dict) -> dt.datetime | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            parsed = value
        elif isinstance(value, dt.date):
            parsed = dt.datetime.combine(value, dt.time())
        else:
            text = _text(value)
            formats = (self.mapping.date_format,) if self.mapping.date_format else DATE_FORMATS
            parsed = None
            for fmt in formats:
                try:
                    parsed = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                    break
                except ValueError:
                    continue
            if parsed is None and not self.mapping.date_format:
                try:
                    parsed = dt.datetime.fromisoformat(text)
                except ValueError:
                    parsed = None
            if parsed is None:
                errors["received_at"] = str(MSG_BAD_DATE % {"value": text[:40]})
                return None
        # The platform writes local (bureau) time.
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


# --- the preview ---

NEW, KNOWN, INVALID = "new", "known", "invalid"
STATUS_LABELS = {NEW: gettext_lazy("新建"), KNOWN: gettext_lazy("已登记"), INVALID: gettext_lazy("无效")}


@dataclass
class Preview:
    rows: list[dict]
    total: int
    new: int
    known: int
    invalid: int


def _known_numbers(numbers: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(numbers), 1000):
        batch = numbers[start : start + 1000]
        found.update(WorkOrder.objects.filter(platform_number__in=batch).values_list("platform_number", flat=True))
    return found


def _messages(errors: dict[str, str]) -> dict[str, str]:
    """Errors keyed by the field's Chinese label, as the preview and the job report show them."""
    return {field_label(name): message for name, message in errors.items()}


def import_preview(*, mapping: ImportMapping, content: bytes, received_at_confirmed: bool = False) -> Preview:
    """What importing `content` would do, row by row. Reads the database, writes nothing.

    Raises InvalidInput when the file is bad as a whole (then nothing would be imported).
    """
    table = read_table(content)
    reader = RowReader(columns_of(table.header, mapping), received_at_confirmed=received_at_confirmed)
    results = [reader.read(line, cells) for line, cells in table.rows]
    known = _known_numbers([r.platform_number for r in results if r.platform_number])
    first_line: dict[str, int] = {}
    rows, counts = [], {NEW: 0, KNOWN: 0, INVALID: 0}
    for result in results:
        number = result.platform_number
        if number and number in first_line:
            result.errors.setdefault("platform_number", str(MSG_DUPLICATE_IN_FILE % {"line": first_line[number]}))
        elif number:
            first_line[number] = result.line
        # A known number is answered with the existing order whatever the row says (as the API does).
        status = (
            KNOWN if number in known and "platform_number" not in result.errors else (INVALID if result.errors else NEW)
        )
        counts[status] += 1
        received = result.fields.get("received_at")
        rows.append({
            "line": result.line,
            "status": status,
            "platform_number": number,
            "received_at": timezone.localtime(received).strftime("%Y-%m-%d %H:%M") if received else "",
            "content": result.fields.get("content", "")[:60],
            "errors": _messages(result.errors) if status == INVALID else {},
        })  # fmt: skip
    return Preview(rows, len(rows), counts[NEW], counts[KNOWN], counts[INVALID])


def import_job_create(*, mapping: ImportMapping, upload, acting_user, received_at_confirmed: bool = False) -> ImportJob:
    """Preview the uploaded file and keep it, with its preview, as a job awaiting confirmation.

    A file bad as a whole raises InvalidInput and keeps nothing. No order is written.
    """
    if upload.size is not None and upload.size > settings.HOTLINE_IMPORT_MAX_BYTES:
        raise InvalidInput(MSG_TOO_LARGE % {"mb": settings.HOTLINE_IMPORT_MAX_BYTES // (1024 * 1024)})
    content = upload.read()
    preview = import_preview(mapping=mapping, content=content, received_at_confirmed=received_at_confirmed)
    name = (getattr(upload, "name", "") or "import").rsplit("/", 1)[-1][:200]
    job = ImportJob(
        mapping=mapping,
        filename=name,
        uploaded_by=acting_user,
        received_at_confirmed=received_at_confirmed,
        total_rows=preview.total,
        preview_new=preview.new,
        preview_known=preview.known,
        preview_invalid=preview.invalid,
        preview=preview.rows,
    )
    job.file.save("import.bin", ContentFile(content), save=False)
    job.save()
    return job


# --- the import ---


def import_confirm(*, job: ImportJob, acting_user) -> ImportJob:
    """确认导入: queue the previewed job (a small one runs at once, in the request)."""
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(status=ImportStatus.QUEUED)
        if not claimed:
            raise InvalidTransition(MSG_NOT_PREVIEWED)
        if job.total_rows > settings.HOTLINE_IMPORT_INLINE_ROWS:
            transaction.on_commit(lambda: _enqueue(job.pk))
    if job.total_rows <= settings.HOTLINE_IMPORT_INLINE_ROWS:
        import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_stale(job: ImportJob) -> bool:
    """Running without progress for STALE_AFTER: its worker was lost."""
    return bool(
        job.status == ImportStatus.RUNNING and job.heartbeat_at and job.heartbeat_at < timezone.now() - STALE_AFTER
    )


def import_resume(*, job: ImportJob) -> bool:
    """Queue again a job whose worker was lost (running without progress for STALE_AFTER)."""
    if import_stale(job):
        _enqueue(job.pk)
        return True
    return False


def _enqueue(job_id: int) -> None:
    try:
        # The registered task by name (this module never imports the task module); eager in tests.
        current_app.tasks[RUN_TASK].apply_async(args=[job_id], retry=False)
    except Exception:  # noqa: BLE001 - the job stays queued; the page offers to resume it
        logger.warning("Could not queue import %s; it stays queued", job_id, exc_info=True)


def import_run(*, job_id: int, slice_rows: int | None = None) -> ImportJob | None:
    """The worker's part: claim the job, import the next slice of rows, queue the rest.

    Claimed with a conditional update (queued, or running but stale → running), so a doubled
    task imports once and returns None. Each chunk of rows commits with the job's counts.
    """
    now = timezone.now()
    claimable = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED) | ImportJob.objects.filter(
        pk=job_id, status=ImportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    if not claimable.update(status=ImportStatus.RUNNING, heartbeat_at=now):
        return None
    ImportJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    job = ImportJob.objects.select_related("mapping", "uploaded_by").defer("preview").get(pk=job_id)
    try:
        with job.file.open("rb") as stored:
            table = read_table(stored.read())
        reader = RowReader(columns_of(table.header, job.mapping), received_at_confirmed=job.received_at_confirmed)
    except InvalidInput as error:
        # Bad as a whole (the mapping changed since the preview, the file is gone): nothing written.
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error=str(error), finished_at=now)
        job.refresh_from_db()
        return job
    if len(table.rows) != job.total_rows:
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(table.rows))
    # Platform numbers seen earlier in the file (also in slices already done): the first one counts.
    first_line: dict[str, int] = {}
    for line, cells in table.rows[: job.rows_done]:
        number = _text(reader._raw(cells, "platform_number"))
        if number:
            first_line.setdefault(number, line)
    end = min(len(table.rows), job.rows_done + (slice_rows or settings.HOTLINE_IMPORT_SLICE_ROWS))
    try:
        for start in range(job.rows_done, end, CHUNK_ROWS):
            _import_chunk(job, reader, table.rows[start : min(start + CHUNK_ROWS, end)], first_line, upto=start)
    except Exception:
        # The committed chunks stay; the task's retry (or a resume) goes on after them.
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(status=ImportStatus.QUEUED)
        raise
    with transaction.atomic():
        if end < len(table.rows):
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
            transaction.on_commit(lambda: _enqueue(job.pk))
        else:
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _import_chunk(job: ImportJob, reader: RowReader, rows: list, first_line: dict[str, int], *, upto: int) -> None:
    created = existing = 0
    errors: list[dict] = []
    with transaction.atomic():
        # The job row is locked for the chunk: two runs of one job never write the same rows.
        locked = ImportJob.objects.select_for_update().only("rows_done", "errors").get(pk=job.pk)
        if locked.rows_done != upto:
            raise RuntimeError(f"import {job.pk}: expected row {upto}, found {locked.rows_done}")
        for line, cells in rows:
            result = reader.read(line, cells)
            number = result.platform_number
            if number and number in first_line:
                result.errors.setdefault("platform_number", str(MSG_DUPLICATE_IN_FILE % {"line": first_line[number]}))
            elif number:
                first_line[number] = line
            fields = dict(result.fields)
            if not result.errors or (
                "platform_number" not in result.errors and WorkOrder.objects.filter(platform_number=number).exists()
            ):
                try:
                    with transaction.atomic():
                        outcome = order_intake(acting_user=job.uploaded_by, **fields)
                except WorkflowError as error:
                    result.errors = {k: str(v) for k, v in error.field_errors.items()} or {
                        "platform_number": str(error)
                    }
                except DatabaseError:
                    logger.warning("Import %s line %s failed", job.pk, line, exc_info=True)
                    result.errors = {"platform_number": str(MSG_WRITE_FAILED)}
                else:
                    if outcome.created:
                        created += 1
                    else:
                        existing += 1
                    continue
            errors.append({"line": line, "platform_number": number, "errors": _messages(result.errors)})
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=F("rows_done") + len(rows),
            created_count=F("created_count") + created,
            existing_count=F("existing_count") + existing,
            failed_count=F("failed_count") + len(errors),
            errors=locked.errors + errors,
            heartbeat_at=timezone.now(),
        )
