"""Every kind of page works under the Content-Security-Policy: nothing refused, nothing broken.

The `new_context` / `login` fixtures fail a test on any CSP violation a page reports (here and in
every other browser test); these tests visit the pages the loop tests do not reach.
"""

import datetime as dt

import pytest
from django.utils import timezone

from analysis.bulletins import bulletin_generate
from stations.models import Role
from supervision import services as notices
from supervision.models import NoticeKind
from tests.browser.conftest import ARTIFACTS, PASSWORD, expect, shot
from tests.factories import UserFactory
from tickets import services
from tickets.models import Channel, HandlingType, Nature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(dispatcher, station_a, topic):
    order = services.order_intake(
        channel=Channel.HOTLINE_12345,
        caller_name="王女士",
        caller_phone="13812345678",
        address="城关街道幸福小区3号楼",
        content="楼上深夜装修噪音扰民。",
        nature=Nature.COMPLAINT,
        handling_type=HandlingType.SERVICE,
        topic=topic,
        acting_user=dispatcher,
    ).order
    return services.order_dispatch(order=order, unit=station_a, acting_user=dispatcher)


@pytest.fixture
def root(transactional_db):
    return UserFactory(username="root", role=Role.ADMINISTRATOR, unit=None, is_staff=True, is_superuser=True)


def visit(page, url):
    response = page.goto(url)
    assert response.status < 400, (url, response.status)
    page.wait_for_load_state("networkidle")
    return page


def test_the_csp_watch_sees_a_violation(new_context, live_server):
    """The check itself: an inline script injected into a page is refused and reported."""
    context = new_context()
    page = context.new_page()
    visit(page, f"{live_server.url}/accounts/login/")
    with pytest.raises(Exception):  # noqa: B017 (Playwright reports the refused script as an error)
        page.add_script_tag(content="window.__ran = true;")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in v for v in context.csp_violations), context.csp_violations
    context.csp_violations.clear()  # seen; the fixture's own check would fail the test otherwise


def test_workbench_pages_of_every_role_load_under_the_policy(login, live_server, cast, order):
    base = live_server.url
    desk = login(cast["dispatcher"])
    for path in ("/dispatch/", "/callbacks/", "/orders/", f"/orders/{order.pk}/"):
        visit(desk, base + path)
    # The intake suggestion is an htmx request: it still fills in.
    visit(desk, base + "/dispatch/")
    desk.fill("#id_intake_address", "城关街道幸福小区5号")
    desk.wait_for_load_state("networkidle")
    station = login(cast["officer_a"])
    visit(station, base + "/workbench/")
    expect(station.locator(".countdown").first).to_contain_text("剩余")  # app.js ran
    visit(login(cast["reviewer"]), base + "/review/")


def test_supervision_letters_and_bulletins_load_under_the_policy(login, live_server, supervisor, order):
    notice = notices.notice_issue_by_hand(
        acting_user=supervisor, order=order, kind=NoticeKind.SUPERVISION, reason="工单办理超期。"
    )
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    bulletin = bulletin_generate(start=monday, end=monday + dt.timedelta(days=6), acting_user=supervisor)
    base = live_server.url
    page = login(supervisor)
    for path in (
        "/overview/",
        "/supervision/",
        f"/supervision/notices/{notice.pk}/",
        "/analysis/dashboard/",
        "/analysis/hotspots/",
        "/analysis/bulletins/",
        f"/analysis/bulletins/{bulletin.pk}/",
    ):
        visit(page, base + path)
    letter = visit(page, f"{base}/supervision/notices/{notice.pk}/letter/")
    # The letter's print CSS (an inline <style> with the nonce) applied: the red head is red.
    assert letter.locator(".red-head").evaluate("e => getComputedStyle(e).color") != "rgb(0, 0, 0)"
    shot(letter, "csp-letter")
    printed = visit(page, f"{base}/analysis/bulletins/{bulletin.pk}/print/")
    assert printed.locator("h1").evaluate("e => getComputedStyle(e).color") == "rgb(187, 0, 0)"


def test_swagger_ui_renders_under_the_policy(login, live_server, officer_a):
    page = login(officer_a)
    visit(page, f"{live_server.url}/api/schema/swagger-ui/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("hotline API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "csp-swagger-ui.png"))  # the viewport: the page is very tall


def test_redoc_renders_under_the_policy(login, live_server, officer_a):
    page = login(officer_a)
    visit(page, f"{live_server.url}/api/schema/redoc/")
    expect(page.locator("h1").first).to_contain_text("hotline API")
    # ReDoc's sidebar always asks its maker's server for a logo; the policy stops that request
    # (these machines have no internet anyway) and ReDoc hides the broken image. Only that.
    page.wait_for_timeout(500)  # the sidebar renders with the page; let its report arrive
    logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    found = page.context.csp_violations
    assert all(logo in v and "img-src" in v for v in found), found
    found.clear()
    # The viewport only: the whole ReDoc page is too tall to capture in time on a busy machine.
    page.screenshot(path=str(ARTIFACTS / "csp-redoc.png"))


def test_the_admin_loads_under_the_policy(login_admin, live_server, officer_a):
    page = login_admin
    base = live_server.url
    for path in (
        "/admin/",
        "/admin/stations/user/",
        f"/admin/stations/user/{officer_a.pk}/change/",
        "/admin/stations/apitoken/",
        "/admin/axes/accessattempt/",
    ):
        visit(page, base + path)
    visit(page, base + "/admin/stations/apitoken/add/")
    page.locator(".select2-selection").first.click()  # the user field's autocomplete (jQuery, select2)
    expect(page.locator(".select2-results__option").first).to_be_visible()
    shot(page, "csp-admin-token-add")


@pytest.fixture
def login_admin(new_context, live_server, root):
    page = new_context().new_page()
    visit(page, f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert "/admin/login/" not in page.url
    return page


def test_the_lockout_page_loads_under_the_policy(new_context, live_server, officer_a, settings):
    settings.AXES_FAILURE_LIMIT = 1
    page = new_context().new_page()
    visit(page, f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", "wrong-password")
    page.click("form button[type=submit].btn-primary")
    expect(page.locator("[data-testid=locked-out]")).to_contain_text("登录已被暂时锁定")
    shot(page, "csp-locked-out")
