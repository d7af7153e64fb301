"""`make run`'s processes: the web server and the Celery worker with beat, started and stopped together.

    python -m hotline.devserver [--host 127.0.0.1] [--port 8000]

One Ctrl-C (or SIGTERM, or the terminal closing) stops everything within a few seconds and exits
0. Each child runs in a process group of its own, so the terminal's SIGINT reaches only this
supervisor, which stops each child exactly once, the way that child wants to be stopped: SIGINT
to runserver, SIGTERM (warm shutdown) to the worker, which stops its embedded beat. A child still
running after `GRACE` seconds is killed with its whole group (a second Ctrl-C does that at once).
If a child dies on its own (say the port is taken), the others are stopped and the exit status is 1.

The shell trap this replaces (`trap 'kill 0' INT TERM EXIT`) signalled its own process group from
inside the trap, which re-entered the trap: the worker heard SIGTERM about a thousand times, and
bash finally overflowed its stack.

`make` must not see the Ctrl-C either: GNU make re-raises a SIGINT on itself once its recipe ends,
so `make run` would exit 130 whatever the recipe did. Like a shell with job control, this process
makes its own group the terminal's foreground group while it runs and gives the terminal back on
the way out. Standard library only: it starts in a blink and knows nothing of Django.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

GRACE = 8.0  # seconds a child gets to stop before it is killed
POLL = 0.1
PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class Child:
    name: str
    argv: list[str]
    stop_signal: signal.Signals
    # Started again when it exits by itself (the worker: the deadline sweep must go on); a child
    # that is not restarted stops the whole run when it exits (the web server: a taken port).
    restart: bool = False
    process: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0

    def start(self, cwd: Path) -> None:
        # process_group=0: a group of its own, out of reach of the terminal's Ctrl-C.
        self.process = subprocess.Popen(self.argv, cwd=cwd, process_group=0, preexec_fn=_die_with_parent)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signum)

    def kill_group(self) -> None:
        """SIGKILL the child and whatever it started (pool processes, beat)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


def _die_with_parent() -> None:
    """In the child: if the supervisor itself is killed (SIGKILL), get SIGTERM rather than live on."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def children(host: str, port: int) -> list[Child]:
    python = sys.executable
    return [
        Child(
            "worker",
            # beat's schedule file is CELERY_BEAT_SCHEDULE_FILENAME, under HOTLINE_VAR_DIR.
            [python, "-m", "celery", "-A", "hotline", "worker", "--beat", "--loglevel=INFO", "--concurrency=2",
             "--without-gossip", "--without-mingle"],
            signal.SIGTERM,
            restart=True,
        ),
        Child("web", [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"], signal.SIGINT),
    ]  # fmt: skip


@contextlib.contextmanager
def foreground_terminal() -> Iterator[None]:
    """Make this process's own group the terminal's foreground group (see the module docstring)."""
    try:
        fd = sys.stdin.fileno()
        previous = os.tcgetpgrp(fd)
    except (AttributeError, ValueError, OSError):  # no terminal (CI, a pipe): nothing to take
        yield
        return
    if previous != os.getpgrp():  # started in the background (`make run &`): leave the terminal alone
        yield
        return
    # tcsetpgrp from a group that is not (or no longer) in the foreground raises SIGTTOU.
    old_ttou = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        if os.getpid() != os.getsid(0):  # a session leader already leads its own group
            os.setpgid(0, 0)
        os.tcsetpgrp(fd, os.getpgrp())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.tcsetpgrp(fd, previous)
        signal.signal(signal.SIGTTOU, old_ttou)


def supervise(procs: list[Child], cwd: Path) -> int:
    received: list[int] = []
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda signum, _frame: received.append(signum))
    for child in procs:
        child.start(cwd)

    failed = None
    while not received and failed is None:
        time.sleep(POLL)
        for child in procs:
            if child.running or not child.restart:
                continue
            now = time.monotonic()
            if child.next_start == 0.0:
                # Back off 1, 2, 4 … 30 s, so a worker that cannot start does not spin.
                delay = min(30.0, 2.0**child.restarts)
                child.next_start = now + delay
                print(
                    f"\n  {child.name} exited ({child.process.returncode}); starting it again in {delay:.0f} s.",
                    flush=True,
                )
            elif now >= child.next_start:
                child.kill_group()  # whatever it left behind (pool processes, beat)
                child.restarts += 1
                child.next_start = 0.0
                child.start(cwd)
        failed = next((c for c in procs if not c.running and not c.restart), None)
    if failed is not None:
        print(f"\n  {failed.name} exited ({failed.process.returncode}); stopping the rest.", flush=True)
    else:
        print("\n  Stopping the web server, the worker and beat …", flush=True)

    asked = len(received)
    for child in procs:
        if child.running:
            child.signal(child.stop_signal)
    deadline = time.monotonic() + GRACE
    while any(c.running for c in procs) and time.monotonic() < deadline and len(received) == asked:
        time.sleep(POLL)
    killed = [c.name for c in procs if c.running]
    # Every group, also of children that did exit: a worker's pool or beat must not outlive it.
    for child in procs:
        child.kill_group()
    for child in procs:
        child.process.wait()
    print(f"  Stopped{' (killed: ' + ', '.join(killed) + ')' if killed else ''}.", flush=True)
    return 1 if failed is not None else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args(argv)
    with foreground_terminal():
        return supervise(children(args.host, args.port), cwd=Path(__file__).resolve().parent.parent)


if __name__ == "__main__":
    sys.exit(main())
