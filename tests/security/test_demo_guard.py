"""The demo (published password, an administrator `admin`) never lands in production by accident."""

from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from hotline.security import MSG_PUBLISHED_PASSWORD, PUBLISHED_PASSWORDS
from stations.models import User
from tickets.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def loaddemo(*args):
    call_command("loaddemo", "--orders", "3", *args, stdout=StringIO())


def test_loaddemo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        loaddemo()
    assert not User.objects.exists()


def test_loaddemo_if_empty_refuses_too_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        loaddemo("--if-empty")
    assert not User.objects.exists()


def test_loaddemo_i_know_refuses_a_database_in_use(settings, officer_a):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="数据库中已有人员"):
        loaddemo("--i-know")
    assert not User.objects.filter(username="admin").exists()
    assert User.objects.get(username="officer_a").check_password("pass12345")


def test_loaddemo_i_know_fills_an_empty_database(settings):
    settings.DEBUG = False
    loaddemo("--i-know")
    assert User.objects.get(username="admin").is_superuser


def test_the_demo_password_is_the_published_one():
    assert DEMO_PASSWORD in PUBLISHED_PASSWORDS


def test_the_published_password_is_refused_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(ValidationError) as refused:
        validate_password(DEMO_PASSWORD)
    assert MSG_PUBLISHED_PASSWORD in refused.value.messages


def test_the_published_password_is_refused_whatever_its_case(settings):
    settings.DEBUG = False
    with pytest.raises(ValidationError):
        validate_password(" Hotline-Demo ")


def test_the_published_password_is_accepted_with_debug_on(settings):
    settings.DEBUG = True
    validate_password(DEMO_PASSWORD)


def test_the_admin_refuses_to_set_the_published_password(settings, client, officer_a):
    settings.DEBUG = False
    root = User.objects.create_superuser("root", "root@example.com", "a-long-real-password", role="administrator")
    client.force_login(root)
    response = client.post(
        f"/admin/stations/user/{officer_a.pk}/password/",
        {"password1": DEMO_PASSWORD, "password2": DEMO_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 200
    assert MSG_PUBLISHED_PASSWORD in response.content.decode()
    officer_a.refresh_from_db()
    assert not officer_a.check_password(DEMO_PASSWORD)


def test_loaddemo_explains_itself_in_english_too(settings):
    from django.utils import translation

    settings.DEBUG = False
    with translation.override("en"), pytest.raises(CommandError, match="password is published"):
        loaddemo()
