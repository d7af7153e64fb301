"""`enqueue()` sends a task by its registered name, so every process that sends must know it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SENT_BY_NAME = {"supervision.process_order_event", "supervision.deliver", "supervision.sweep"}


def test_a_fresh_web_process_knows_every_task_sent_by_name(tmp_path):
    # Asked of a new process: in this one, other tests have long imported the task modules.
    script = "import django; django.setup(); from hotline.celery import app; print(*sorted(app.tasks))"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hotline.settings",
        "SECRET_KEY": "broker-test",
        "HOTLINE_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert SENT_BY_NAME - set(done.stdout.split()) == set()
