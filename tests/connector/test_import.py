"""Import of the platform's Excel/CSV export: preview first, then the same intake as the API."""

import datetime as dt
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from connector.models import ImportJob, ImportMapping, ImportStatus
from connector.services import imports
from tests.connector.platform_export import CODE_MAP, COLUMN_MAP, HEADER, csv_bytes, row, xlsx
from tests.factories import TopicFactory
from tickets.exceptions import InvalidInput, InvalidTransition
from tickets.models import OrderEvent, WorkOrder
from tickets.services import order_intake


@pytest.fixture
def mapping(db):
    TopicFactory()
    return ImportMapping.objects.create(
        name="市12345平台导出", column_map=COLUMN_MAP, code_map=CODE_MAP, date_format="%Y-%m-%d %H:%M"
    )


def upload(content: bytes, name: str = "orders.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def run_to_the_end(job: ImportJob) -> ImportJob:
    """What the workers do: the task again and again until the job is done (each call one slice)."""
    while job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        job = imports.import_run(job_id=job.pk) or ImportJob.objects.get(pk=job.pk)
    return job


def confirmed(job: ImportJob, dispatcher) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    return run_to_the_end(ImportJob.objects.get(pk=job.pk))


def test_preview_lists_each_row_as_new_known_or_invalid(mapping, dispatcher):
    order_intake(**_api_fields(platform_number="GD0000002"))
    bad = row(3)
    bad[4] = "电话"
    content = xlsx([row(1), row(2), bad])

    preview = imports.import_preview(mapping=mapping, content=content)

    assert [(r["line"], r["status"]) for r in preview.rows] == [(2, "new"), (3, "known"), (4, "invalid")]
    assert (preview.new, preview.known, preview.invalid) == (1, 1, 1)
    assert preview.rows[2]["errors"] == {"来电号码": "请输入有效的电话号码。"}


def test_preview_writes_nothing(mapping, dispatcher, django_assert_max_num_queries):
    content = xlsx([row(n) for n in range(1, 51)])
    events = OrderEvent.objects.count()

    with django_assert_max_num_queries(3):
        preview = imports.import_preview(mapping=mapping, content=content)

    assert preview.new == 50
    assert WorkOrder.objects.count() == 0
    assert OrderEvent.objects.count() == events


def test_preview_gives_each_invalid_field_its_reason_from_the_api_check(mapping):
    bad = row(1)
    bad[3], bad[7], bad[9] = "", "XX", "999"

    (result,) = imports.import_preview(mapping=mapping, content=xlsx([bad])).rows

    assert result["errors"] == {
        "来电人": "此项为必填项。",
        "诉求类别": "「XX」不是有效的选项。",
        "诉求主题": "没有此诉求主题：「999」。",
    }


def test_row_without_platform_number_is_invalid(mapping):
    bad = row(1)
    bad[0] = ""

    (result,) = imports.import_preview(mapping=mapping, content=xlsx([bad])).rows

    assert result["errors"] == {"12345平台工单号": "此项为必填项。"}


def test_same_platform_number_twice_in_a_file_is_invalid_the_second_time(mapping):
    preview = imports.import_preview(mapping=mapping, content=xlsx([row(1), row(1)]))

    assert preview.rows[1]["errors"] == {"12345平台工单号": "与第 2 行的平台工单号重复。"}


def test_received_time_in_the_mapping_format_is_taken_in_local_time(mapping):
    (result,) = imports.import_preview(mapping=mapping, content=xlsx([row(1, received="2026-11-20 08:30")])).rows

    assert result["received_at"] == "2026-11-20 08:30"


def test_unreadable_received_time_is_invalid(mapping):
    (result,) = imports.import_preview(mapping=mapping, content=xlsx([row(1, received="20号早上")])).rows

    assert result["errors"] == {"受理时间": "无法识别的时间「20号早上」。"}


def test_gbk_csv_is_read(mapping):
    preview = imports.import_preview(mapping=mapping, content=csv_bytes([row(1)], encoding="gbk"))

    assert preview.new == 1
    assert preview.rows[0]["content"] == "楼上装修噪音 1"


def test_utf8_csv_with_bom_is_read(mapping):
    preview = imports.import_preview(mapping=mapping, content=b"\xef\xbb\xbf" + csv_bytes([row(1)]))

    assert preview.new == 1


def test_file_without_a_required_column_is_refused_as_a_whole(mapping):
    header = [h for h in HEADER if h != "联系电话"]
    content = xlsx([[c for c in row(1) if c != "13800000000"]], header=header)

    with pytest.raises(InvalidInput, match="缺少列：联系电话（来电号码）"):
        imports.import_preview(mapping=mapping, content=content)


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4\n\x00\x01binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"PK\x03\x04not really a zip"],
    ids=["pdf", "png", "broken-zip"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(mapping, content):
    with pytest.raises(InvalidInput, match="文件不是 Excel（.xlsx）或 CSV 表格"):
        imports.import_preview(mapping=mapping, content=content)


def test_old_xls_file_is_refused_with_what_to_do(mapping):
    with pytest.raises(InvalidInput, match="另存为 .xlsx 或 CSV"):
        imports.import_preview(mapping=mapping, content=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def test_too_many_rows_are_refused(mapping, settings):
    settings.HOTLINE_IMPORT_MAX_ROWS = 3

    with pytest.raises(InvalidInput, match="一次最多导入 3 行"):
        imports.import_preview(mapping=mapping, content=xlsx([row(n) for n in range(4)]))


def test_too_large_a_file_keeps_nothing(mapping, dispatcher, settings):
    settings.HOTLINE_IMPORT_MAX_BYTES = 100

    with pytest.raises(InvalidInput, match="文件过大"):
        imports.import_job_create(mapping=mapping, upload=upload(xlsx([row(1)])), acting_user=dispatcher)
    assert ImportJob.objects.count() == 0


def test_import_creates_the_new_rows_through_intake(mapping, dispatcher):
    job = imports.import_job_create(mapping=mapping, upload=upload(xlsx([row(1), row(2)])), acting_user=dispatcher)

    job = imports.import_confirm(job=job, acting_user=dispatcher)

    assert (job.status, job.created_count, job.existing_count, job.failed_count) == ("done", 2, 0, 0)
    order = WorkOrder.objects.get(platform_number="GD0000001")
    assert (order.channel, order.nature, order.handling_type, order.topic.code) == (
        "12345", "complaint", "service", "noise"
    )  # fmt: skip
    assert order.events.get().actor == dispatcher


def test_a_failing_row_is_reported_and_the_others_are_imported(mapping, dispatcher):
    bad = row(2)
    bad[4] = "电话"
    job = imports.import_job_create(mapping=mapping, upload=upload(xlsx([row(1), bad, row(3)])), acting_user=dispatcher)

    job = imports.import_confirm(job=job, acting_user=dispatcher)

    assert (job.created_count, job.failed_count) == (2, 1)
    assert job.errors == [{"line": 3, "platform_number": "GD0000002", "errors": {"来电号码": "请输入有效的电话号码。"}}]


def test_importing_the_same_file_twice_creates_nothing_twice(mapping, dispatcher):
    content = xlsx([row(n) for n in range(1, 6)])
    first = imports.import_job_create(mapping=mapping, upload=upload(content), acting_user=dispatcher)
    imports.import_confirm(job=first, acting_user=dispatcher)
    second = imports.import_job_create(mapping=mapping, upload=upload(content), acting_user=dispatcher)

    second = imports.import_confirm(job=second, acting_user=dispatcher)

    assert (second.preview_known, second.created_count, second.existing_count) == (5, 0, 5)
    assert WorkOrder.objects.count() == 5


def test_a_job_is_confirmed_once(mapping, dispatcher):
    job = imports.import_job_create(mapping=mapping, upload=upload(xlsx([row(1)])), acting_user=dispatcher)
    imports.import_confirm(job=job, acting_user=dispatcher)

    with pytest.raises(InvalidTransition, match="该导入已确认"):
        imports.import_confirm(job=job, acting_user=dispatcher)


def test_running_the_task_twice_imports_once(mapping, dispatcher):
    job = imports.import_job_create(mapping=mapping, upload=upload(xlsx([row(1)])), acting_user=dispatcher)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)

    imports.import_run(job_id=job.pk)

    assert imports.import_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert (job.rows_done, job.created_count) == (1, 1)


def test_a_mapping_changed_to_miss_a_column_fails_the_job_and_writes_nothing(mapping, dispatcher):
    job = imports.import_job_create(mapping=mapping, upload=upload(xlsx([row(1)])), acting_user=dispatcher)
    mapping.column_map = {k: v for k, v in COLUMN_MAP.items() if v != "caller_phone"}
    mapping.save()

    job = confirmed(job, dispatcher)

    assert job.status == "failed"
    assert "缺少列" in job.error
    assert WorkOrder.objects.count() == 0


def test_a_large_file_is_imported_in_slices_by_the_task(mapping, dispatcher, settings):
    settings.HOTLINE_IMPORT_SLICE_ROWS = 150
    job = imports.import_job_create(
        mapping=mapping, upload=upload(xlsx([row(n) for n in range(1, 401)])), acting_user=dispatcher
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)

    first = imports.import_run(job_id=job.pk)

    assert (first.status, first.rows_done, first.progress) == ("queued", 150, 37)
    assert run_to_the_end(first).created_count == 400


@pytest.mark.postgres
def test_thousand_rows_preview_and_import_in_the_background_twice_without_duplicates(mapping, dispatcher):
    content = xlsx([row(n) for n in range(1, 1001)])
    started = time.monotonic()
    job = imports.import_job_create(mapping=mapping, upload=upload(content), acting_user=dispatcher)
    previewed = time.monotonic()
    job = confirmed(job, dispatcher)
    imported = time.monotonic()
    again = confirmed(
        imports.import_job_create(mapping=mapping, upload=upload(content), acting_user=dispatcher), dispatcher
    )

    print(f"1000 rows: preview {previewed - started:.1f}s, import {imported - previewed:.1f}s")
    assert (job.created_count, again.preview_known, again.created_count, again.existing_count) == (1000, 1000, 0, 1000)
    assert WorkOrder.objects.count() == 1000


def _api_fields(**fields) -> dict:
    return {
        "channel": "12345",
        "caller_name": "张三",
        "caller_phone": "13800000000",
        "content": "噪音",
        "nature": "complaint",
        "handling_type": "service",
        "topic": TopicFactory(),
        **fields,
    }


def test_a_worker_lost_mid_import_is_resumed_after_its_last_commit_without_duplicates(mapping, dispatcher, settings):
    settings.HOTLINE_IMPORT_SLICE_ROWS = 100
    job = imports.import_job_create(
        mapping=mapping, upload=upload(xlsx([row(n) for n in range(1, 251)])), acting_user=dispatcher
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    imports.import_run(job_id=job.pk)
    # The next worker claimed the job and died before its first commit: running, no progress since.
    lost = timezone.now() - imports.STALE_AFTER - dt.timedelta(seconds=1)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, heartbeat_at=lost)

    job = run_to_the_end(ImportJob.objects.get(pk=job.pk))

    assert (job.status, job.created_count, job.existing_count) == ("done", 250, 0)
    assert WorkOrder.objects.count() == 250


def test_a_running_job_with_recent_progress_is_not_claimed_twice(mapping, dispatcher):
    job = imports.import_job_create(mapping=mapping, upload=upload(xlsx([row(1)])), acting_user=dispatcher)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, heartbeat_at=timezone.now())

    assert imports.import_run(job_id=job.pk) is None
    assert WorkOrder.objects.count() == 0


def test_confirming_a_large_file_hands_every_slice_to_the_celery_task(mapping, dispatcher, settings, eager_tasks):
    settings.HOTLINE_IMPORT_INLINE_ROWS = 10
    settings.HOTLINE_IMPORT_SLICE_ROWS = 40
    job = imports.import_job_create(
        mapping=mapping, upload=upload(xlsx([row(n) for n in range(1, 101)])), acting_user=dispatcher
    )

    with TestCase.captureOnCommitCallbacks(execute=True):
        imports.import_confirm(job=job, acting_user=dispatcher)

    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 100)


@pytest.fixture
def eager_tasks():
    from hotline.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
