"""The import over REST: the same service as the dispatch desk's page, documented in the schema."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from connector.models import ImportJob, ImportMapping
from tests.connector.platform_export import CODE_MAP, COLUMN_MAP, row, xlsx
from tests.factories import TopicFactory
from tickets.models import WorkOrder

URL = "/api/v1/imports/"


@pytest.fixture
def mapping(db):
    TopicFactory()
    return ImportMapping.objects.create(name="市12345平台导出", column_map=COLUMN_MAP, code_map=CODE_MAP)


def post(client, mapping, content: bytes, **fields):
    return client.post(
        URL, {"mapping": mapping.pk, "file": SimpleUploadedFile("x.xlsx", content), **fields}, format="multipart"
    )


def test_upload_answers_the_preview_and_writes_no_order(api, dispatcher, mapping):
    bad = row(2)
    bad[4] = "电话"

    response = post(api(dispatcher), mapping, xlsx([row(1), bad]))

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["preview_new"], body["preview_invalid"]) == ("previewed", 1, 1)
    assert body["invalid_rows"] == [
        {"line": 3, "platform_number": "GD0000002", "errors": {"来电号码": "请输入有效的电话号码。"}}
    ]
    assert WorkOrder.objects.count() == 0


def test_upload_with_confirm_imports_and_twice_creates_nothing_twice(api, dispatcher, mapping):
    content = xlsx([row(1), row(2)])
    first = post(api(dispatcher), mapping, content, confirm="true").json()

    second = post(api(dispatcher), mapping, content, confirm="true").json()

    assert (first["status"], first["created_count"]) == ("done", 2)
    assert (second["created_count"], second["existing_count"]) == (0, 2)
    assert WorkOrder.objects.count() == 2


def test_confirm_then_read_the_job(api, dispatcher, mapping):
    client = api(dispatcher)
    job_id = post(client, mapping, xlsx([row(1)])).json()["id"]

    confirmed = client.post(f"{URL}{job_id}/confirm/")
    again = client.post(f"{URL}{job_id}/confirm/")
    read = client.get(f"{URL}{job_id}/")

    assert confirmed.status_code == 200
    assert again.status_code == 409
    assert read.json()["created_count"] == 1


def test_a_file_that_is_not_a_spreadsheet_is_a_400_on_the_file(api, dispatcher, mapping):
    response = post(api(dispatcher), mapping, b"%PDF-1.4\n\x00\x00")

    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["文件不是 Excel（.xlsx）或 CSV 表格，请从12345平台导出后上传。"]
    assert not ImportJob.objects.exists()


def test_only_the_dispatch_desk_imports_over_rest(api, officer_a, mapping):
    assert post(api(officer_a), mapping, xlsx([row(1)])).status_code == 403


def test_an_unknown_job_is_a_404(api, dispatcher):
    assert api(dispatcher).get(f"{URL}99999/").status_code == 404
