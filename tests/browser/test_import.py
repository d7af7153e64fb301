"""Importing the platform's export in a real browser: upload, preview, confirm, progress by polling."""

from __future__ import annotations

import pytest

from connector.models import ImportJob, ImportMapping
from connector.services import imports
from tests.browser.conftest import expect, fits_width, shot
from tests.connector.platform_export import CODE_MAP, COLUMN_MAP, row, xlsx
from tickets.models import WorkOrder

pytestmark = pytest.mark.browser


@pytest.fixture
def mapping(topic):
    return ImportMapping.objects.create(
        name="市12345平台导出", column_map=COLUMN_MAP, code_map=CODE_MAP, date_format="%Y-%m-%d %H:%M"
    )


def upload(page, live_server, path, name: str = ""):
    page.goto(f"{live_server.url}/dispatch/")
    page.get_by_role("link", name="导入平台工单").click()
    if name:
        shot(page, name)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state()


def test_dispatcher_previews_then_imports_a_small_file(login, live_server, dispatcher, mapping, tmp_path):
    bad = row(3)
    bad[4] = "电话"
    path = tmp_path / "工单导出.xlsx"
    path.write_bytes(xlsx([row(1), row(2), bad]))
    page = login(dispatcher)

    upload(page, live_server, path, name="import-upload")

    expect(page.get_by_test_id("preview-invalid")).to_have_text("1")
    expect(page.locator("tr[data-status=invalid]")).to_contain_text("来电号码：请输入有效的电话号码。")
    assert fits_width(page)
    shot(page, "import-preview")
    assert WorkOrder.objects.count() == 0
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_text("导入完成。")).to_be_visible()
    expect(page.get_by_test_id("import-created")).to_have_text("2")
    shot(page, "import-done")


def test_the_page_follows_a_background_import_to_its_end(login, live_server, dispatcher, mapping, tmp_path, settings):
    settings.HOTLINE_IMPORT_INLINE_ROWS = 0
    path = tmp_path / "工单导出.xlsx"
    path.write_bytes(xlsx([row(n) for n in range(1, 41)]))
    page = login(dispatcher)
    upload(page, live_server, path)
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-status")).to_have_text("排队中")
    shot(page, "import-queued")

    imports.import_run(job_id=ImportJob.objects.get().pk)  # what the worker does

    expect(page.get_by_test_id("import-status")).to_have_text("已完成", timeout=10_000)
    expect(page.get_by_test_id("import-created")).to_have_text("40")
