"""Attachments on the order page in a real browser: upload a photo, see its thumbnail, no CSP
violation, fits a phone; another unit's officer gets the 404 page for the file."""

from __future__ import annotations

import pytest

from tests.attachments import files
from tests.browser.conftest import DESKTOP, PHONE, expect, fits_width, shot
from tickets import services
from tickets.models import Channel, HandlingType, Nature

pytestmark = pytest.mark.browser


@pytest.fixture
def order(dispatcher, officer_a, station_a, topic):
    order = services.order_intake(
        channel=Channel.HOTLINE_12345,
        caller_name="王女士",
        caller_phone="13812345678",
        address="城关街道幸福小区3号楼",
        content="楼下烧烤摊油烟扰民。",
        nature=Nature.COMPLAINT,
        handling_type=HandlingType.SERVICE,
        topic=topic,
        acting_user=dispatcher,
    ).order
    order = services.order_dispatch(order=order, unit=station_a, acting_user=dispatcher)
    return services.order_contact(order=order, acting_user=officer_a, method="phone", note="已联系")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_officer_uploads_a_photo_and_sees_its_thumbnail(login, live_server, order, officer_a, tmp_path, viewport):
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(files.png_bytes())
    page = login(officer_a, viewport=viewport)
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    panel = page.locator("#attachments")
    panel.locator("input[type=file]").set_input_files(str(photo))
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("ul.messages")).to_contain_text("现场照片.png")
    thumb = panel.locator(".attachment-thumb img")
    expect(thumb).to_be_visible()
    # Visible is laid out, not yet loaded: wait until the browser is done with the image (loaded
    # or failed), then ask whether it loaded. On a busy machine the two moments are far apart.
    # (expect polls the property through the driver: a wait_for_function string would be an eval,
    # which the page's CSP refuses.)
    expect(thumb).to_have_js_property("complete", True)
    assert page.evaluate("document.querySelector('.attachment-thumb img').naturalWidth") > 0
    shot(page, f"attachments-{'desktop' if viewport == DESKTOP else 'phone'}")
    assert fits_width(page)


def test_a_refused_file_says_why_in_chinese(login, live_server, order, officer_a, tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(files.EXE)
    page = login(officer_a)
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.locator("#attachments input[type=file]").set_input_files(str(fake))
    page.locator("#attachments button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_text("不支持该文件类型").first).to_be_visible()
    expect(page.locator("#attachments")).to_contain_text("暂无附件")
    shot(page, "attachments-refused")


def test_another_units_officer_gets_the_404_page_for_the_file(login, live_server, order, dispatcher, officer_b):
    from attachments.services import attachment_upload

    attachment = attachment_upload(order=order, file=files.upload(files.PDF, "材料.pdf"), acting_user=dispatcher)
    page = login(officer_b)
    response = page.goto(f"{live_server.url}/orders/{order.pk}/attachments/{attachment.pk}/download/")
    assert response.status == 404
