"""Helpers for the supervision tests: a frozen clock in the bureau's time zone, orders walked
through the real services, and the sweep."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hotline.celery import app as celery_app
from supervision.models import Notice, NoticeKind, RuleFiring
from supervision.sweep import run_sweep
from tests.factories import TopicFactory
from tickets import services
from tickets.models import Channel, HandlingType, Nature

TZ = ZoneInfo("Asia/Shanghai")
# A Monday, and a working day on the 2026 calendar.
MONDAY_9 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The cast's passwords are hashed for every test; the default hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks sent from code under test run in-process; no broker is touched."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def clock():
    """Frozen time, starting Monday 2026-11-23 09:00 in the bureau's time zone."""
    with time_machine.travel(MONDAY_9, tick=False) as traveller:
        yield traveller


@pytest.fixture
def topic(db):
    return TopicFactory()


def intake(topic, **overrides):
    data = {
        "channel": Channel.HOTLINE_12345,
        "caller_name": "王女士",
        "caller_phone": "13812345678",
        "address": "城关街道幸福小区3号楼",
        "content": "楼上深夜装修噪音扰民，影响孩子上网课。",
        "nature": Nature.COMPLAINT,
        "handling_type": HandlingType.SERVICE,
        "topic": topic,
    }
    data.update(overrides)
    return services.order_intake(**data).order


@pytest.fixture
def make_dispatched(topic, dispatcher, station_a):
    """An order received and dispatched to station A now; keyword arguments go to intake."""

    def make(unit=None, **overrides):
        order = intake(topic, **overrides)
        return services.order_dispatch(order=order, unit=unit or station_a, acting_user=dispatcher)

    return make


@pytest.fixture
def sweep():
    return lambda: run_sweep(time_budget=0)


def notices(order=None, kind: str | None = None):
    qs = Notice.objects.all()
    if order is not None:
        qs = qs.filter(orders=order)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs


def firings(rule: str, order=None):
    qs = RuleFiring.objects.filter(rule=rule)
    return qs.filter(order=order) if order is not None else qs


SUPERVISION = NoticeKind.SUPERVISION
REMINDER = NoticeKind.REMINDER
