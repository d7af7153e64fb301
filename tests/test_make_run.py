"""`make run` as a person runs it: in a terminal, on the embedded defaults, stopped with one Ctrl-C.

The run gets a var/ folder of its own (HOTLINE_VAR_DIR) and a free port, and none of the
suite's DATABASE_URL / REDIS_URL: a fresh SQLite file and the filesystem broker, as on a new
machine. Linux only (it reads /proc to find every process of the run).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)
# Generous: a fresh migrate and loaddemo take 15 s on a quiet machine, over a minute on a busy one.
STARTUP_TIMEOUT = 300
FIRST_SWEEP_WITHIN = 60
STOPPED_WITHIN = 10
SWEEP_DONE = re.compile(r"Task supervision\.sweep\[[^\]]+\] succeeded")


class Terminal:
    """A pseudo-terminal whose output is collected by a thread, with the time each piece arrived."""

    def __init__(self):
        self.master, self.slave = pty.openpty()
        self.chunks: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def start_reading(self) -> None:
        os.close(self.slave)  # only the child holds it now: EOF (EIO) when the run is over
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.chunks.append((time.monotonic(), data.decode(errors="replace")))

    def text(self, since: float = 0.0) -> str:
        with self._lock:
            return "".join(chunk for at, chunk in self.chunks if at >= since)

    def wait_for(self, pattern: re.Pattern | str, timeout: float, process: subprocess.Popen) -> float:
        """When `pattern` first appeared (monotonic); fails on timeout or if the run ended."""
        pattern = re.compile(re.escape(pattern)) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                text = ""
                for at, chunk in self.chunks:
                    text += chunk
                    if pattern.search(text):
                        return at
            if process.poll() is not None:
                pytest.fail(f"make run ended ({process.returncode}) before {pattern.pattern!r}:\n{self.text()[-3000:]}")
            time.sleep(0.2)
        pytest.fail(f"no {pattern.pattern!r} within {timeout} s:\n{self.text()[-3000:]}")

    def close(self) -> None:
        if self.master is None:
            return
        self._thread.join(timeout=5)
        os.close(self.master)
        self.master = None


def session_processes(sid: int) -> list[int]:
    """Live (not zombie) processes of session `sid`: make and everything it started."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()  # state ppid pgrp session …
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(entry))
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str, timeout: float) -> int | None:
    """The page's status, asking again until `timeout` (a busy machine serves the first page slowly)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            if time.monotonic() > deadline:
                return None
            time.sleep(1)


@pytest.fixture
def make_available():
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc to follow the processes of the run")
    if shutil.which("make") is None:
        pytest.skip("needs GNU make")
    # `make run` installs the requirements first when they are newer than the venv's stamp: that is
    # no job for a test (and needs the network).
    up_to_date = subprocess.run(["make", "--question", "venv", f"VENV={VENV}"], cwd=ROOT, capture_output=True)
    if up_to_date.returncode != 0:
        pytest.skip(f"`make venv` is not up to date for {VENV}; run it first")


def test_make_run_sweeps_within_a_minute_and_one_ctrl_c_stops_it_cleanly(make_available, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(HOTLINE_VAR_DIR=str(tmp_path / "var"), TERM="dumb")
    terminal = Terminal()

    def controlling_terminal():  # in the child, after setsid: the pty becomes its terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        ["make", "run", f"PORT={port}", f"VENV={VENV}"],
        cwd=ROOT,
        env=env,
        stdin=terminal.slave,
        stdout=terminal.slave,
        stderr=terminal.slave,
        start_new_session=True,
        preexec_fn=controlling_terminal,
    )
    terminal.start_reading()
    try:
        running_at = terminal.wait_for("hotline is running at", STARTUP_TIMEOUT, process)
        swept_at = terminal.wait_for(SWEEP_DONE, FIRST_SWEEP_WITHIN, process)
        assert swept_at - running_at < FIRST_SWEEP_WITHIN
        # The demo's past went to no broker: the worker had no order-event task to work through.
        assert "Task supervision.process_order_event[" not in terminal.text()
        assert http_status(f"http://127.0.0.1:{port}/", timeout=60) in (200, 302)
        assert session_processes(process.pid), "nothing of the run is left to stop"

        stop_at = time.monotonic()
        os.write(terminal.master, b"\x03")  # Ctrl-C: the terminal sends SIGINT to its foreground group
        while time.monotonic() - stop_at < STOPPED_WITHIN:
            if process.poll() is not None and not session_processes(process.pid):
                break
            time.sleep(0.2)
        left = session_processes(process.pid)
        assert not left, f"still running {STOPPED_WITHIN} s after Ctrl-C: {left}"
        assert process.wait(timeout=1) == 0
        terminal.close()

        after = terminal.text(since=stop_at)
        lines = [line for line in after.splitlines() if line.strip() and line.strip() != "^C"]
        assert len(lines) <= 8, after
        assert after.count("Warm shutdown") <= 1, after
        assert "make: ***" not in after, after
        assert "Stopped" in after, after
    finally:
        for pid in session_processes(process.pid):
            os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
        terminal.close()
