"""A database made by an earlier release migrates forward without losing a row.

The test checks out the release (a git worktree of BASELINE), lets *its* code migrate a fresh
database and load the demo data plus a bulletin, a campaign, a typical case and a group permission,
then runs today's `migrate` on that database and compares. On PostgreSQL when the suite runs there
(as in CI), else on a SQLite file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[1]
# main before the supervision app was split in two (analysis 0001, supervision 0004).
BASELINE = "12f5175"

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SEED_AT_BASELINE = """
import datetime as dt
from django.contrib.auth.models import Group, Permission
from stations.models import Unit, User
from supervision.bulletins import bulletin_generate
from supervision.models import Bulletin, Campaign, TypicalCase
from tickets.models import Topic, WorkOrder
bulletin_generate(start=dt.date(2026, 11, 16), end=dt.date(2026, 11, 22), automatic=True)
boss = User.objects.filter(is_superuser=True).first()
station = Unit.objects.filter(kind="station").order_by("pk").first()
campaign = Campaign.objects.create(title="噪音专项整治", topic=Topic.objects.order_by("pk").first(), lead_unit=station,
    starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 11, 30), created_by=boss)
campaign.units.add(station)
campaign.orders.add(*WorkOrder.objects.order_by("pk")[:3])
TypicalCase.objects.create(order=WorkOrder.objects.order_by("pk").first(), kind="good", title="及时联系",
    commentary="一小时内联系群众", marked_by=boss)
Group.objects.create(name="通报阅读").permissions.add(Permission.objects.get(codename="view_bulletin"))
"""

COUNT = """
from django.apps import apps
from django.contrib.auth.models import Group
rows = {{m._meta.db_table: m.objects.count() for m in apps.get_models() if m._meta.managed}}
campaign = apps.get_model({campaign!r}).objects.get()
rows["campaign_orders"] = campaign.orders.count()
rows["group_permissions"] = sorted(
    f"{{p.content_type.app_label}}.{{p.codename}}" for p in Group.objects.get(name="通报阅读").permissions.all()
)
print(repr(rows))
"""


def _git(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def baseline_tree(tmp_path):
    if shutil.which("git") is None or _git("cat-file", "-e", f"{BASELINE}^{{commit}}").returncode != 0:
        reason = f"needs the git history with commit {BASELINE}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    tree = tmp_path / "baseline"
    added = _git("worktree", "add", "--detach", str(tree), BASELINE)
    assert added.returncode == 0, added.stderr
    yield tree
    _git("worktree", "remove", "--force", str(tree))


@pytest.fixture
def scratch_database(tmp_path):
    """The URL of an empty database of the suite's own kind."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'forward.sqlite3'}"
        return
    name = f"hotline_forward_{uuid.uuid4().hex[:8]}"
    params = connection.get_connection_params()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    host = params.get("host") or "127.0.0.1"
    port = params.get("port") or 5432
    password = f":{params['password']}" if params.get("password") else ""
    yield f"postgres://{params.get('user', 'postgres')}{password}@{host}:{port}/{name}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(tree: Path, database_url: str, *args: str, stdin: str | None = None) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "hotline.settings",
        # Demo transitions must not reach a broker from this test.
        "CELERY_BROKER_URL": "memory://",
        "SUPERVISION_EVENT_TASKS": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=tree, env=env, input=stdin, capture_output=True, text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result.stdout


def _rows(tree: Path, database_url: str, campaign: str) -> dict:
    out = _manage(tree, database_url, "shell", "--no-imports", stdin=COUNT.format(campaign=campaign))
    return eval(out.strip().splitlines()[-1])  # noqa: S307 - our own repr() of a dict


def test_a_database_of_the_previous_release_migrates_forward_without_losing_a_row(baseline_tree, scratch_database):
    _manage(baseline_tree, scratch_database, "migrate", "--noinput")
    _manage(baseline_tree, scratch_database, "loaddemo")
    _manage(baseline_tree, scratch_database, "shell", "--no-imports", stdin=SEED_AT_BASELINE)
    before = _rows(baseline_tree, scratch_database, "supervision.Campaign")

    _manage(ROOT, scratch_database, "migrate", "--noinput")
    after = _rows(ROOT, scratch_database, "analysis.Campaign")

    assert before["tickets_workorder"] > 100
    assert before["supervision_bulletin"] == 1 and before["campaign_orders"] == 3
    # Every table the old release had keeps every row; only the permission's app label moved. New
    # models add content types and permissions: those two tables may only grow.
    growing = {"group_permissions", "auth_permission", "django_content_type"}
    assert {t: n for t, n in after.items() if t in before and t not in growing} == {
        t: n for t, n in before.items() if t not in growing
    }
    assert all(after[t] >= before[t] for t in ("auth_permission", "django_content_type"))
    assert before["group_permissions"] == ["supervision.view_bulletin"]
    assert after["group_permissions"] == ["analysis.view_bulletin"]
    assert "No changes detected" in _manage(ROOT, scratch_database, "makemigrations", "--check", "--dry-run")
