"""Sign-in lockout (django-axes): by username and by address, on the workbench and the admin."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory

from hotline.security import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "pass12345"  # tests.factories.UserFactory


def fail(client, path, username, times, **extra):
    for _ in range(times):
        response = client.post(path, {"username": username, "password": "wrong-password"}, **extra)
    return response


def sign_in(client, path, username, **extra):
    return client.post(path, {"username": username, "password": PASSWORD}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def root(db):
    return UserFactory(username="root", role="administrator", unit=None, is_staff=True, is_superuser=True)


def test_failures_below_the_limit_still_let_the_right_password_in(client, officer_a):
    fail(client, LOGIN, "officer_a", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, LOGIN, "officer_a").status_code == 302
    assert signed_in(client)


def test_the_right_password_after_the_limit_is_refused_with_429(client, officer_a):
    fail(client, LOGIN, "officer_a", settings.AXES_FAILURE_LIMIT)
    response = sign_in(client, LOGIN, "officer_a")
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lockout_page_tells_in_chinese_when_to_try_again(client, officer_a):
    response = fail(client, LOGIN, "officer_a", settings.AXES_FAILURE_LIMIT)
    html = response.content.decode()
    assert response.status_code == 429
    assert "登录已被暂时锁定" in html
    assert "请 15 分钟后再试" in html
    assert "联系系统管理员" in html


def test_a_locked_username_stays_locked_from_another_address(client, officer_a):
    fail(client, LOGIN, "officer_a", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.0.0.1")
    assert sign_in(client, LOGIN, "officer_a", REMOTE_ADDR="10.0.0.2").status_code == 429


def test_failures_across_usernames_lock_out_the_address(client, officer_a):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(client, LOGIN, f"guess{n}", 1, REMOTE_ADDR="10.0.0.9")
    assert sign_in(client, LOGIN, "officer_a", REMOTE_ADDR="10.0.0.9").status_code == 429
    assert sign_in(client, LOGIN, "officer_a", REMOTE_ADDR="10.0.0.10").status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_address_lockout(client, officer_a):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(client, LOGIN, f"guess{n}", 1, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert sign_in(client, LOGIN, "officer_a", HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


def test_behind_a_proxy_the_address_it_forwarded_counts(settings):
    settings.HOTLINE_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    # The proxy appended the client's address; what the client wrote to its left is not trusted.
    assert client_ip(request) == "203.0.113.7"


def test_the_admin_sign_in_locks_out_too(client, root):
    fail(client, ADMIN_LOGIN, "root", settings.AXES_FAILURE_LIMIT)
    response = sign_in(client, ADMIN_LOGIN, "root")
    assert response.status_code == 429
    assert "登录已被暂时锁定" in response.content.decode()
    assert not signed_in(client)


def test_the_lockout_ends_after_the_cool_off(client, officer_a):
    fail(client, LOGIN, "officer_a", settings.AXES_FAILURE_LIMIT)
    with time_machine.travel(dt.timedelta(minutes=16)):
        assert sign_in(client, LOGIN, "officer_a").status_code == 302


def test_an_administrator_unlocks_a_locked_out_user_in_the_admin(client, officer_a, root):
    fail(client, LOGIN, "officer_a", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.0.0.5")
    admin = client.__class__()
    admin.force_login(root)
    attempts = list(AccessAttempt.objects.filter(username="officer_a").values_list("pk", flat=True))
    response = admin.post("/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": attempts}, follow=True)
    assert "已解除锁定" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="officer_a").exists()
    assert sign_in(client, LOGIN, "officer_a", REMOTE_ADDR="10.0.0.5").status_code == 302


def test_the_unlock_page_lists_the_locked_out_username(client, officer_a, root):
    fail(client, LOGIN, "officer_a", settings.AXES_FAILURE_LIMIT)
    client.force_login(root)
    response = client.get("/admin/axes/accessattempt/", {"locked_out": "yes"})
    assert response.status_code == 200
    assert "officer_a" in response.content.decode()


def test_the_lockout_page_speaks_english_when_chosen(client, officer_a):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = fail(client, LOGIN, "officer_a", settings.AXES_FAILURE_LIMIT)
    assert "Please try again in 15 minutes" in response.content.decode()


def test_the_admin_names_the_lockout_list_in_chinese(client, root):
    client.force_login(root)
    assert "访问尝试" in client.get("/admin/axes/accessattempt/").content.decode()
