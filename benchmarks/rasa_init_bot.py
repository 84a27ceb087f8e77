"""Rasa's own starter bot for the load benchmark: the project `rasa init --no-prompt` makes, trained once
per Rasa installation and cached in var/rasa-init/, served as it ships (`rasa run --enable-api`).

It answers the question "how fast is this assistant next to the smallest Rasa bot there is, on the same
machine at the same time" (issue 19: at least 1.5 times its messages per second).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from benchmarks.stack_process import stop_group
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
RASA_VENV = ROOT / ".venv" / "rasa"
#: The `rasa init` projects, one per fingerprint of the Rasa installation (gitignored).
RASA_INIT_DIR = ROOT / "var" / "rasa-init"

# What the `rasa init` bot is sent: its own training examples, along its stories and rules, so that
# every message gets its reply whatever the trained model's luck (the first story of a conversation is
# followed exactly, rules always; after that TED guesses, and it has been seen to answer "no" with
# silence). Each path is a conversation of its own (a new sender); together as many messages as ours.
RASA_INIT_PATHS = [
    ["hello", "I am sad", "no"],  # story "sad path 2"
    ["hi", "great"],  # "happy path"
    ["hey", "very sad", "yes"],  # "sad path 1"
    ["are you a bot?", "good night", "are you a human?"],  # the two rules
]
RASA_INIT_CONVERSATION = [message for path in RASA_INIT_PATHS for message in path]
#: Positions in RASA_INIT_CONVERSATION where a path, and so a new sender, begins.
RASA_INIT_NEW_SENDER_AT = frozenset(
    sum(len(path) for path in RASA_INIT_PATHS[:index]) for index in range(1, len(RASA_INIT_PATHS))
)


def rasa_init_fingerprint(rasa_version: str, python_version: str, template: Mapping[str, bytes]) -> str:
    """A short name for one Rasa installation's `rasa init` project: its trained model is reused for as
    long as the Rasa version, the Python version and the files `rasa init` copies stay the same."""
    digest = hashlib.sha256(f"rasa {rasa_version}\npython {python_version}\n".encode())
    for name in sorted(template):
        digest.update(f"{name}\n{len(template[name])}\n".encode())
        digest.update(template[name])
    return f"rasa-{rasa_version}-{digest.hexdigest()[:12]}"


def template_files(folder: Path) -> dict[str, bytes]:
    """The files of Rasa's initial project by relative path, without compiled Python caches."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def installed_rasa() -> tuple[str, str, Path]:
    """Rasa's version, the Python version and the folder of `rasa init`'s template in the Rasa
    environment (read without importing Rasa, which takes seconds)."""
    probe = (
        "import importlib.metadata, importlib.util, pathlib, platform; "
        "print(importlib.metadata.version('rasa')); print(platform.python_version()); "
        "print(pathlib.Path(importlib.util.find_spec('rasa').submodule_search_locations[0]) "
        "/ 'cli' / 'initial_project')"
    )
    output = subprocess.run(
        [str(RASA_VENV / "bin" / "python"), "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split("\n")
    return output[0].strip(), output[1].strip(), Path(output[2].strip())


class RasaInitBot:
    """Rasa's own starter bot, made by `rasa init --no-prompt` and served as it ships: `rasa run
    --enable-api`, in-memory tracker and lock store, no action server, none of this project's code."""

    def __init__(self) -> None:
        self.version, self.python, self.template = installed_rasa()
        self.project = RASA_INIT_DIR / rasa_init_fingerprint(
            self.version, self.python, template_files(self.template)
        )
        self.training_seconds = 0.0  # 0 when the model of an earlier run was reused
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.log = self.project.with_name(self.project.name + ".log")
        # Stock Rasa: without this project on the path, and without telemetry.
        self.env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        self.env["RASA_TELEMETRY_ENABLED"] = "false"

    def model(self) -> Path | None:
        models = sorted((self.project / "models").glob("*.tar.gz"))
        return models[-1] if models else None

    def prepare(self, timeout: float = 1800) -> Path:
        """The trained model: from an earlier run, or `rasa init --no-prompt` (which trains it) now."""
        model = self.model()
        if model is not None:
            return model
        partial = self.project.with_name(self.project.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        print(
            f"[load] rasa init: creating and training Rasa {self.version}'s starter bot in "
            f"{self.project.relative_to(ROOT)} (once per Rasa version; about 2 minutes) ...",
            flush=True,
        )
        started = time.monotonic()
        with self.log.open("wb") as output:
            process = subprocess.Popen(
                [str(RASA_VENV / "bin" / "rasa"), "init", "--no-prompt", "--init-dir", str(partial)],
                cwd=partial,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                stop_group(process, wait=30)
        models = sorted((partial / "models").glob("*.tar.gz"))
        if process.returncode != 0 or not models:
            raise RuntimeError(
                f"rasa init failed (exit {process.returncode}; log {self.log}):\n"
                + self.log.read_text(errors="replace")[-2000:]
            )
        self.training_seconds = time.monotonic() - started
        shutil.rmtree(self.project, ignore_errors=True)
        partial.rename(self.project)  # only a finished training is ever taken for a cached model
        return self.project / "models" / models[-1].name

    def launch(self) -> None:
        """Start `rasa run --enable-api` on a free loopback port (returns at once; see wait_ready)."""
        model = self.prepare()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    str(RASA_VENV / "bin" / "rasa"),
                    "run",
                    "--enable-api",
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--model",
                    str(model),
                ],
                cwd=self.project,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 600) -> None:
        """Until the server answers /status with its model loaded."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/status", timeout=5).json().get("model_file"):
                    return
            except (httpx.HTTPError, ValueError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the rasa init bot did not start:\n" + self.log.read_text(errors="replace")[-3000:]
                )
            time.sleep(1)

    def stop(self) -> None:
        stop_group(self.process, wait=60)
