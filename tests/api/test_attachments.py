"""Attachments over REST: the order's visibility, the upload rule, the limits, safe downloads."""

import pytest

from attachments import services
from attachments.models import Attachment
from tests.attachments import files

pytestmark = pytest.mark.django_db


def url(order, *rest) -> str:
    return "/api/v1/orders/" + "/".join(str(p) for p in (order.pk, "attachments", *rest)) + "/"


def stored(order, user, content=files.PDF, name="材料.pdf"):
    return services.attachment_upload(order=order, file=files.upload(content, name), acting_user=user)


def test_officer_uploads_over_multipart(api, order_in, officer_a):
    order = order_in("contacted")
    response = api(officer_a).post(
        url(order), {"file": files.upload(files.png_bytes(), "现场.png")}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["content_type"], body["original_name"], body["kind"], body["uploaded_by"]) == (
        "image/png",
        "现场.png",
        "order",
        "officer_a",
    )


def test_dispatcher_uploads_to_a_report(api, order_in, dispatcher):
    order = order_in("reported")
    report = order.reports.get()
    response = api(dispatcher).post(
        url(order), {"file": files.upload(files.PDF), "kind": "report", "target": report.pk}, format="multipart"
    )
    assert (response.status_code, response.json()["report"]) == (201, report.pk)


def test_reviewer_may_not_upload(api, order_in, reviewer):
    response = api(reviewer).post(url(order_in("reported")), {"file": files.upload(files.PDF)}, format="multipart")
    assert response.status_code == 403


def test_another_units_order_is_404_for_list_upload_metadata_and_download(api, order_in, dispatcher, officer_b):
    order = order_in("contacted")
    attachment = stored(order, dispatcher)
    client = api(officer_b)
    assert client.get(url(order)).status_code == 404
    assert client.post(url(order), {"file": files.upload(files.PDF)}, format="multipart").status_code == 404
    assert client.get(url(order, attachment.pk)).status_code == 404
    assert client.get(url(order, attachment.pk, "download")).status_code == 404
    assert Attachment.objects.count() == 1


def test_a_file_asked_for_under_another_order_is_404(api, order_in, dispatcher):
    attachment = stored(order_in("received"), dispatcher)
    other = order_in("received")
    assert api(dispatcher).get(url(other, attachment.pk)).status_code == 404


def test_officer_lists_and_reads_metadata_of_their_orders_files(api, order_in, dispatcher, officer_a):
    order = order_in("contacted")
    attachment = stored(order, dispatcher)
    client = api(officer_a)
    assert [a["id"] for a in client.get(url(order)).json()] == [attachment.pk]
    assert client.get(url(order, attachment.pk)).json()["sha256"] == attachment.sha256


def test_reviewer_downloads_the_file_of_an_order_under_review(api, order_in, officer_a, reviewer):
    order = order_in("contacted")
    attachment = stored(order, officer_a)
    from tickets import services as ticket_services

    ticket_services.order_report(order=order, acting_user=officer_a, outcome="resolved", text="已处理")
    response = api(reviewer).get(url(order, attachment.pk, "download"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF


def test_a_document_is_downloaded_as_an_attachment_with_nosniff(api, order_in, dispatcher):
    order = order_in("received")
    attachment = stored(order, dispatcher, files.TEXT, "说明.html")
    response = api(dispatcher).get(url(order, attachment.pk, "download"))
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_image_is_shown_inline_as_its_detected_type(api, order_in, dispatcher):
    order = order_in("received")
    attachment = stored(order, dispatcher, files.png_bytes(), "photo.jpg")
    response = api(dispatcher).get(url(order, attachment.pk, "download"))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_renamed_executable_is_refused_with_a_chinese_message(api, order_in, dispatcher):
    order = order_in("received")
    response = api(dispatcher).post(
        url(order), {"file": files.upload(files.EXE, "photo.jpg", "image/jpeg")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [str(services.MSG_TYPE_REFUSED)]
    assert Attachment.objects.count() == 0


def test_an_oversize_file_is_refused(api, order_in, dispatcher, settings):
    settings.HOTLINE_ATTACHMENT_MAX_MB = 1
    big = files.TEXT * (1024 * 1024 // len(files.TEXT) + 1)
    response = api(dispatcher).post(url(order_in("received")), {"file": files.upload(big)}, format="multipart")
    assert response.status_code == 400
    assert Attachment.objects.count() == 0


def test_an_upload_without_a_file_is_a_400(api, order_in, dispatcher):
    response = api(dispatcher).post(url(order_in("received")), {"kind": "order"}, format="multipart")
    assert (response.status_code, response.json()["errors"]["file"]) == (400, [str(services.MSG_NO_FILE)])


def test_a_json_body_is_a_415(api, order_in, dispatcher):
    response = api(dispatcher).post(url(order_in("received")), {"kind": "order"}, format="json")
    assert response.status_code == 415


def test_a_closed_order_refuses_uploads_with_409(api, order_in, dispatcher):
    response = api(dispatcher).post(url(order_in("closed")), {"file": files.upload(files.PDF)}, format="multipart")
    assert response.status_code == 409


def test_the_upload_is_in_the_orders_events(api, order_in, dispatcher):
    order = order_in("received")
    api(dispatcher).post(url(order), {"file": files.upload(files.PDF, "a.pdf")}, format="multipart")
    events = api(dispatcher).get(f"/api/v1/orders/{order.pk}/events/").json()
    assert events[-1]["action"] == "attachment_upload"


def test_the_schema_documents_the_attachment_endpoints(api, dispatcher):
    paths = api(dispatcher).get("/api/schema/?format=json").json()["paths"]
    upload = paths["/api/v1/orders/{id}/attachments/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "/api/v1/orders/{id}/attachments/{attachment_id}/download/" in paths


def test_an_upload_with_a_stale_if_match_is_412_and_stores_nothing(api, order_in, dispatcher):
    order = order_in("received")
    response = api(dispatcher).post(
        url(order), {"file": files.upload(files.PDF)}, format="multipart", HTTP_IF_MATCH=f'"{order.version - 1}"'
    )
    assert response.status_code == 412
    assert Attachment.objects.count() == 0


def test_an_upload_answers_the_orders_new_etag(api, order_in, dispatcher):
    order = order_in("received")
    response = api(dispatcher).post(
        url(order), {"file": files.upload(files.PDF)}, format="multipart", HTTP_IF_MATCH=f'"{order.version}"'
    )
    assert response["ETag"] == f'"{order.version + 1}"'


def test_an_upload_retried_with_its_idempotency_key_stores_the_file_once(api, order_in, dispatcher):
    order = order_in("received")
    client = api(dispatcher)

    def send():
        return client.post(
            url(order), {"file": files.upload(files.PDF, "a.pdf")}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1"
        )

    first, again = send(), send()
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Attachment.objects.count() == 1


def test_the_same_key_with_another_file_is_422(api, order_in, dispatcher):
    order = order_in("received")
    client = api(dispatcher)
    client.post(url(order), {"file": files.upload(files.PDF)}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-2")
    response = client.post(
        url(order), {"file": files.upload(files.TEXT)}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert response.status_code == 422
