"""The system knows when enforcement has stopped: the sweep heartbeat, /healthz and the banner."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.urls import reverse

from hotline.celery import app as celery_app
from supervision.models import SweepCursor, SweepHeartbeat
from supervision.sweep import SweepResult, record_completed_sweep
from tests.supervision.conftest import MONDAY_9

pytestmark = pytest.mark.django_db

STALE = dt.timedelta(seconds=300)


@pytest.fixture(autouse=True)
def _stale_after(settings):
    settings.SUPERVISION_STALE_AFTER_SECONDS = 300


def beat(at: dt.datetime) -> None:
    SweepHeartbeat.objects.update_or_create(pk=1, defaults={"completed_at": at})


def healthz(client, **params):
    response = client.get(reverse("healthz"), params)
    return response.status_code, response.json()


# --- the heartbeat ------------------------------------------------------------------------------


def test_a_completed_sweep_stamps_the_heartbeat(clock, sweep):
    assert not SweepHeartbeat.objects.exists()
    sweep()
    heartbeat = SweepHeartbeat.objects.get()
    assert heartbeat.completed_at == MONDAY_9
    assert heartbeat.last_run["more"] is False


def test_the_heartbeat_never_moves_back(clock, sweep):
    sweep()
    clock.shift(dt.timedelta(minutes=-5))  # a slower sweep that started earlier finishes later
    record_completed_sweep(SweepResult())
    assert SweepHeartbeat.objects.get().completed_at == MONDAY_9


def test_a_sweep_that_fails_leaves_the_heartbeat_alone(clock, sweep, monkeypatch):
    beat(MONDAY_9 - dt.timedelta(hours=1))
    monkeypatch.setattr("supervision.sweep.requeue_deliveries", lambda **kw: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        sweep()
    assert SweepHeartbeat.objects.get().completed_at == MONDAY_9 - dt.timedelta(hours=1)


def test_the_migration_carries_the_last_sweep_forward_from_the_cursors():
    migration = importlib.import_module("supervision.migrations.0005_sweep_heartbeat")
    SweepCursor.objects.create(name="events", position=MONDAY_9)
    SweepCursor.objects.create(name="handling", position=MONDAY_9)
    SweepCursor.objects.create(name="early")  # never advanced
    SweepCursor.objects.filter(name="events").update(updated_at=MONDAY_9)
    SweepCursor.objects.filter(name="handling").update(updated_at=MONDAY_9 + dt.timedelta(minutes=1))
    SweepCursor.objects.filter(name="early").update(updated_at=MONDAY_9 + dt.timedelta(hours=1))
    migration.carry_forward(apps, None)
    assert SweepHeartbeat.objects.get().completed_at == MONDAY_9 + dt.timedelta(minutes=1)


def test_the_migration_leaves_a_database_never_swept_without_a_heartbeat():
    migration = importlib.import_module("supervision.migrations.0005_sweep_heartbeat")
    migration.carry_forward(apps, None)
    assert not SweepHeartbeat.objects.exists()


# --- /healthz -----------------------------------------------------------------------------------


def test_healthz_is_ok_while_the_sweep_runs(client, clock):
    beat(MONDAY_9 - dt.timedelta(minutes=1))
    status, body = healthz(client)
    assert status == 200
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"]["sweep"]["age_seconds"] == 60


def test_healthz_is_503_when_the_last_sweep_is_too_old(client, clock):
    beat(MONDAY_9 - STALE - dt.timedelta(seconds=1))
    status, body = healthz(client)
    assert status == 503
    assert body["failed"] == ["sweep"]
    assert body["checks"]["database"] == {"ok": True}


def test_healthz_is_503_when_no_sweep_ever_completed(client):
    status, body = healthz(client)
    assert status == 503
    assert body["failed"] == ["sweep"] and body["checks"]["sweep"]["completed_at"] is None


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def down():
        raise OperationalError('connection to server at "db" failed')

    monkeypatch.setattr("supervision.sweep.last_sweep_completed_at", down)
    status, body = healthz(client)
    assert status == 503
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}  # no host names


def test_shallow_healthz_does_not_touch_the_broker(client, clock, monkeypatch):
    beat(MONDAY_9)
    monkeypatch.setattr("hotline.health.check_broker", lambda health: pytest.fail("asked the broker"))
    assert healthz(client)[0] == 200


@pytest.fixture
def broker():
    """Point the Celery app at another broker for one test."""
    keys = ("broker_url", "broker_transport_options")
    saved = {key: celery_app.conf[key] for key in keys}
    yield lambda url, **options: celery_app.conf.update(broker_url=url, broker_transport_options=options)
    celery_app.conf.update(saved)


def test_deep_healthz_is_503_when_the_broker_does_not_answer(client, clock, broker):
    beat(MONDAY_9)
    broker("redis://127.0.0.1:1/0")  # nothing listens there
    status, body = healthz(client, deep="1")
    assert status == 503
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False


def test_deep_healthz_is_ok_when_the_broker_answers(client, clock, broker, tmp_path):
    beat(MONDAY_9)
    broker("filesystem://", data_folder_in=str(tmp_path), data_folder_out=str(tmp_path))
    status, body = healthz(client, deep="1")
    assert status == 200, body
    assert body["checks"]["broker"] == {"ok": True}


def test_the_health_command_exits_nonzero_when_enforcement_stopped(capsys):
    with pytest.raises(CommandError, match="sweep"):
        call_command("supervision_health")
    assert json.loads(capsys.readouterr().out)["failed"] == ["sweep"]


def test_the_health_command_passes_while_the_sweep_runs(capsys, clock):
    beat(MONDAY_9)
    call_command("supervision_health")
    assert json.loads(capsys.readouterr().out)["status"] == "ok"


# --- the banner ---------------------------------------------------------------------------------

BANNER = "督办巡检已停止"


def page_for(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("supervision:notice_list")).content.decode()


def test_supervisor_sees_how_long_the_sweep_has_been_stopped(client, clock, supervisor):
    beat(MONDAY_9 - dt.timedelta(minutes=47, seconds=30))
    page = page_for(client, supervisor)
    assert f"{BANNER} 47 分钟" in page
    assert not re.search(r"\sstyle=", page)  # the Content-Security-Policy refuses inline styles


def test_dispatcher_sees_the_banner_too(client, clock, dispatcher):
    beat(MONDAY_9 - dt.timedelta(hours=2))
    client.force_login(dispatcher)
    assert f"{BANNER} 120 分钟" in client.get(reverse("home"), follow=True).content.decode()


def test_no_banner_while_the_sweep_runs(client, clock, supervisor):
    beat(MONDAY_9 - dt.timedelta(minutes=2))
    assert BANNER not in page_for(client, supervisor)


def test_no_banner_for_an_officer(client, clock, officer_a):
    beat(MONDAY_9 - dt.timedelta(hours=2))
    client.force_login(officer_a)
    assert BANNER not in client.get(reverse("home"), follow=True).content.decode()


def test_the_banner_in_english(client, clock, supervisor):
    beat(MONDAY_9 - dt.timedelta(minutes=10))
    client.cookies["django_language"] = "en"
    assert "The supervision sweep has been stopped for 10 minutes" in page_for(client, supervisor)
