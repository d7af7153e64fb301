"""The upload service: who may, what is accepted, what is stored, what the timeline says."""

import pytest
from django.core.files.storage import default_storage

from attachments import services
from attachments.models import AttachedTo, Attachment
from attachments.selectors import attachments_for_order
from tests.attachments import files
from tickets.exceptions import InvalidInput, InvalidTransition, NotPermitted

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list:
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def test_officer_uploads_a_photo_to_an_order_of_their_unit(loop, officer_a):
    order = loop.contacted()
    attachment = services.attachment_upload(
        order=order, file=files.upload(files.png_bytes(), "现场照片.png"), acting_user=officer_a
    )
    assert (attachment.content_type, attachment.original_name, attachment.uploaded_by) == (
        "image/png",
        "现场照片.png",
        officer_a,
    )
    assert attachment.size == len(files.png_bytes())


def test_the_file_is_stored_under_a_random_name_not_the_uploaders(loop, dispatcher):
    attachment = services.attachment_upload(
        order=loop.received(), file=files.upload(files.PDF, "../../etc/报告.pdf"), acting_user=dispatcher
    )
    assert attachment.file.name.startswith("attachments/")
    assert attachment.file.name.endswith(".pdf")
    assert "报告" not in attachment.file.name
    assert attachment.original_name == "报告.pdf"
    assert default_storage.exists(attachment.file.name)


def test_the_sha256_is_of_the_content(loop, dispatcher):
    import hashlib

    attachment = services.attachment_upload(order=loop.received(), file=files.upload(files.PDF), acting_user=dispatcher)
    assert attachment.sha256 == hashlib.sha256(files.PDF).hexdigest()


def test_the_timeline_records_the_upload(loop, dispatcher):
    order = loop.received()
    version = order.version
    attachment = services.attachment_upload(
        order=order, file=files.upload(files.PDF, "材料.pdf"), acting_user=dispatcher
    )
    event = order.events.order_by("-id").first()
    assert (event.action, event.actor, event.note, event.payload["attachment"]) == (
        "attachment_upload",
        dispatcher,
        "材料.pdf",
        attachment.pk,
    )
    order.refresh_from_db()
    assert order.version == version + 1


def test_a_renamed_executable_is_refused_and_nothing_is_stored(loop, dispatcher, settings):
    order = loop.received()
    with pytest.raises(InvalidInput) as refused:
        services.attachment_upload(
            order=order, file=files.upload(files.EXE, "photo.jpg", "image/jpeg"), acting_user=dispatcher
        )
    assert str(refused.value) == str(services.MSG_TYPE_REFUSED)
    assert Attachment.objects.count() == 0
    assert stored_files(settings) == []
    assert not order.events.filter(action="attachment_upload").exists()


@pytest.mark.parametrize("content", [files.HTML, files.SVG], ids=["html", "svg"])
def test_html_and_svg_are_refused(loop, dispatcher, content):
    with pytest.raises(InvalidInput):
        services.attachment_upload(order=loop.received(), file=files.upload(content, "a.png"), acting_user=dispatcher)


