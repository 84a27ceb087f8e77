"""The machine a benchmark ran on, as its report names it."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> str:
    """`2 cores (AMD EPYC ...), 24 GB memory, Linux-...`."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(
        next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    )
    return f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GB memory, {platform.platform()}"
