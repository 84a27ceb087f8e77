"""Rasa-side settings: development works without secrets and with demo values; anything else refuses
weak secrets and the demo values of content/local.yml, and the action server does not start then."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest

from bot.assistant.settings import RasaSideSettings, SettingsError, rasa_side_settings
from bot.content_facts import PROJECT_ROOT
from tests.ports import free_port
from tests.rasa.rasa_servers import actions_command, rasa_env

# Content without demo values (the project's content/ still has them).
REAL_CONTENT = str(Path(__file__).parent / "fixtures" / "content")
SECRETS = {"BACKEND_SERVICE_TOKEN": "s" * 32, "RASA_AUTH_TOKEN": "r" * 32}
ROOT = Path(__file__).resolve().parents[2]


def test_development_needs_no_secrets() -> None:
    settings = RasaSideSettings.from_env({})
    assert settings.voordeur_env == "development"
    assert settings.backend_url == "http://127.0.0.1:8000"
    assert settings.content_dir == PROJECT_ROOT / "content"


def test_a_relative_content_dir_means_the_projects_folder() -> None:
    settings = RasaSideSettings.from_env({"CONTENT_DIR": "tests/rasa/fixtures/content"})
    assert settings.content_dir == Path(REAL_CONTENT).resolve()


def test_a_process_reads_its_settings_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "u")
    first = rasa_side_settings()
    monkeypatch.setenv("ADDRESS_FORM", "je")
    assert rasa_side_settings() is first and first.address_form == "u"
    rasa_side_settings.cache_clear()
    assert rasa_side_settings().address_form == "je"


def test_a_refusal_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "jij")
    with pytest.raises(SettingsError, match="ADDRESS_FORM"):
        rasa_side_settings()
    monkeypatch.setenv("ADDRESS_FORM", "u")
    assert rasa_side_settings().address_form == "u"


@pytest.mark.parametrize("token", ["", "short", "change-me"])
def test_production_refuses_missing_or_short_secrets(token: str) -> None:
    with pytest.raises(SettingsError):
        RasaSideSettings.from_env(
            {
                "VOORDEUR_ENV": "production",
                "BACKEND_SERVICE_TOKEN": token,
                "RASA_AUTH_TOKEN": "x" * 32,
                "CONTENT_DIR": REAL_CONTENT,
            }  # fmt: skip
        )


def test_production_accepts_real_secrets() -> None:
    settings = RasaSideSettings.from_env(
        {
            "VOORDEUR_ENV": "production",
            **SECRETS,
            "BACKEND_URL": "https://backend.example/",
            "CONTENT_DIR": REAL_CONTENT,
        }  # fmt: skip
    )
    assert settings.backend_url == "https://backend.example"


@pytest.mark.parametrize("env", ["production", "acceptance"])
def test_outside_development_demo_values_are_refused_naming_file_and_keys(env: str) -> None:
    with pytest.raises(SettingsError) as refused:
        RasaSideSettings.from_env({"VOORDEUR_ENV": env, **SECRETS})
    message = str(refused.value)
    assert str(PROJECT_ROOT / "content" / "local.yml") in message
    assert "still holds demo values for wijkteam_naam, wijkteam_telefoon," in message
    assert f"VOORDEUR_ENV={env}" in message


def test_a_value_taken_off_the_demo_list_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "local.yml").write_text(
        "valid_until: 2099-01-01\ndemo: [gemeente_naam]\nvalues:\n  wijkteam_telefoon: '020-123 4567'\n"
        "  gemeente_naam: 'gemeente Voorbeeldstad'\n"
    )
    with pytest.raises(SettingsError, match=r"demo values for gemeente_naam \("):
        RasaSideSettings.from_env({"VOORDEUR_ENV": "production", **SECRETS, "CONTENT_DIR": str(tmp_path)})
    local = tmp_path / "local.yml"
    local.write_text(local.read_text().replace("demo: [gemeente_naam]", "demo: []"))
    settings = RasaSideSettings.from_env(
        {"VOORDEUR_ENV": "production", **SECRETS, "CONTENT_DIR": str(tmp_path)}
    )
    assert settings.content_dir == tmp_path.resolve()


def test_the_action_server_refuses_to_start_with_demo_values_outside_development() -> None:
    env = rasa_env(free_port(), VOORDEUR_ENV="production", **SECRETS)
    env.pop("CONTENT_DIR", None)
    result = subprocess.run(actions_command(free_port()), cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=180)  # fmt: skip
    assert result.returncode != 0
    assert "SettingsError" in result.stderr and "still holds demo values for wijkteam_naam" in result.stderr


def test_the_action_server_starts_in_development_with_demo_values(tmp_path: Path) -> None:
    port = free_port()
    env = rasa_env(port, VOORDEUR_ENV="development")
    env.pop("CONTENT_DIR", None)
    log = tmp_path / "actions.log"
    with log.open("wb") as output:
        process = subprocess.Popen(actions_command(port), cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise AssertionError(log.read_text(errors="replace")[-3000:])
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "actions.startup" in log.read_text(errors="replace")  # the start-up check ran and passed