def test_an_oversize_file_is_refused(loop, dispatcher, settings):
    settings.HOTLINE_ATTACHMENT_MAX_MB = 1
    big = files.TEXT * (1024 * 1024 // len(files.TEXT) + 1)
    with pytest.raises(InvalidInput) as refused:
        services.attachment_upload(order=loop.received(), file=files.upload(big, "big.txt"), acting_user=dispatcher)
    assert "1 MB" in str(refused.value)
    assert stored_files(settings) == []


def test_an_empty_file_is_refused(loop, dispatcher):
    with pytest.raises(InvalidInput):
        services.attachment_upload(order=loop.received(), file=files.upload(b"", "a.txt"), acting_user=dispatcher)


def test_a_type_left_out_of_the_allow_list_is_refused(loop, dispatcher, settings):
    settings.HOTLINE_ATTACHMENT_TYPES = ["application/pdf"]
    with pytest.raises(InvalidInput):
        services.attachment_upload(order=loop.received(), file=files.upload(files.TEXT), acting_user=dispatcher)


def test_an_image_gets_a_thumbnail(loop, dispatcher):
    from PIL import Image

    attachment = services.attachment_upload(
        order=loop.received(), file=files.upload(files.png_bytes((1600, 1200)), "a.png"), acting_user=dispatcher
    )
    with attachment.thumbnail.open("rb") as thumb, Image.open(thumb) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 320


def test_a_document_gets_no_thumbnail(loop, dispatcher):
    attachment = services.attachment_upload(order=loop.received(), file=files.upload(files.PDF), acting_user=dispatcher)
    assert not attachment.thumbnail


def test_a_report_carries_its_evidence_photo(loop, officer_a):
    order = loop.returned()
    report = order.reports.get()
    attachment = services.attachment_upload(
        order=order,
        file=files.upload(files.jpeg_bytes(), "证据.jpg"),
        acting_user=officer_a,
        kind=AttachedTo.REPORT,
        target_id=report.pk,
    )
    assert (attachment.kind, attachment.report) == (AttachedTo.REPORT, report)


def test_a_report_of_another_order_cannot_be_the_target(loop, officer_a):
    other_report = loop.returned().reports.get()
    with pytest.raises(InvalidInput):
        services.attachment_upload(
            order=loop.contacted(),
            file=files.upload(files.PDF),
            acting_user=officer_a,
            kind=AttachedTo.REPORT,
            target_id=other_report.pk,
        )


def test_reviewers_may_not_upload(loop, reviewer):
    with pytest.raises(NotPermitted):
        services.attachment_upload(order=loop.reported(), file=files.upload(files.PDF), acting_user=reviewer)


def test_supervisors_may_not_upload(loop, supervisor):
    with pytest.raises(NotPermitted):
        services.attachment_upload(order=loop.contacted(), file=files.upload(files.PDF), acting_user=supervisor)


def test_the_unit_may_not_upload_once_the_order_left_it(loop, officer_a):
    with pytest.raises(NotPermitted):
        services.attachment_upload(order=loop.reported(), file=files.upload(files.PDF), acting_user=officer_a)


def test_another_unit_may_not_upload(loop, officer_b):
    with pytest.raises(NotPermitted):
        services.attachment_upload(order=loop.contacted(), file=files.upload(files.PDF), acting_user=officer_b)


def test_a_closed_order_is_read_only_even_for_the_desk(loop, dispatcher):
    with pytest.raises(InvalidTransition):
        services.attachment_upload(order=loop.closed(), file=files.upload(files.PDF), acting_user=dispatcher)


def test_the_desk_may_upload_to_an_approved_order(loop, dispatcher):
    services.attachment_upload(
        order=loop.approved(), file=files.upload(files.MP3, "回访录音.mp3"), acting_user=dispatcher
    )


def test_attachments_for_order_lists_every_file_oldest_first(loop, dispatcher):
    order = loop.received()
    first = services.attachment_upload(order=order, file=files.upload(files.PDF, "1.pdf"), acting_user=dispatcher)
    second = services.attachment_upload(order=order, file=files.upload(files.TEXT, "2.txt"), acting_user=dispatcher)
    assert list(attachments_for_order(order)) == [first, second]


def test_a_large_jpeg_photo_gets_a_thumbnail_too(loop, dispatcher):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), (90, 140, 60)).save(out, "JPEG")
    attachment = services.attachment_upload(
        order=loop.received(), file=files.upload(out.getvalue(), "photo.jpg"), acting_user=dispatcher
    )
    with attachment.thumbnail.open("rb") as thumb, Image.open(thumb) as image:
        assert max(image.size) == 320


def test_a_notice_response_carries_the_signed_remedy(loop, officer_a, supervisor, settings):
    from supervision.services import notice_issue

    settings.SUPERVISION_EVENT_TASKS = False
    order = loop.contacted()
    notice = notice_issue(
        kind="supervision", unit=officer_a.unit, orders=[order], reason="超期未办结", acting_user=supervisor
    )
    attachment = services.attachment_upload(
        order=order,
        file=files.upload(files.PDF, "整改措施（签字）.pdf"),
        acting_user=officer_a,
        kind=AttachedTo.NOTICE_RESPONSE,
        target_id=notice.pk,
    )
    assert (attachment.kind, attachment.notice) == (AttachedTo.NOTICE_RESPONSE, notice)


def test_a_notice_that_does_not_name_the_order_cannot_be_the_target(loop, officer_a, supervisor, settings):
    from supervision.services import notice_issue

    settings.SUPERVISION_EVENT_TASKS = False
    other = loop.contacted()
    notice = notice_issue(
        kind="supervision", unit=officer_a.unit, orders=[other], reason="超期", acting_user=supervisor
    )
    with pytest.raises(InvalidInput):
        services.attachment_upload(
            order=loop.contacted(),
            file=files.upload(files.PDF),
            acting_user=officer_a,
            kind=AttachedTo.NOTICE_RESPONSE,
            target_id=notice.pk,
        )
