"""The Monday 08:00 beat task."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings

from analysis.models import Bulletin
from analysis.tasks import generate_weekly_bulletin
from hotline.celery import app
from tests.analysis.conftest import GENERATED_AT, TZ, at

pytestmark = pytest.mark.django_db


def test_beat_runs_the_bulletin_every_monday_at_eight():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-bulletin"]
    assert entry["task"] == "analysis.generate_weekly_bulletin"
    assert entry["schedule"] == crontab(minute="0", hour="8", day_of_week="1")
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_celery_discovers_the_task():
    app.loader.import_default_modules()
    app.autodiscover_tasks(force=True)
    assert "analysis.generate_weekly_bulletin" in app.tasks


def test_task_publishes_the_previous_monday_to_sunday(week):
    with at(GENERATED_AT):
        pk = generate_weekly_bulletin()
    bulletin = Bulletin.objects.get(pk=pk)
    assert (bulletin.period_start, bulletin.period_end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert bulletin.automatic and bulletin.generated_by is None
    assert bulletin.data["totals"]["received"] == 10


def test_task_run_twice_publishes_once():
    with at(GENERATED_AT):
        first = generate_weekly_bulletin()
        second = generate_weekly_bulletin.apply().get()
    assert first == second
    assert Bulletin.objects.count() == 1


def test_task_late_on_monday_night_utc_still_picks_the_local_week():
    # Monday 00:30 in Shanghai is Sunday 16:30 UTC: the week just ended is the 16th–22nd.
    with at(dt.datetime(2026, 11, 23, 0, 30, tzinfo=TZ)):
        pk = generate_weekly_bulletin()
    assert Bulletin.objects.get(pk=pk).period_start == dt.date(2026, 11, 16)


def test_bad_schedule_fails_loudly():
    from django.core.exceptions import ImproperlyConfigured

    from hotline.settings import _cron

    with pytest.raises(ImproperlyConfigured):
        _cron("0 8 * *", "HOTLINE_BULLETIN_SCHEDULE")
    with pytest.raises(ImproperlyConfigured):
        _cron("0 25 * * 1", "HOTLINE_BULLETIN_SCHEDULE")
