"""The printable letter: HTML with print CSS and the same as PDF."""

from __future__ import annotations

import pathlib

import pytest

from supervision import services
from supervision.letters import render_letter_html, render_letter_pdf
from tests.supervision.conftest import REMINDER, SUPERVISION

pytestmark = pytest.mark.django_db

ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def notice(clock, make_dispatched, supervisor):
    order = make_dispatched()
    return services.notice_issue_by_hand(
        acting_user=supervisor,
        order=order,
        kind=SUPERVISION,
        reason="工单办理超期，群众反映强烈。",
        requirement="请所长亲自过问。",
    )


def test_letter_html_has_the_parts_of_an_official_letter(notice):
    html = render_letter_html(notice)
    order = notice.orders.get()
    for part in (
        "督办单",
        "督办〔2026〕第001号",
        "城关派出所：",
        "工单办理超期，群众反映强烈。",
        order.number,
        "2026年11月24日 09:00",  # respond by
        "公安局指挥中心（民意感知中心）",
        "2026年11月23日",  # dated
        "@media print",
        "Noto Serif CJK SC",
    ):
        assert part in html, part


def test_letter_escapes_what_users_typed(clock, make_dispatched, supervisor):
    order = make_dispatched()
    notice = services.notice_issue_by_hand(
        acting_user=supervisor, order=order, kind=REMINDER, reason="<script>alert(1)</script>"
    )
    html = render_letter_html(notice)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_letter_pdf_is_a_pdf_with_chinese_fonts(notice):
    pdf = render_letter_pdf(notice)
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "notice-letter.pdf").write_bytes(pdf)
