"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is the system's /usr/bin/chromium (HOTLINE_CHROMIUM to
override). Without playwright or Chromium the tests skip with the reason, and fail under CI=true.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from stations.models import RoutingRule, RoutingRuleKind
from tests.conftest import require_service
from tests.factories import TopicFactory

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = sync_playwright = None

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "pass12345"  # tests.factories.UserFactory
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    require_service(sync_playwright is not None, "needs playwright for Python: pip install -r requirements-dev.txt")
    require_service(Path(CHROMIUM).exists(), f"needs Chromium at {CHROMIUM}: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def topic(transactional_db):
    return TopicFactory()


@pytest.fixture
def routing(station_a):
    return RoutingRule.objects.create(kind=RoutingRuleKind.ADDRESS, keyword="幸福小区", unit=station_a)


# Every page reports what its Content-Security-Policy refused: Chromium logs it to the console,
# and this script turns the DOM's securitypolicyviolation event into a console error as well.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def watch_csp(context) -> list[str]:
    """Collect every CSP violation of the context's pages into the returned list."""
    violations: list[str] = []
    context.add_init_script(CSP_REPORTER)

    def on_console(message):
        if message.type == "error" and ("Content Security Policy" in message.text or "CSP violation" in message.text):
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)
    return violations


@pytest.fixture
def page_errors():
    """Uncaught script errors in the pages of the test's contexts; the test fails on any."""
    return []


@pytest.fixture
def new_context(browser, page_errors):
    """new_context(viewport=DESKTOP) → a browser context whose CSP violations and uncaught script
    errors fail the test."""
    contexts = []

    def make(viewport=DESKTOP, **context_options):
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **context_options
        )
        context.set_default_timeout(15_000)
        context.csp_violations = watch_csp(context)
        # A script that throws leaves the page half-working (it once disabled the double-submit guard).
        context.on("weberror", lambda web_error: page_errors.append(str(web_error.error)))
        contexts.append((context, context.csp_violations))
        return context

    yield make
    violations = [v for _context, found in contexts for v in found]
    for context, _found in contexts:
        context.close()
    assert violations == [], "the Content-Security-Policy refused something:\n" + "\n".join(violations)
    assert page_errors == [], "uncaught errors in the page:\n" + "\n".join(page_errors)


@pytest.fixture
def login(new_context, live_server):
    """login(user, viewport=DESKTOP) → a page signed in as `user`, on the page they land on."""

    def sign_in(user, viewport=DESKTOP, **context_options):
        context = new_context(viewport=viewport, **context_options)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("form button[type=submit].btn-primary")
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{user.username} could not sign in"
        return page

    return sign_in


def shot(page, name: str) -> Path:
    """Save a screenshot of the whole page to test-artifacts/<name>.png."""
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fits_width(page) -> bool:
    """No sideways scrolling: the layout fits the viewport's width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
