"""The report's files go to the platform with the result, when its interface takes files."""

import base64
import hashlib
import io
import random

import pytest
from PIL import Image

from attachments.services import attachment_upload
from connector.models import OutboxMessage, OutboxStatus
from connector.services import delivery
from tests.attachments import files
from tests.connector.platform_server import PlatformServer
from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_platform(platform):
    platform.send_attachments = True
    platform.save()
    return platform


def upload(order, user, content: bytes, name: str):
    return attachment_upload(order=order, file=files.upload(content, name), acting_user=user)


def report(order, cast):
    return services.order_report(order=order, acting_user=cast["officer_a"], outcome="resolved", text="已处理")


def noise_png(side: int) -> bytes:
    """A PNG that does not compress: about side² × 3 bytes."""
    rng = random.Random(side)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def delivered_report(platform) -> dict:
    with PlatformServer(secret=platform.secret) as server:
        platform.endpoint_url = server.url
        platform.save()
        delivery.deliver_due()
    assert not OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists()
    return next(m for m in server.applied if m["step"] == "reported")


def test_a_reported_photo_arrives_with_its_bytes(loop, cast, file_platform, from_platform):
    order = loop.contacted(**from_platform())
    photo = upload(order, cast["officer_a"], files.png_bytes(), "现场照片.png")
    report(order, cast)
    (sent,) = delivered_report(file_platform)["attachments"]
    assert (sent["file_name"], sent["content_type"], sent["size"], sent["sha256"], sent["too_large"]) == (
        "现场照片.png",
        "image/png",
        photo.size,
        photo.sha256,
        False,
    )
    assert hashlib.sha256(base64.b64decode(sent["content"])).hexdigest() == photo.sha256


def test_attachment_field_names_go_through_the_field_map(loop, cast, file_platform, from_platform):
    file_platform.field_map = {"attachments": "fj", "file_name": "wjm", "content": "nr"}
    file_platform.save()
    order = loop.contacted(**from_platform())
    upload(order, cast["officer_a"], files.PDF, "询问笔录.pdf")
    report(order, cast)
    (sent,) = delivered_report(file_platform)["fj"]
    assert sent["wjm"] == "询问笔录.pdf" and base64.b64decode(sent["nr"]) == files.PDF


def test_the_stored_request_keeps_the_files_metadata_but_not_their_base64(loop, cast, file_platform, from_platform):
    order = loop.contacted(**from_platform())
    photo = upload(order, cast["officer_a"], files.png_bytes(), "现场照片.png")
    report(order, cast)
    delivered_report(file_platform)
    request = OutboxMessage.objects.get(order=order, kind="reported").request
    assert photo.sha256 in request and f"<base64 of {photo.size} bytes, not kept here>" in request
    assert base64.b64encode(files.png_bytes()).decode()[:40] not in request


def test_without_send_attachments_no_attachment_is_sent(loop, cast, platform, from_platform):
    order = loop.contacted(**from_platform())
    upload(order, cast["officer_a"], files.png_bytes(), "现场照片.png")
    report(order, cast)
    assert "attachments" not in delivered_report(platform)


def test_a_file_over_the_message_cap_is_listed_without_content(loop, cast, file_platform, from_platform, settings):
    settings.HOTLINE_PLATFORM_ATTACHMENT_MAX_MB = 1
    order = loop.contacted(**from_platform())
    big = upload(order, cast["officer_a"], noise_png(700), "航拍.png")
    assert big.size > 1024 * 1024
    small = upload(order, cast["officer_a"], files.jpeg_bytes(), "门牌.jpg")
    report(order, cast)
    first, second = delivered_report(file_platform)["attachments"]
    assert (first["sha256"], first["content"], first["too_large"]) == (big.sha256, None, True)
    assert (second["sha256"], second["too_large"]) == (small.sha256, False)
    assert base64.b64decode(second["content"]) == files.jpeg_bytes()


def test_a_file_of_another_order_is_never_included(loop, cast, file_platform, from_platform):
    order = loop.contacted(**from_platform())
    other = loop.contacted(**from_platform())
    upload(other, cast["officer_a"], files.png_bytes(), "别的工单.png")
    report(order, cast)
    assert delivered_report(file_platform)["attachments"] == []


def test_files_sent_with_an_earlier_report_are_not_sent_again(loop, cast, file_platform, from_platform):
    order = loop.contacted(**from_platform())
    upload(order, cast["officer_a"], files.png_bytes(), "第一次.png")
    report(order, cast)
    services.order_return(order=order, acting_user=cast["reviewer"], reason="不清楚")
    upload(order, cast["officer_a"], files.PDF, "补充材料.pdf")
    report(order, cast)
    second = OutboxMessage.objects.filter(order=order, kind="reported").order_by("sequence").last()
    assert [f["file_name"] for f in second.payload["attachments"]] == ["补充材料.pdf"]


def test_the_outbox_row_holds_the_files_ids_not_their_content(loop, cast, file_platform, from_platform):
    order = loop.contacted(**from_platform())
    photo = upload(order, cast["officer_a"], files.png_bytes(), "现场照片.png")
    report(order, cast)
    (entry,) = OutboxMessage.objects.get(order=order, kind="reported").payload["attachments"]
    assert entry == {
        "id": photo.pk,
        "file_name": "现场照片.png",
        "content_type": "image/png",
        "size": photo.size,
        "sha256": photo.sha256,
    }


def test_a_file_the_storage_cannot_read_fails_the_attempt_and_is_retried(loop, cast, file_platform, from_platform):
    order = loop.contacted(**from_platform())
    photo = upload(order, cast["officer_a"], files.png_bytes(), "现场照片.png")
    report(order, cast)
    photo.file.storage.delete(photo.file.name)
    with PlatformServer(secret=file_platform.secret) as server:
        file_platform.endpoint_url = server.url
        file_platform.save()
        delivery.deliver_due()
    message = OutboxMessage.objects.get(order=order, kind="reported")
    assert message.status == OutboxStatus.PENDING and "unreadable" in message.last_error
    assert [m["step"] for m in server.applied] == ["signed", "contacted"]
