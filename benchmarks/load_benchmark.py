"""Load benchmark: concurrent simulated residents over Rasa's REST channel against the whole running stack.

For each configuration it starts the stack itself with scripts/start.sh (free ports, a throw-away data
and log folder, throw-away PostgreSQL databases for the production stores), lets N residents (default
10) each hold realistic conversations at the same time — a greeting, a topic question, a stappenplan
step, the start of a terugbelverzoek with a valid phone number, the spreekuur offer (read from the
backend), "toch niet" — once with no think time between messages (a closed loop: harsher than real
residents) and once with a think time (residents reading and typing, `--think`), and measures every
message's latency, the throughput, the errors and the peak resident memory (VmHWM) of the Rasa,
action server and backend processes. Configurations:

    embedded     SQLite tracker store and backend, in-memory lock store, one Rasa server
    production   PostgreSQL tracker store and backend, Redis lock store, one Rasa server
    replicas     as production, two Rasa replicas, messages round-robin over them

Comparison with Rasa's own `rasa init` bot (on by default, `--no-compare` skips it): the bot that
`rasa init --no-prompt` creates and trains (Rasa's default pipeline and policies: DIET, TED; trained once
per Rasa version in var/rasa-init/, about 2 minutes on 2 cores) runs as `rasa run --enable-api` on
127.0.0.1 next to our embedded stack. Both are driven over REST by the same load generator, the same
residents and no think time, in alternating bursts (`--pairs`, ours first in the first pair, the other
first in the next, so a change in the machine's load falls on both); the `rasa init` bot gets messages
from its own training data (greet, mood, bot challenge). The report gives both bots' figures and the
ratio of messages per second. Our pooled figures are also the "embedded, closed loop" row of the main
table (that configuration is then not run a second time).

It writes docs/load-benchmark.md and prints a summary. It is a measurement, not a test; targets on a
2-core machine: p95 < 300 ms per message with 10 concurrent conversations, zero errors, Rasa < 1.5 GB,
and at least 1.5 times the messages per second of the `rasa init` bot.

Usage (the app environment; PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 for the
production configurations):
    .venv/app/bin/python benchmarks/load_benchmark.py [--residents 10] [--rounds 2] \
        [--configs embedded,production,replicas] [--think 0,1,5] [--pairs 3] [--no-compare] [--report PATH]
Only the comparison (10 residents, no think time; about 3-5 minutes once the rasa init bot is trained):
    .venv/app/bin/python benchmarks/load_benchmark.py --configs embedded --think 0
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TypedDict

import httpx
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the port picking is shared with the tests' stacks
from benchmarks.machine import machine  # noqa: E402
from benchmarks.rasa_init_bot import (  # noqa: E402
    RASA_INIT_CONVERSATION,
    RASA_INIT_NEW_SENDER_AT,
    RASA_INIT_PATHS,
    RasaInitBot,
)
from benchmarks.stack_process import start_stack, stop_group  # noqa: E402
from tests.ports import free_consecutive_ports, free_port  # noqa: E402

REPORT = ROOT / "docs" / "load-benchmark.md"
NOTES = ROOT / "benchmarks" / "load-benchmark-notes.md"
TARGET_P95_MS = 300
TARGET_RASA_RSS_MB = 1536
#: Our messages per second at least this many times those of the `rasa init` bot (issue 19).
TARGET_RATIO = 1.5
#: Mean think times measured by default (seconds): a closed loop, and residents who read and type.
DEFAULT_THINK = "0,1,5"

# One resident's conversation (sent in order; each message waits for the previous reply).
CONVERSATION = [
    "hallo",
    "ik krijg steeds aanmaningen",
    '/stappenplan_start{"plan_id": "sch_post_openen"}',
    "volgende stap",
    "kunnen jullie me bellen",
    "Anna",
    "06 1234 5678",
    "toch niet",
    "ik wil een afspraak maken",
    "toch niet",
    "bedankt",
]


class StackSpec(TypedDict):
    stores: str  # VOORDEUR_STORES
    replicas: int


CONFIGS: dict[str, StackSpec] = {
    "embedded": {"stores": "embedded", "replicas": 1},
    "production": {"stores": "production", "replicas": 1},
    "replicas": {"stores": "production", "replicas": 2},
}


def read_env_file_value(key: str) -> str:
    for line in (ROOT / ".env").read_text().splitlines():
        if line.startswith(f"{key}="):
            return line.split("=", 1)[1]
    raise KeyError(key)


def postgres_admin(statement: sql.Composed) -> None:
    with psycopg.connect(
        host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(statement)


def load_average() -> float:
    """The machine's 1-minute load average: how busy the 2 cores are, other people's work included."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) used so far by the living processes of a process group. Unlike messages
    per second it depends little on how much of the cores other work leaves over."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != group:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, ProcessLookupError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def other_busy_processes(exclude_groups: Collection[int]) -> list[str]:
    """Processes outside this benchmark that used CPU during one second, with their share of a core."""
    excluded = {*exclude_groups, os.getpgid(0)}

    def cpu_ticks() -> dict[int, tuple[int, str]]:
        ticks = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                pid = int(entry.name)
                if os.getpgid(pid) in excluded:
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                name = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                ticks[pid] = (int(fields[11]) + int(fields[12]), " ".join(name.split()[:4])[:90])
            except (OSError, ProcessLookupError, IndexError, ValueError):
                continue
        return ticks

    before = cpu_ticks()
    time.sleep(1)
    after = cpu_ticks()
    per_second = os.sysconf("SC_CLK_TCK")
    busy = []
    for pid, (total, name) in after.items():
        share = (total - before.get(pid, (total, ""))[0]) / per_second
        if share >= 0.15 and name:
            busy.append((share, f"{name} ({share * 100:.0f}% of a core)"))
    return [text for _, text in sorted(busy, reverse=True)]


