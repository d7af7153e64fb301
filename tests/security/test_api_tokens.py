"""API tokens: stored as a SHA-256 digest, shown once, with an expiry and the time last used."""

import datetime as dt
import hashlib
import importlib

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from stations.models import ApiToken
from stations.tokens import token_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def with_key(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def root(db):
    return UserFactory(username="root", role="administrator", unit=None, is_staff=True, is_superuser=True)


def test_a_token_authenticates_as_its_user(officer_a):
    _token, key = token_issue(user=officer_a, name="test")
    response = with_key(key).get("/api/v1/staff/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [officer_a.pk]


def test_the_key_is_not_stored_in_clear(officer_a):
    token, key = token_issue(user=officer_a, name="test")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(value) for value in row.values()}
    assert row["digest"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["prefix"] == key[:8]


def test_an_expired_token_is_refused(officer_a):
    _token, key = token_issue(user=officer_a, name="test", expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = with_key(key).get(ORDERS)
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌已过期，请联系系统管理员重新签发。"


def test_a_token_works_until_it_expires(officer_a):
    _token, key = token_issue(user=officer_a, name="test", expires_at=timezone.now() + dt.timedelta(days=1))
    assert with_key(key).get(ORDERS).status_code == 200
    with time_machine.travel(dt.timedelta(days=1, minutes=1)):
        assert with_key(key).get(ORDERS).status_code == 401


def test_using_a_token_records_when_it_was_last_used(officer_a):
    token, key = token_issue(user=officer_a, name="test")
    assert token.last_used_at is None
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with_key(key).get(ORDERS)
        token.refresh_from_db()
        assert token.last_used_at == timezone.now()
        clock.shift(dt.timedelta(minutes=5))
        with_key(key).get(ORDERS)
        token.refresh_from_db()
        assert token.last_used_at == timezone.now()


def test_a_token_used_twice_in_a_minute_is_written_once(officer_a, django_assert_num_queries):
    _token, key = token_issue(user=officer_a, name="test")
    with_key(key).get("/api/v1/topics/")
    client = with_key(key)
    with django_assert_num_queries(2):  # the token with its user, the topics; no UPDATE
        client.get("/api/v1/topics/")


def test_a_new_token_expires_after_the_configured_term_by_default(root, client):
    client.force_login(root)
    form = client.get("/admin/stations/apitoken/add/").context["adminform"].form
    proposed = form.initial["expires_at"] - timezone.now()
    assert dt.timedelta(days=364) < proposed <= dt.timedelta(days=365)


def test_the_admin_shows_the_key_once_when_it_issues_a_token(root, officer_a, client):
    client.force_login(root)
    response = client.post(
        "/admin/stations/apitoken/add/",
        {"user": officer_a.pk, "name": "12345平台", "expires_at_0": "2027-12-31", "expires_at_1": "00:00:00"},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    key = response.context["key"]
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert with_key(key).get(ORDERS).status_code == 200
    # Never again: neither the change page nor the list can show it.
    assert key not in client.get(f"/admin/stations/apitoken/{token.pk}/change/").content.decode()
    assert key not in client.get("/admin/stations/apitoken/").content.decode()


def test_the_admin_list_shows_prefixes_not_keys(root, officer_a, client):
    keys = [token_issue(user=officer_a, name=f"客户端{n}")[1] for n in range(3)]
    client.force_login(root)
    html = client.get("/admin/stations/apitoken/").content.decode()
    for key in keys:
        assert f"{key[:8]}…" in html
        assert key not in html


MIGRATION = "0004_carry_authtoken_keys"


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_old_clear_text_tokens_over_hashed(officer_a):
    executor = MigrationExecutor(connection)
    executor.migrate([("stations", "0003_apitoken")])
    timestamp = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        # rest_framework.authtoken's table, as a database from before this change has it.
        cursor.execute(
            f'CREATE TABLE "authtoken_token" ("key" varchar(40) PRIMARY KEY, "created" {timestamp} NOT NULL, '
            '"user_id" bigint NOT NULL UNIQUE)'
        )
        cursor.execute(
            'INSERT INTO "authtoken_token" ("key", "created", "user_id") VALUES (%s, %s, %s)',
            [old_key, dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC), officer_a.pk],
        )
        cursor.execute(
            'INSERT INTO "django_migrations" ("app", "name", "applied") VALUES (%s, %s, %s)',
            ["authtoken", "0001_initial", timezone.now()],
        )
    executor = MigrationExecutor(connection)
    executor.migrate([("stations", MIGRATION)])

    token = ApiToken.objects.get()
    assert (token.user, token.prefix) == (officer_a, old_key[:8])
    assert token.created_at == dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    assert token.expires_at > timezone.now() + dt.timedelta(days=364)
    assert with_key(old_key).get(ORDERS).status_code == 200
    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "django_migrations" WHERE "app" = %s', ["authtoken"])
        assert cursor.fetchone()[0] == 0


def test_the_migration_leaves_a_database_without_old_tokens_alone(db):
    module = importlib.import_module(f"stations.migrations.{MIGRATION}")
    assert "authtoken_token" not in connection.introspection.table_names()
    # Nothing to read: the function returns before touching anything (no schema editor needed).
    assert module.carry_tokens(None, type("Editor", (), {"connection": connection})()) is None


def test_token_errors_speak_the_requests_language(officer_a):
    _token, key = token_issue(user=officer_a, name="test", expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = with_key(key).get(ORDERS, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "The token has expired; ask the system administrator for a new one."
