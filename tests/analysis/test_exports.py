"""Downloads: the .xlsx workbook and the PDF, both from the frozen snapshot."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analysis.bulletins import bulletin_generate
from analysis.exports import bulletin_pdf, export_render
from analysis.models import ExportJob
from analysis.views import _bulletin_context
from tests.analysis.conftest import GENERATED_AT, WEEK_END, WEEK_START, at
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulletin(week, manager):
    with at(GENERATED_AT):
        return bulletin_generate(start=WEEK_START, end=WEEK_END, acting_user=manager)


def cjk_font_installed() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return "Noto Sans CJK SC" in out


def test_xlsx_has_unit_rows_totals_first_and_percent_rates(client, manager, bulletin, station_a):
    client.force_login(manager)
    response = client.get(reverse("analysis:bulletin_xlsx", kwargs={"pk": bulletin.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="bulletin-20261116-20261122-v1.xlsx"' in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["单位情况", "督办提醒工单", "周例会发言单位"]
    ws = wb["单位情况"]
    header = [c.value for c in ws[4]]
    assert header[:6] == ["排名", "单位", "受理", "办结", "应办结", "办结率"]
    assert [c.value for c in ws[5]][1:5] == ["全局合计", 10, 4, 8]
    a_row = [c.value for c in ws[6]]
    assert a_row[:5] == [1, "城关派出所", 8, 3, 6]
    assert a_row[header.index("按时办结率")] == pytest.approx(0.5)
    assert ws.cell(row=6, column=header.index("按时办结率") + 1).number_format == "0.0%"
    assert a_row[header.index("平均办理时长（工作小时）")] == pytest.approx(7.4)
    b_row = [c.value for c in ws[7]]
    assert b_row[:2] == ["不参与排名", "卧龙山派出所"]


def test_xlsx_sheet_of_orders_behind_the_notices_has_its_header(client, manager, bulletin):
    client.force_login(manager)
    wb = load_workbook(io.BytesIO(client.get(reverse("analysis:bulletin_xlsx", kwargs={"pk": bulletin.pk})).content))
    assert [c.value for c in wb["督办提醒工单"][1]][:4] == ["类型", "通知编号", "承办单位", "工单编号"]


def test_xlsx_meeting_sheet_lists_the_orders(client, manager, bulletin, week):
    client.force_login(manager)
    wb = load_workbook(io.BytesIO(client.get(reverse("analysis:bulletin_xlsx", kwargs={"pk": bulletin.pk})).content))
    numbers = {row[2] for row in wb["周例会发言单位"].iter_rows(min_row=2, values_only=True)}
    assert numbers == {week["o2"].order.number, week["o9"].order.number}


def test_pdf_download_is_a_pdf(client, manager, bulletin, settings, tmp_path):
    # The PDF is rendered by a worker (analysis/exports.py): the first request queues it (202),
    # once rendered the same URL serves the stored file.
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager)
    assert client.get(reverse("analysis:bulletin_pdf", kwargs={"pk": bulletin.pk})).status_code == 202
    export_render(job_id=ExportJob.objects.get(bulletin=bulletin, format="pdf").pk)
    response = client.get(reverse("analysis:bulletin_pdf", kwargs={"pk": bulletin.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_pdf_embeds_the_noto_cjk_font_for_chinese(rf, manager, bulletin):
    require_service(cjk_font_installed(), "needs the Noto Sans CJK SC font (apt-get install fonts-noto-cjk)")
    request = rf.get("/")
    request.user = manager
    pdf = bulletin_pdf(_bulletin_context(request, bulletin), compress=False)
    assert b"Noto-Sans-CJK-SC" in pdf
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "每周通报" in text
        assert "城关派出所" in text


def test_print_view_is_standalone_html_with_the_tables(client, manager, bulletin):
    client.force_login(manager)
    response = client.get(reverse("analysis:bulletin_print", kwargs={"pk": bulletin.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "@page" in html and "城关派出所" in html and "周例会发言单位" in html
