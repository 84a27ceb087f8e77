"""The load benchmark's bookkeeping around the `rasa init` comparison (no servers, no timing)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from benchmarks.load_benchmark import (
    CONVERSATION,
    Comparison,
    Result,
    burst_order,
    combine,
    comparison_section,
    comparison_verdict,
    resident,
    summary_table,
)
from benchmarks.rasa_init_bot import (
    RASA_INIT_CONVERSATION,
    RASA_INIT_NEW_SENDER_AT,
    rasa_init_fingerprint,
    template_files,
)


def burst(name: str, messages: int, seconds: float, latency_ms: float = 100.0, **extra: object) -> Result:
    extra.setdefault("cpu_seconds", seconds)  # one core busy all the time
    return Result(
        name=name,
        description=name,
        latencies_ms=[latency_ms] * messages,
        errors=[],
        seconds=seconds,
        memory_mb={"rasa:5005": 800.0},
        **extra,  # type: ignore[arg-type]
    )


def comparison(ours: list[Result], theirs: list[Result]) -> Comparison:
    return Comparison(
        ours=combine("embedded", "ours", ours),
        theirs=combine("rasa-init", "theirs", theirs),
        bursts=[b for pair in zip(ours, theirs, strict=True) for b in pair],
        rasa_version="3.6.21",
        pairs=len(ours),
        seconds=240.0,
        training_seconds=0.0,
    )


def test_fingerprint_changes_with_the_rasa_version_python_and_template_only() -> None:
    template = {"config.yml": b"pipeline:\n", "data/nlu.yml": b"- hello\n"}
    same = rasa_init_fingerprint("3.6.21", "3.10.14", dict(reversed(list(template.items()))))
    assert rasa_init_fingerprint("3.6.21", "3.10.14", template) == same
    assert same.startswith("rasa-3.6.21-")
    others = {
        rasa_init_fingerprint("3.6.20", "3.10.14", template),
        rasa_init_fingerprint("3.6.21", "3.11.2", template),
        rasa_init_fingerprint("3.6.21", "3.10.14", {**template, "config.yml": b"pipeline: []\n"}),
        rasa_init_fingerprint("3.6.21", "3.10.14", {"config.yml": b"pipeline:\n"}),
    }
    assert same not in others and len(others) == 4


def test_template_files_leave_out_compiled_caches(tmp_path: Path) -> None:
    (tmp_path / "actions" / "__pycache__").mkdir(parents=True)
    (tmp_path / "actions" / "actions.py").write_text("# actions\n")
    (tmp_path / "actions" / "__pycache__" / "actions.cpython-310.pyc").write_bytes(b"\0")
    (tmp_path / "domain.yml").write_text("intents: []\n")
    assert template_files(tmp_path) == {"actions/actions.py": b"# actions\n", "domain.yml": b"intents: []\n"}


def test_bursts_alternate_who_goes_first() -> None:
    assert burst_order(3) == ["embedded", "rasa-init", "rasa-init", "embedded", "embedded", "rasa-init"]
    assert burst_order(1) == ["embedded", "rasa-init"]


def test_combined_bursts_pool_messages_time_errors_and_peak_memory() -> None:
    first = burst("embedded", 10, 1.0, by_message={0: [1.0]}, load_average=[1.0])
    second = burst("embedded", 30, 1.0, by_message={0: [2.0], 1: [3.0]}, load_average=[3.0])
    second.errors = ["no reply to 'hallo'"]
    second.memory_mb = {"rasa:5005": 900.0, "actions": 120.0}
    pooled = combine("embedded", "ours", [first, second])
    assert len(pooled.latencies_ms) == 40 and pooled.rate == 20.0
    assert pooled.errors == ["no reply to 'hallo'"]
    assert pooled.memory_mb == {"actions": 120.0, "rasa:5005": 900.0}
    assert pooled.by_message == {0: [1.0, 2.0], 1: [3.0]}
    assert pooled.load_text == "2.0 / 3.0"
    assert pooled.cpu_seconds == 2.0 and pooled.cpu_ms_per_message == 50.0


def test_ratio_and_verdict_against_the_issue_targets() -> None:
    fast = comparison(
        [burst("embedded", 80, 1.0), burst("embedded", 90, 1.0)],
        [burst("rasa-init", 50, 1.0), burst("rasa-init", 50, 1.0)],
    )
    assert fast.ratio == 1.7
    assert fast.pair_ratios == [1.6, 1.8]
    assert comparison_verdict(fast) == "met"
    slow_cpu = comparison([burst("embedded", 80, 1.0, cpu_seconds=0.4)], [burst("rasa-init", 50, 1.0)])
    assert slow_cpu.cpu_ratio == 4.0  # 5 ms of CPU per message against 20 ms

    slow = comparison([burst("embedded", 70, 1.0)], [burst("rasa-init", 50, 1.0)])
    assert comparison_verdict(slow) == "missed: 1.40x < 1.5x the rasa init bot"

    laggy = comparison([burst("embedded", 90, 1.0, latency_ms=320.0)], [burst("rasa-init", 50, 1.0)])
    assert comparison_verdict(laggy) == "missed: p95 320 ms ≥ 300 ms"


def test_report_and_terminal_table_show_both_bots_and_the_ratio() -> None:
    result = comparison([burst("embedded", 80, 1.0)], [burst("rasa-init", 40, 1.0)])
    section = "\n".join(comparison_section(result, residents=10, rounds=2))
    assert "**Ratio of messages per second: 2.00x**" in section
    assert "| Voordeur (this assistant) | 1 | 80 | 100 | 100 | 100 | 80.0 | 0 | 800 | 12.5 |" in section
    assert "| `rasa init` bot | 1 | 40 | 100 | 100 | 100 | 40.0 | 0 | 800 | 25.0 |" in section
    assert "messages per CPU second, this assistant over the `rasa init` bot: **2.00x**." in section
    table = summary_table([result.ours], result)
    assert "rasa-init" in table and "2.00x (per pair 2.00-2.00x) -> met" in table
    assert table.endswith("messages per CPU second, this assistant over the rasa init bot: 2.00x")
    assert "machine was busy" not in section


def test_a_busy_machine_is_said_in_the_report() -> None:
    busy = comparison([burst("embedded", 80, 1.0, load_average=[9.5, 9.0])], [burst("rasa-init", 40, 1.0)])
    assert busy.busy
    assert "**The machine was busy**" in "\n".join(comparison_section(busy, residents=10, rounds=2))
    assert "-> met (the machine was busy: load average above its cores)" in summary_table([], busy)
    quiet = comparison([burst("embedded", 80, 1.0, load_average=[0.5])], [burst("rasa-init", 40, 1.0)])
    assert not quiet.busy


async def test_the_rasa_init_paths_each_get_a_sender_of_their_own() -> None:
    senders: list[str] = []

    def reply(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        senders.append(body["sender"])
        silent = body["message"] == "no"  # as a badly guessing model would
        return httpx.Response(200, json=[] if silent else [{"text": "ok"}])

    latencies: list[float] = []
    errors: list[str] = []
    async with httpx.AsyncClient(transport=httpx.MockTransport(reply)) as client:
        await resident(
            client,
            ["http://bot"],
            0,
            2,
            latencies,
            errors,
            0.0,
            None,
            RASA_INIT_CONVERSATION,
            RASA_INIT_NEW_SENDER_AT,
        )
    assert len(RASA_INIT_CONVERSATION) == len(CONVERSATION) and RASA_INIT_NEW_SENDER_AT == {3, 5, 8}
    first_round = senders[: len(RASA_INIT_CONVERSATION)]
    assert [len(set(first_round[a:b])) for a, b in ((0, 3), (3, 5), (5, 8), (8, 11))] == [1, 1, 1, 1]
    assert len(set(first_round)) == 4 and len(set(senders)) == 8
    assert errors == ["no reply to 'no'", "no reply to 'no'"] and len(latencies) == 22
