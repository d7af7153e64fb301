"""Attachments on the order page: the list with thumbnails, the upload form, the 404 of another unit."""

import pytest
from django.urls import reverse

from attachments import services
from attachments.models import Attachment
from tests.attachments import files

pytestmark = pytest.mark.django_db


def page(client, order) -> str:
    response = client.get(reverse("tickets:order_detail", args=[order.pk]))
    assert response.status_code == 200
    return response.content.decode()


def post(client, order, content, name="a.pdf", target="order"):
    return client.post(
        reverse("attachments:upload", args=[order.pk]), {"file": files.upload(content, name), "target": target}
    )


def test_officer_uploads_from_the_order_page_and_sees_the_thumbnail(client, contacted, officer_a):
    client.force_login(officer_a)
    response = post(client, contacted, files.png_bytes(), "现场照片.png")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    html = page(client, contacted)
    assert "现场照片.png" in html
    assert reverse("attachments:thumbnail", args=[contacted.pk, attachment.pk]) in html
    thumb = client.get(reverse("attachments:thumbnail", args=[contacted.pk, attachment.pk]))
    assert (thumb.status_code, thumb["Content-Type"]) == (200, "image/jpeg")


def test_the_upload_appears_in_the_timeline(client, contacted, officer_a):
    client.force_login(officer_a)
    post(client, contacted, files.PDF, "询问笔录.pdf")
    assert "上传附件" in page(client, contacted)


def test_a_refused_file_shows_the_chinese_reason_and_stores_nothing(client, contacted, officer_a):
    client.force_login(officer_a)
    response = post(client, contacted, files.EXE, "photo.jpg")
    assert Attachment.objects.count() == 0
    html = client.get(response["Location"]).content.decode()
    assert str(services.MSG_TYPE_REFUSED) in html


def test_the_report_form_choice_attaches_to_the_report(client, reported, dispatcher):
    client.force_login(dispatcher)
    report = reported.reports.get()
    post(client, reported, files.PDF, target=f"report:{report.pk}")
    assert Attachment.objects.get().report == report


def test_another_unit_gets_404_for_upload_download_and_thumbnail(client, contacted, dispatcher, officer_b):
    attachment = services.attachment_upload(
        order=contacted, file=files.upload(files.png_bytes(), "a.png"), acting_user=dispatcher
    )
    client.force_login(officer_b)
    assert post(client, contacted, files.PDF).status_code == 404
    assert client.get(reverse("attachments:download", args=[contacted.pk, attachment.pk])).status_code == 404
    assert client.get(reverse("attachments:thumbnail", args=[contacted.pk, attachment.pk])).status_code == 404


def upload_form(order) -> str:
    return f'action="{reverse("attachments:upload", args=[order.pk])}"'


def test_reviewer_sees_the_files_but_no_upload_form(client, reported, dispatcher, reviewer):
    services.attachment_upload(order=reported, file=files.upload(files.PDF, "证据.pdf"), acting_user=dispatcher)
    client.force_login(reviewer)
    html = page(client, reported)
    assert "证据.pdf" in html
    assert upload_form(reported) not in html


def test_a_closed_order_offers_no_upload_form(client, loop, dispatcher):
    closed = loop.closed()
    client.force_login(dispatcher)
    assert upload_form(closed) not in page(client, closed)


def test_the_desk_sees_the_upload_form_on_an_open_order(client, received, dispatcher):
    client.force_login(dispatcher)
    assert upload_form(received) in page(client, received)


@pytest.mark.parametrize("content", [files.HTML, files.SVG], ids=["html", "svg"])
def test_html_and_svg_never_come_back_inline(client, received, dispatcher, content):
    """They are refused at upload; and a text file named .html downloads as text/plain, as an attachment."""
    client.force_login(dispatcher)
    post(client, received, content, "page.html")
    assert Attachment.objects.count() == 0
    attachment = services.attachment_upload(
        order=received, file=files.upload(files.TEXT, "page.html"), acting_user=dispatcher
    )
    response = client.get(reverse("attachments:download", args=[received.pk, attachment.pk]))
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
