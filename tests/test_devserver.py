"""`make run`'s supervisor starts a worker again when it exits by itself, and still stops on Ctrl-C."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process groups and prctl: Linux only")

SCRIPT = textwrap.dedent(
    """
    import signal, sys
    from pathlib import Path
    from hotline import devserver
    starts = Path(sys.argv[1])
    crash = [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"]
    wait = [sys.executable, "-c", "import time; time.sleep(120)"]
    procs = [
        devserver.Child("worker", crash, signal.SIGTERM, restart=True),
        devserver.Child("web", wait, signal.SIGINT),
    ]
    sys.exit(devserver.supervise(procs, cwd=Path.cwd()))
    """
)


def test_a_worker_that_exits_is_started_again_and_ctrl_c_still_stops_everything(tmp_path):
    starts = tmp_path / "starts"
    run = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(starts)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not starts.exists() or len(starts.read_text()) < 3):
        time.sleep(0.2)
    run.send_signal(signal.SIGINT)
    out, _ = run.communicate(timeout=30)
    assert len(starts.read_text()) >= 3, out  # started, exited, started again (twice at least)
    assert "starting it again" in out
    assert run.returncode == 0, out
