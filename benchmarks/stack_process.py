"""Starting and stopping a whole assistant (`scripts/start.sh`) as a process group, for the benchmarks."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

#: scripts/start.sh prints this when every process answers.
STARTED_MARK = "Voordeur is running"


def start_stack(
    cwd: Path, env: dict[str, str], log: Path, name: str, timeout: float = 1200
) -> subprocess.Popen[bytes]:
    """Run scripts/start.sh of `cwd` in its own process group and wait until it says the stack is up."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["bash", "scripts/start.sh"],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while STARTED_MARK not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_group(process, wait=30)
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name}: the stack did not start:\n{tail}")
        time.sleep(1)
    return process


def stop_group(process: subprocess.Popen[bytes] | None, wait: float = 120) -> None:
    """Ctrl-C (SIGINT) to the process group a benchmark started; SIGKILL when it does not stop in time."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