@dataclass
class ProcessMemory:
    """Peak resident memory per process of a stack, sampled from /proc while it runs."""

    peaks_kb: dict[str, int] = field(default_factory=dict)

    def sample(self, group: int) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.getpgid(int(entry.name)) != group:
                    continue
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                status = (entry / "status").read_text()
            except (OSError, ProcessLookupError):
                continue
            role = process_role(cmdline)
            if role is None:
                continue
            for line in status.splitlines():
                if line.startswith(("VmHWM:", "VmRSS:")):
                    kb = int(line.split()[1])
                    self.peaks_kb[role] = max(self.peaks_kb.get(role, 0), kb)


def process_role(cmdline: str) -> str | None:
    if "rasa run actions" in cmdline or "bot.assistant.action_server" in cmdline:
        return "actions"
    if "rasa run" in cmdline and "--port" in cmdline:
        return "rasa:" + cmdline.split("--port", 1)[1].split()[0]
    if "bot.backend serve" in cmdline:
        return "backend"
    return None


class RunningStack:
    """scripts/start.sh with its own ports, data and logs; stopped with Ctrl-C (SIGINT)."""

    def __init__(self, name: str, stores: str, replicas: int, workdir: Path) -> None:
        self.name, self.stores, self.replicas = name, stores, replicas
        self.data = workdir / name
        self.data.mkdir(parents=True)
        suffix = uuid.uuid4().hex[:8]
        self.databases = [f"voordeur_rasa_bench_{suffix}", f"voordeur_bench_{suffix}"]
        rasa_port = free_consecutive_ports(replicas)
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("ACTION_ENDPOINT_URL", "BACKEND_URL", "DATABASE_URL")
        }
        self.env.update(
            {
                "RASA_PORT": str(rasa_port),
                "ACTION_PORT": str(free_port()),
                "BACKEND_PORT": str(free_port()),
                "RASA_REPLICAS": str(replicas),
                "VOORDEUR_STORES": stores,
                "DATA_DIR": str(self.data),
                "RASA_TRACKER_DB": str(self.data / "rasa-tracker.db"),
                "VOORDEUR_LOG_DIR": str(self.data / "log"),
                "STARTUP_TIMEOUT": str(300 * replicas),
            }
        )
        if stores == "production":
            self.env.update(
                {
                    "RASA_DB_NAME": self.databases[0],
                    "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.databases[1]}",
                    "RASA_LOCK_KEY_PREFIX": f"bench{suffix}",
                    "SOCKETIO_REDIS_CHANNEL": f"voordeur-bench-{suffix}",
                }
            )
        self.urls = [f"http://127.0.0.1:{rasa_port + index}" for index in range(replicas)]
        self.log = self.data / "start.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 1200) -> None:
        self.process = start_stack(ROOT, self.env, self.log, self.name, timeout)

    def stop(self) -> None:
        stop_group(self.process)
        if self.stores == "production":
            for database in self.databases:
                postgres_admin(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
                )


