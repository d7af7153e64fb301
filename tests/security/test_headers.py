"""Security headers: the Content-Security-Policy, no-store on personal data, the session's life."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from supervision.models import SweepHeartbeat

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_carry_a_strict_content_security_policy(client):
    csp = policy(client.get("/accounts/login/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in csp["script-src"] + csp["style-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]


def test_the_workbench_pages_have_no_inline_script_or_style(client, officer_a):
    client.force_login(officer_a)
    html = client.get("/workbench/").content.decode()
    # Every <script> is a file or JSON data; no element has a style attribute or an on… handler.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_swagger_ui_inline_script_carries_the_nonce_of_the_policy(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/api/schema/swagger-ui/")
    nonce = next(v for v in policy(response)["script-src"] if v.startswith("'nonce-"))[len("'nonce-") : -1]
    html = response.content.decode()
    assert f'<script nonce="{nonce}">' in html
    assert f'<style nonce="{nonce}">' in html


def test_redoc_alone_may_use_inline_styles(client, officer_a):
    client.force_login(officer_a)
    redoc = policy(client.get("/api/schema/redoc/"))
    assert redoc["style-src"] == ["'self'", "'unsafe-inline'"]
    assert redoc["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy(client.get("/workbench/"))["style-src"]


def test_pages_with_orders_are_not_stored_by_the_browser(client, officer_a, loop):
    order = loop.dispatched()
    client.force_login(officer_a)
    assert client.get(f"/orders/{order.pk}/")["Cache-Control"] == "no-store"


def test_api_answers_are_not_stored(officer_a, loop):
    from rest_framework.test import APIClient

    order = loop.dispatched()
    api = APIClient()
    api.force_authenticate(officer_a)
    assert api.get(f"/api/v1/orders/{order.pk}/")["Cache-Control"] == "no-store"


def test_the_session_cookie_ends_with_the_browser(client, officer_a):
    response = client.post("/accounts/login/", {"username": "officer_a", "password": "pass12345"})
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]


def test_a_session_lasts_eight_hours(client, officer_a, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client.post("/accounts/login/", {"username": "officer_a", "password": "pass12345"})
    with time_machine.travel(dt.timedelta(hours=7, minutes=50)):
        assert client.get("/workbench/").status_code == 200
    with time_machine.travel(dt.timedelta(hours=8, minutes=1)):
        response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_with_https_on_plain_http_is_redirected_and_hsts_sent(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert "max-age=31536000" in client.get("/accounts/login/", secure=True)["Strict-Transport-Security"]


def test_the_health_check_answers_over_plain_http_even_with_https_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    SweepHeartbeat.objects.create(pk=1, completed_at=timezone.now())  # else 503: deadlines not enforced
    assert client.get("/healthz").status_code == 200
