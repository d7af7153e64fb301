"""The dispatch desk's import pages: upload, preview, confirm, progress."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from connector.models import ImportJob, ImportMapping, ImportStatus
from tests.connector.platform_export import CODE_MAP, COLUMN_MAP, row, xlsx
from tests.factories import TopicFactory
from tickets.models import WorkOrder


@pytest.fixture
def mapping(db):
    TopicFactory()
    return ImportMapping.objects.create(name="市12345平台导出", column_map=COLUMN_MAP, code_map=CODE_MAP)


def post_file(client, mapping, content: bytes, name: str = "orders.xlsx"):
    return client.post(reverse("connector:imports"), {"mapping": mapping.pk, "file": SimpleUploadedFile(name, content)})


def test_upload_shows_the_preview_and_writes_no_order(client, dispatcher, mapping):
    client.force_login(dispatcher)
    bad = row(2)
    bad[4] = "电话"

    response = post_file(client, mapping, xlsx([row(1), bad]))
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert page.status_code == 200
    html = page.content.decode()
    assert "确认导入 1 条新工单" in html
    assert "来电号码：请输入有效的电话号码。" in html
    assert WorkOrder.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_form(client, dispatcher, mapping):
    client.force_login(dispatcher)

    response = post_file(client, mapping, b"%PDF-1.4\n\x00\x00", name="orders.xlsx")

    assert response.status_code == 400
    assert "文件不是 Excel（.xlsx）或 CSV 表格" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_confirming_a_small_file_imports_it_at_once(client, dispatcher, mapping):
    client.force_login(dispatcher)
    job_url = post_file(client, mapping, xlsx([row(1), row(2)]))["Location"]
    job = ImportJob.objects.get()

    response = client.post(reverse("connector:import_confirm", args=[job.pk]))
    page = client.get(job_url).content.decode()

    assert response.status_code == 302
    assert WorkOrder.objects.count() == 2
    assert "导入完成" in page


def test_the_progress_fragment_polls_while_the_job_runs_and_stops_when_done(client, dispatcher, mapping):
    client.force_login(dispatcher)
    post_file(client, mapping, xlsx([row(1)]))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, total_rows=4, rows_done=1)

    running = client.get(reverse("connector:import_progress", args=[job.pk])).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, rows_done=4)
    done = client.get(reverse("connector:import_progress", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 2s"' in running
    assert 'value="25"' in running
    assert "hx-trigger" not in done


@pytest.mark.parametrize("who", ["officer_a", "supervisor", "reviewer"])
def test_only_the_dispatch_desk_imports(client, cast, mapping, who):
    client.force_login(cast[who])

    assert client.get(reverse("connector:imports")).status_code == 403


def test_the_dispatcher_board_links_to_the_import(client, dispatcher):
    client.force_login(dispatcher)

    assert reverse("connector:imports") in client.get(reverse("tickets:dispatch_board")).content.decode()
