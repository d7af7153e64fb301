"""For a platform without an API: the day's replies in one workbook, downloaded by the dispatch desk."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from attachments.services import attachment_upload
from connector.models import OutboxMessage, OutboxStatus, ReplyFile
from connector.services import delivery
from connector.services.replyfile import reply_file_build, reply_files_build
from tests.attachments import files
from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def excel_platform(platform):
    platform.transport = "excel"
    platform.endpoint_url = ""
    platform.field_map = {"platform_number": "工单编号", "step": "环节", "reply_text": "答复内容"}
    platform.code_map = {"step": {"reported": "办结"}}
    platform.save()
    return platform


def rows_of(reply: ReplyFile) -> list[list]:
    with reply.file.open("rb") as fh:
        return [list(r) for r in load_workbook(io.BytesIO(fh.read())).active.iter_rows(values_only=True)]


def test_the_days_steps_are_rows_named_and_coded_by_the_mapping(loop, cast, excel_platform, from_platform):
    order = loop.reported(**from_platform())
    reply = reply_file_build(connection=excel_platform, day=timezone.localdate())
    header, *rows = rows_of(reply)
    assert {"工单编号", "环节", "答复内容"} <= set(header)
    steps = [row[header.index("环节")] for row in rows]
    assert steps == ["signed", "contacted", "办结"]
    assert rows[2][header.index("答复内容")] == "已处理"
    assert {row[header.index("工单编号")] for row in rows} == {order.platform_number}
    assert not OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists()


def test_building_a_day_twice_returns_the_same_file(loop, excel_platform, from_platform):
    loop.contacted(**from_platform())
    day = timezone.localdate()
    first = reply_file_build(connection=excel_platform, day=day)
    loop.contacted(**from_platform())
    assert reply_file_build(connection=excel_platform, day=day).pk == first.pk
    assert ReplyFile.objects.count() == 1


def test_messages_for_the_file_are_never_posted(loop, excel_platform, from_platform):
    loop.contacted(**from_platform())
    delivery.deliver_due()
    assert not OutboxMessage.objects.filter(attempts__gt=0).exists()


def test_the_nightly_task_builds_yesterdays_file(loop, excel_platform, from_platform):
    loop.contacted(**from_platform())
    tomorrow = timezone.now() + dt.timedelta(days=1)
    [reply] = reply_files_build(now=tomorrow)
    assert (reply.day, reply.rows) == (timezone.localdate(), 2)


def test_the_dispatcher_downloads_and_an_officer_cannot(client, loop, cast, excel_platform, from_platform):
    loop.contacted(**from_platform())
    reply = reply_file_build(connection=excel_platform, day=timezone.localdate())
    url = reverse("connector:reply_file_download", args=[reply.pk])
    client.force_login(cast["dispatcher"])
    assert client.get(reverse("connector:reply_files")).status_code == 200
    assert client.get(url).status_code == 200
    client.force_login(cast["officer_a"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("connector:reply_files")).status_code == 403


def test_the_reply_file_lists_the_reports_file_names_without_content(loop, cast, excel_platform, from_platform):
    order = loop.contacted(**from_platform())
    for content, name in [(files.png_bytes(), "现场照片.png"), (files.PDF, "询问笔录.pdf")]:
        attachment_upload(order=order, file=files.upload(content, name), acting_user=cast["officer_a"])
    services.order_report(order=order, acting_user=cast["officer_a"], outcome="resolved", text="已处理")
    header, *rows = rows_of(reply_file_build(connection=excel_platform, day=timezone.localdate()))
    assert rows[-1][header.index("attachments")] == "现场照片.png; 询问笔录.pdf"