@dataclass
class Result:
    name: str
    description: str
    latencies_ms: list[float]
    errors: list[str]
    seconds: float
    memory_mb: dict[str, float]
    load_average: list[float] = field(default_factory=list)  # 1-minute load average during the load
    think_seconds: float = 0.0  # mean pause between a reply and the next message (0: a closed loop)
    by_message: dict[int, list[float]] = field(default_factory=dict)  # latencies per position in CONVERSATION
    others: list[str] = field(default_factory=list)  # other busy processes on the machine meanwhile
    cpu_seconds: float = 0.0  # CPU time the servers' processes used during the load (0: not measured)

    def percentile(self, q: float, latencies: list[float] | None = None) -> float:
        ordered = sorted(self.latencies_ms if latencies is None else latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    @property
    def load_text(self) -> str:
        if not self.load_average:
            return "-"
        return f"{statistics.mean(self.load_average):.1f} / {max(self.load_average):.1f}"

    @property
    def cpu_ms_per_message(self) -> float:
        return self.cpu_seconds * 1000 / len(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def rasa_peak_mb(self) -> float:
        return max((mb for role, mb in self.memory_mb.items() if role.startswith("rasa")), default=0.0)


def combine(name: str, description: str, bursts: list[Result]) -> Result:
    """One result from several bursts against the same server: all messages, the summed time under
    load (so the rate is messages over time under load), the highest peak memory per process."""
    memory: dict[str, float] = {}
    by_message: dict[int, list[float]] = {}
    for burst in bursts:
        for role, mb in burst.memory_mb.items():
            memory[role] = max(memory.get(role, 0.0), mb)
        for position, values in burst.by_message.items():
            by_message.setdefault(position, []).extend(values)
    return Result(
        name=name,
        description=description,
        latencies_ms=[value for burst in bursts for value in burst.latencies_ms],
        errors=[error for burst in bursts for error in burst.errors],
        seconds=sum(burst.seconds for burst in bursts),
        memory_mb=dict(sorted(memory.items())),
        load_average=[value for burst in bursts for value in burst.load_average],
        think_seconds=bursts[0].think_seconds if bursts else 0.0,
        by_message=by_message,
        others=bursts[-1].others if bursts else [],
        cpu_seconds=sum(burst.cpu_seconds for burst in bursts),
    )


async def resident(
    client: httpx.AsyncClient,
    urls: list[str],
    index: int,
    rounds: int,
    latencies: list[float],
    errors: list[str],
    think_seconds: float = 0.0,
    by_message: dict[int, list[float]] | None = None,
    conversation: list[str] = CONVERSATION,
    new_sender_at: Collection[int] = (),
) -> None:
    """One simulated resident: `rounds` conversations, each message to the next replica in turn; at the
    positions in `new_sender_at` the conversation starts afresh under a new sender id.

    With `think_seconds`, the resident reads and types between messages: a pause drawn uniformly from
    half to one and a half times that value (seeded per resident, so runs are repeatable); its first
    message comes after up to one such pause, so the residents do not all start at the same instant.
    """
    pauses = random.Random(index)
    sent = 0
    if think_seconds:  # people do not all press Enter in the same millisecond: start within one pause
        await asyncio.sleep(pauses.uniform(0.0, 1.0) * think_seconds)
    for round_number in range(rounds):
        sender = f"load-{index}-{round_number}-{uuid.uuid4().hex[:6]}"
        for position, message in enumerate(conversation):
            if position in new_sender_at:
                sender = f"load-{index}-{round_number}-{uuid.uuid4().hex[:6]}"
            url = urls[(index + sent) % len(urls)]
            sent += 1
            started = time.perf_counter()
            try:
                response = await client.post(
                    f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
                )
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    errors.append(f"HTTP {response.status_code} on {message!r}")
                    continue
                if not response.json():
                    errors.append(f"no reply to {message!r}")
                latencies.append(elapsed)
                if by_message is not None:
                    by_message.setdefault(position, []).append(elapsed)
            except httpx.HTTPError as error:
                errors.append(f"{type(error).__name__} on {message!r}")
            if think_seconds:
                await asyncio.sleep(pauses.uniform(0.5, 1.5) * think_seconds)


async def load(
    urls: list[str],
    residents: int,
    rounds: int,
    think_seconds: float = 0.0,
    conversation: list[str] = CONVERSATION,
    new_sender_at: Collection[int] = (),
    on_start: Callable[[], None] | None = None,
) -> tuple[list[float], list[str], float, dict[int, list[float]]]:
    latencies: list[float] = []
    errors: list[str] = []
    by_message: dict[int, list[float]] = {}
    limits = httpx.Limits(max_connections=residents * 2)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        # Warm-up: one conversation per replica (first-call costs such as loading the spaCy pipeline).
        for url in urls:
            await resident(client, [url], 0, 1, [], [], 0.0, None, conversation, new_sender_at)
        if on_start is not None:  # e.g. the CPU clock of the servers, after the warm-up
            on_start()
        started = time.perf_counter()
        await asyncio.gather(
            *(
                resident(
                    client,
                    urls,
                    index,
                    rounds,
                    latencies,
                    errors,
                    think_seconds,
                    by_message,
                    conversation,
                    new_sender_at,
                )
                for index in range(residents)
            )
        )
        return latencies, errors, time.perf_counter() - started, by_message


DESCRIPTIONS = {
    "embedded": "SQLite + in-memory lock store, 1 Rasa server",
    "production": "PostgreSQL + Redis, 1 Rasa server",
    "replicas": "PostgreSQL + Redis, 2 Rasa replicas (round-robin)",
    "rasa-init": "`rasa init` bot (Rasa's defaults, in-memory stores, 1 Rasa server)",
}


def measure(
    name: str,
    urls: list[str],
    group: int,
    residents: int,
    rounds: int,
    think_seconds: float = 0.0,
    conversation: list[str] = CONVERSATION,
    new_sender_at: Collection[int] = (),
    look_around: bool = True,
) -> Result:
    """One load against running servers, with the peak memory of the process group that runs them and
    the machine's load average sampled meanwhile (and, with look_around, who else was busy)."""
    memory = ProcessMemory()
    loads: list[float] = []
    done = threading.Event()

    def sampler() -> None:
        while not done.is_set():
            memory.sample(group)
            loads.append(load_average())
            done.wait(0.5)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    print(
        f"[load] {name}: {residents} residents x {rounds} conversation(s) x {len(conversation)} messages",
        flush=True,
    )
    cpu_at_start: list[float] = []
    try:
        latencies, errors, seconds, by_message = asyncio.run(
            load(
                urls,
                residents,
                rounds,
                think_seconds,
                conversation,
                new_sender_at,
                lambda: cpu_at_start.append(group_cpu_seconds(group)),
            )
        )
        cpu_seconds = group_cpu_seconds(group) - cpu_at_start[0]
        others = other_busy_processes([group]) if look_around else []
        memory.sample(group)
    finally:
        done.set()
        thread.join()
    return Result(
        name=name,
        description=DESCRIPTIONS[name],
        latencies_ms=latencies,
        errors=errors,
        seconds=seconds,
        memory_mb={role: kb / 1024 for role, kb in sorted(memory.peaks_kb.items())},
        load_average=loads,
        others=others,
        think_seconds=think_seconds,
        by_message=by_message,
        cpu_seconds=cpu_seconds,
    )


def run_config(name: str, residents: int, rounds: int, workdir: Path, think_seconds: float = 0.0) -> Result:
    spec = CONFIGS[name]
    stack = RunningStack(name, spec["stores"], spec["replicas"], workdir)
    print(
        f"[load] {name}: starting the stack ({spec['stores']} stores, "
        f"{spec['replicas']} Rasa replica(s)) ...",
        flush=True,
    )
    try:
        stack.start()
        assert stack.process is not None
        return measure(name, stack.urls, stack.process.pid, residents, rounds, think_seconds)
    finally:
        stack.stop()


@dataclass
class Comparison:
    """Our embedded stack and the `rasa init` bot under the same load, in alternating bursts."""

    ours: Result
    theirs: Result
    bursts: list[Result]  # in the order they ran
    rasa_version: str
    pairs: int
    seconds: float  # wall time of the whole comparison, start-up and any training included
    training_seconds: float  # training the `rasa init` bot (0 when an earlier run's model was reused)

    @property
    def ratio(self) -> float:
        """Our messages per second over the `rasa init` bot's, over all bursts."""
        return self.ours.rate / self.theirs.rate if self.theirs.rate else float("nan")

    @property
    def cpu_ratio(self) -> float:
        """The `rasa init` bot's CPU time per message over ours: the same ratio counted in CPU time,
        which other work on the machine changes much less than the share of the cores each bot gets."""
        ours, theirs = self.ours.cpu_ms_per_message, self.theirs.cpu_ms_per_message
        return theirs / ours if ours > 0 else float("nan")

    @property
    def busy(self) -> bool:
        """True when other work kept the cores busy: the 1-minute load average during the bursts was
        above the number of cores on average, so both bots waited for a core."""
        loads = [value for burst in self.bursts for value in burst.load_average]
        return bool(loads) and statistics.mean(loads) > (os.cpu_count() or 1)

    @property
    def pair_ratios(self) -> list[float]:
        """The same ratio per pair of bursts: how much it moved while the machine's load moved."""
        ours = [burst for burst in self.bursts if burst.name == "embedded"]
        theirs = [burst for burst in self.bursts if burst.name == "rasa-init"]
        return [a.rate / b.rate for a, b in zip(ours, theirs, strict=True) if b.rate]


def burst_order(pairs: int) -> list[str]:
    """Who is driven when: ours first in the first pair, the `rasa init` bot first in the next, and so
    on, so that a machine getting busier or quieter during the comparison does not favour one bot."""
    order: list[str] = []
    for pair in range(pairs):
        order += ["embedded", "rasa-init"] if pair % 2 == 0 else ["rasa-init", "embedded"]
    return order


def run_comparison(residents: int, rounds: int, pairs: int, workdir: Path) -> Comparison:
    """Our embedded stack and Rasa's `rasa init` bot, both running, driven in turn with no think time."""
    started = time.monotonic()
    bot = RasaInitBot()
    bot.prepare()  # training, when needed, before anything is started or measured
    stack = RunningStack("comparison", "embedded", 1, workdir)
    print("[load] comparison: starting our embedded stack and the rasa init bot ...", flush=True)
    bursts: list[Result] = []
    try:
        bot.launch()
        stack.start()
        bot.wait_ready()
        assert stack.process is not None and bot.process is not None
        targets = {
            "embedded": (stack.urls, stack.process.pid, CONVERSATION, frozenset[int]()),
            "rasa-init": ([bot.url], bot.process.pid, RASA_INIT_CONVERSATION, RASA_INIT_NEW_SENDER_AT),
        }
        for name in burst_order(pairs):
            urls, group, conversation, new_sender_at = targets[name]
            bursts.append(
                measure(
                    name, urls, group, residents, rounds, 0.0, conversation, new_sender_at, look_around=False
                )
            )
            last = bursts[-1]
            print(
                f"[load]   {name}: {last.rate:.1f} msg/s, p95 {last.percentile(95):.0f} ms, "
                f"{len(last.errors)} errors, load average {last.load_text}",
                flush=True,
            )
        others = other_busy_processes([stack.process.pid, bot.process.pid])
    finally:
        bot.stop()
        stack.stop()
    ours = combine("embedded", DESCRIPTIONS["embedded"], [b for b in bursts if b.name == "embedded"])
    theirs = combine("rasa-init", DESCRIPTIONS["rasa-init"], [b for b in bursts if b.name == "rasa-init"])
    ours.others = theirs.others = others
    return Comparison(
        ours=ours,
        theirs=theirs,
        bursts=bursts,
        rasa_version=bot.version,
        pairs=pairs,
        seconds=time.monotonic() - started,
        training_seconds=bot.training_seconds,
    )


def verdict(result: Result) -> str:
    misses = []
    if result.percentile(95) >= TARGET_P95_MS:
        misses.append(f"p95 {result.percentile(95):.0f} ms ≥ {TARGET_P95_MS} ms")
    if result.errors:
        misses.append(f"{len(result.errors)} errors")
    if result.rasa_peak_mb >= TARGET_RASA_RSS_MB:
        misses.append(f"Rasa {result.rasa_peak_mb:.0f} MB ≥ 1.5 GB")
    return "met" if not misses else "missed: " + "; ".join(misses)


def comparison_verdict(comparison: Comparison) -> str:
    """The issue's speed targets: ours at least 1.5x the `rasa init` bot, and our own targets."""
    misses = []
    if not comparison.ratio >= TARGET_RATIO:
        misses.append(f"{comparison.ratio:.2f}x < {TARGET_RATIO:g}x the rasa init bot")
    own = verdict(comparison.ours)
    if own != "met":
        misses.append(own.removeprefix("missed: "))
    return "met" if not misses else "missed: " + "; ".join(misses)


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def comparison_section(comparison: Comparison, residents: int, rounds: int) -> list[str]:
    """The report's part on Rasa's `rasa init` bot: both bots' figures, each burst, and the ratio."""
    ratios = comparison.pair_ratios
    spread = f" (per pair of bursts {min(ratios):.2f}–{max(ratios):.2f}x)" if ratios else ""
    lines = [
        "## Compared with Rasa's own `rasa init` bot",
        "",
        f"The bot that `rasa init --no-prompt` makes (Rasa {comparison.rasa_version}'s starter project: "
        "English greet / mood / bot-challenge intents, Rasa's default pipeline with DIET and "
        "ResponseSelector, the default policies with TED and UnexpecTED; trained once per Rasa version in "
        "`var/rasa-init/`), served as it ships with `rasa run --enable-api` on 127.0.0.1: in-memory "
        "tracker and lock store, no action server, none of this project's code. Our side is the embedded "
        "stack of `make start` (SQLite, action server, backend). Both ran at the same time on this machine "
        f"and were driven in turn by the same load generator: {residents} residents, no think time, "
        f"{rounds} conversation(s) of {len(CONVERSATION)} messages each per burst, "
        f"{comparison.pairs} pairs of bursts (ours first, then theirs first, and so on). The "
        "`rasa init` bot gets examples from its own training data along its three stories and two rules, "
        "each path a conversation of its own (a new sender), so that every message has its reply; "
        f"together {len(RASA_INIT_CONVERSATION)} messages, as many as ours:",
        "",
        *("    " + " → ".join(f"`{message}`" for message in path) for path in RASA_INIT_PATHS),
        "",
        "| bot | bursts | messages | p50 ms | p95 ms | p99 ms | messages/s | errors | peak RSS Rasa (MB) "
        "| CPU ms per message | load avg (mean / max) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    bots = (("Voordeur (this assistant)", comparison.ours), ("`rasa init` bot", comparison.theirs))
    for label, result in bots:
        bursts = sum(1 for burst in comparison.bursts if burst.name == result.name)
        lines.append(
            f"| {label} | {bursts} | {len(result.latencies_ms)} | {result.percentile(50):.0f} "
            f"| {result.percentile(95):.0f} | {result.percentile(99):.0f} | {result.rate:.1f} "
            f"| {len(result.errors)} | {result.rasa_peak_mb:.0f} | {result.cpu_ms_per_message:.1f} "
            f"| {result.load_text} |"
        )
    lines += [
        "",
        f"**Ratio of messages per second: {comparison.ratio:.2f}x**{spread}; target at least "
        f"{TARGET_RATIO:g}x, our p95 under {TARGET_P95_MS} ms, zero errors and our Rasa server under 1.5 GB: "
        f"**{comparison_verdict(comparison)}**.",
        "",
        "Counted in CPU time instead (user + system time of all the bot's server processes during the "
        "bursts, per message: Rasa, and for us also the action server and the backend), which depends "
        "far less on other work on the machine: messages per CPU second, this assistant over the "
        f"`rasa init` bot: **{comparison.cpu_ratio:.2f}x**.",
        "",
        *(
            [
                f"**The machine was busy**: the load average during the bursts was above its "
                f"{os.cpu_count()} cores, so both bots waited for a core and the figures say as much about "
                "the other work as about the bots (see the notes below). Repeat on a quiet machine before "
                "drawing a conclusion.",
                "",
            ]
            if comparison.busy
            else []
        ),
        "| burst | bot | messages/s | p50 ms | p95 ms | errors | CPU ms per message "
        "| load avg (mean / max) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for number, burst in enumerate(comparison.bursts, start=1):
        label = "Voordeur" if burst.name == "embedded" else "`rasa init`"
        lines.append(
            f"| {number} | {label} | {burst.rate:.1f} | {burst.percentile(50):.0f} "
            f"| {burst.percentile(95):.0f} | {len(burst.errors)} | {burst.cpu_ms_per_message:.1f} "
            f"| {burst.load_text} |"
        )
    if comparison.theirs.errors:
        lines += [
            "",
            "Errors of the `rasa init` bot (first kinds): "
            + "; ".join(sorted(set(comparison.theirs.errors))[:5]),
        ]
    training = (
        f", of which {minutes(comparison.training_seconds)} training the `rasa init` bot"
        if comparison.training_seconds
        else " (the `rasa init` model of an earlier run was reused)"
    )
    lines += [
        "",
        f"The comparison took {minutes(comparison.seconds)}{training}. Our figures here are also the "
        "closed-loop row of the embedded stack in the table above.",
        "",
    ]
    return lines


def think_text(think_seconds: float) -> str:
    """How a run's residents pace their messages, for the report's table."""
    if not think_seconds:
        return "none (closed loop)"
    return f"{think_seconds:g} s ({think_seconds / 2:g}–{think_seconds * 1.5:g} s)"


def message_breakdown(results: list[Result]) -> list[str]:
    """p50 / p95 per message of the conversation: which steps make the tail."""
    measured = [result for result in results if result.by_message]
    if not measured:
        return []
    lines = [
        "### Per message of the conversation (p50 / p95 ms)",
        "",
        "| message | " + " | ".join(f"{r.name}, think {r.think_seconds:g} s" for r in measured) + " |",
        "| --- |" + " --- |" * len(measured),
    ]
    for position, message in enumerate(CONVERSATION):
        cells = []
        for result in measured:
            values = result.by_message.get(position, [])
            p50, p95 = result.percentile(50, values), result.percentile(95, values)
            cells.append(f"{p50:.0f} / {p95:.0f}" if values else "-")
        lines.append(f"| {position + 1}. `{message}` | " + " | ".join(cells) + " |")
    return [*lines, ""]


def write_report(
    results: list[Result],
    residents: int,
    rounds: int,
    command: str,
    report: Path = REPORT,
    comparison: Comparison | None = None,
    run_seconds: float | None = None,
    load_at_start: str = "",
) -> str:
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Load benchmark",
        "",
        f"Measured {date} on this project's machine: {machine()}, with `{command}`",
        "(`benchmarks/load_benchmark.py`; it starts each stack itself with `scripts/start.sh`)."
        + (f" Load average (1 / 5 / 15 min) when the run began: {load_at_start}." if load_at_start else ""),
        "",
        f"{residents} simulated residents at the same time over Rasa's REST channel, each holding {rounds} "
        f"conversation(s) of {len(CONVERSATION)} messages, in two ways. *Closed loop*: no think time, "
        "every resident sends its next message as soon as the reply arrives — 10 programs hammering the "
        "server, far harsher than people. *Think time*: a pause between a reply and the next message "
        "(the mean given, drawn uniformly from half to one and a half times it; seeded; the first "
        "message after up to one mean pause, so that the residents do not all start in the same "
        "instant), a resident "
        "reading the answer and typing — still brisk, since reading an answer of 50–80 words and typing "
        "a reply takes a person 10–30 s. The whole stack answers: NLU, dialogue, the custom actions on "
        "the action server, and the backend (the spreekuur offer reads free slots from it). A conversation:",
        "",
        "    " + " → ".join(f"`{message}`" for message in CONVERSATION),
        "",
        f"Targets: p95 under {TARGET_P95_MS} ms per message with 10 concurrent conversations, zero errors, "
        "Rasa server under 1.5 GB resident memory.",
        "",
        "| configuration | think time | messages | p50 ms | p95 ms | p99 ms | messages/s | errors "
        "| peak RSS Rasa (MB) | peak RSS actions (MB) | peak RSS backend (MB) | CPU ms per message "
        "| load avg (mean / max) | targets |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        rasa = " / ".join(f"{mb:.0f}" for role, mb in result.memory_mb.items() if role.startswith("rasa"))
        lines.append(
            f"| {result.description} | {think_text(result.think_seconds)} | {len(result.latencies_ms)} "
            f"| {result.percentile(50):.0f} "
            f"| {result.percentile(95):.0f} | {result.percentile(99):.0f} | {result.rate:.1f} "
            f"| {len(result.errors)} | {rasa or '-'} | {result.memory_mb.get('actions', 0):.0f} "
            f"| {result.memory_mb.get('backend', 0):.0f} | {result.cpu_ms_per_message:.1f} "
            f"| {result.load_text} "
            f"| {verdict(result)} |"
        )
    lines += [
        "",
        "Latency is measured at the client from sending a message to receiving all of its replies. "
        "Peak RSS is the kernel's high-water mark (VmHWM) of each process, model loading included; "
        "with two replicas it is given per replica. CPU ms per message is the user + system time that all "
        "the stack's server processes (Rasa, action server, backend) used during the load, divided by the "
        "messages: it depends much less than the rate on how much of the cores other work left over.",
        "",
        f"The whole run took {minutes(run_seconds)}, starting and stopping every stack included."
        if run_seconds is not None
        else "(Written during the run; the rows still missing follow.)",
        "",
    ]
    if comparison is not None:
        lines += comparison_section(comparison, residents, rounds)
    lines += message_breakdown(results)
    for result in results:
        if result.others:
            lines.append(
                f"Other work on the machine at the end of *{result.description}* "
                f"(think time {think_text(result.think_seconds)}): "
                + "; ".join(f"`{other}`" for other in result.others[:6])
                + "."
            )
            lines.append("")
    for result in results:
        if result.errors:
            sample = sorted(set(result.errors))[:5]
            lines.append(
                f"Errors in *{result.description}* (think time {think_text(result.think_seconds)}, "
                "first kinds): " + "; ".join(sample)
            )
            lines.append("")
    lines += [
        "## Reading the figures",
        "",
        "- The load average column is the machine's 1-minute load average sampled during the load: above 2, "
        "processes were waiting for one of the 2 cores, and every figure above is slower than it would be "
        "on a machine of its own. Other people's work (tests, other benchmarks) shares this machine.",
        "- The machine has 2 cores for everything: the Rasa server(s), the action server, the backend, "
        "PostgreSQL, Redis and the 10 simulated residents. Each Rasa server handles one conversation's "
        "messages one at a time (the lock store) and runs its model on the CPU.",
        "- A Rasa server is one Python process and uses at most one core; two replicas can use both cores "
        "of this machine, but here they share them with everything else, so they gain little or lose. "
        "They show that the shared stores work under load. In production give each replica its own core "
        "(docs/production.md).",
        "",
    ]
    if NOTES.exists():  # the hand-written reading of the figures, kept across runs
        lines += [NOTES.read_text().strip(), ""]
    report.write_text("\n".join(lines))
    return "\n".join(lines)


def summary_table(results: list[Result], comparison: Comparison | None) -> str:
    """The figures as a plain-text table for the terminal (the report has them in full)."""
    header = ("configuration", "think s", "messages", "p50", "p95", "p99", "msg/s", "errors", "Rasa MB")
    rows = [(*header, "CPU ms/msg")]
    shown = list(results)
    if comparison is not None:
        shown.append(comparison.theirs)
    for result in shown:
        rows.append(
            (
                result.name,
                f"{result.think_seconds:g}",
                str(len(result.latencies_ms)),
                f"{result.percentile(50):.0f}",
                f"{result.percentile(95):.0f}",
                f"{result.percentile(99):.0f}",
                f"{result.rate:.1f}",
                str(len(result.errors)),
                f"{result.rasa_peak_mb:.0f}",
                f"{result.cpu_ms_per_message:.1f}" if result.cpu_seconds else "-",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    if comparison is not None:
        ratios = comparison.pair_ratios
        lines.append(
            f"ratio to the rasa init bot (messages per second, no think time): {comparison.ratio:.2f}x"
            + (f" (per pair {min(ratios):.2f}-{max(ratios):.2f}x)" if ratios else "")
            + f" -> {comparison_verdict(comparison)}"
            + (" (the machine was busy: load average above its cores)" if comparison.busy else "")
        )
        lines.append(
            f"messages per CPU second, this assistant over the rasa init bot: {comparison.cpu_ratio:.2f}x"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="conversations per resident")
    parser.add_argument("--configs", default="embedded,production,replicas")
    parser.add_argument(
        "--think",
        default=DEFAULT_THINK,
        help="comma-separated mean seconds between a reply and the next message; 0 is a closed loop",
    )
    parser.add_argument(
        "--pairs", type=int, default=3, help="pairs of bursts in the comparison with the rasa init bot"
    )
    parser.add_argument(
        "--no-compare", dest="compare", action="store_false", help="skip the comparison with rasa init"
    )
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args()
    names = [name.strip() for name in args.configs.split(",") if name.strip()]
    unknown = set(names) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configuration(s): {', '.join(sorted(unknown))}")
    try:
        thinks = [float(value) for value in args.think.split(",") if value.strip()]
    except ValueError:
        parser.error("--think takes numbers, e.g. 0,5")
    if not 1 <= args.pairs <= 10:
        parser.error("--pairs takes 1 to 10")
    command = (
        "make benchmark-load"
        if (args.residents, args.rounds, names, args.think, args.report, args.pairs, args.compare)
        == (10, 2, list(CONFIGS), DEFAULT_THINK, REPORT, 3, True)
        else (
            f".venv/app/bin/python benchmarks/load_benchmark.py --residents {args.residents} "
            f"--rounds {args.rounds} "
            f"--configs {','.join(names)}"
            + f" --think {','.join(f'{think:g}' for think in thinks)}"
            + (f" --pairs {args.pairs}" if args.compare else " --no-compare")
            + (f" --report {args.report}" if args.report != REPORT else "")
        )
    )
    started = time.monotonic()
    load_at_start = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    results: list[Result] = []
    comparison: Comparison | None = None
    with tempfile.TemporaryDirectory(prefix="voordeur-load-") as workdir:
        if args.compare:  # first: the configuration, while the run is young
            comparison = run_comparison(args.residents, args.rounds, args.pairs, Path(workdir) / "comparison")
            print(summary_table([comparison.ours], comparison), flush=True)
        for think, name in [(think, name) for think in thinks for name in names]:
            if comparison is not None and (name, think) == ("embedded", 0):
                result = comparison.ours  # measured in the comparison: not run a second time
            else:
                result = run_config(
                    name, args.residents, args.rounds, Path(workdir) / f"think-{think:g}", think
                )
            results.append(result)
            print(
                f"[load] {name}, think {think:g} s: p50 {result.percentile(50):.0f} ms, "
                f"p95 {result.percentile(95):.0f} ms, "
                f"p99 {result.percentile(99):.0f} ms, {result.rate:.1f} msg/s, {len(result.errors)} errors, "
                f"peak RSS {json.dumps({k: round(v) for k, v in result.memory_mb.items()})} MB "
                f"-> {verdict(result)}",
                flush=True,
            )
            # After every run, so that a long benchmark stopped halfway keeps what it measured.
            write_report(
                results, args.residents, args.rounds, command, args.report, comparison, None, load_at_start
            )
    run_seconds = time.monotonic() - started
    write_report(
        results, args.residents, args.rounds, command, args.report, comparison, run_seconds, load_at_start
    )
    print(summary_table(results, comparison))
    print(f"[load] the run took {minutes(run_seconds)}; wrote {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
