#!/usr/bin/env bash
# Shared by the set-up, start and test scripts: paths, logging, environments, .env loading.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_RASA="$ROOT/.venv/rasa"
VENV_APP="$ROOT/.venv/app"
MODEL_DIR="$ROOT/models"
MODEL_FILE="$MODEL_DIR/voordeur.tar.gz"
SPACY_DIR="$ROOT/var/spacy_nl"
LOG_DIR="$ROOT/var/log"

export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
export PYTHONDONTWRITEBYTECODE=1

log() { printf '\033[1m[voordeur]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[voordeur] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Python 3.10 for the Rasa environment: PATH first, then pyenv.
find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" python3.10; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.10.*/bin/python3; do
      [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
  fi
  return 1
}

# Load .env without overriding variables that are already set (tests and operators win).
load_env() {
  local file="$ROOT/.env" line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key="${line%%=*}"; value="${line#*=}"
    [[ "$key" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    if [ -z "${!key+x}" ]; then export "$key=$value"; fi
  done < "$file"
}

# Derived settings every process needs.
export_runtime_env() {
  export RASA_PORT="${RASA_PORT:-5005}" ACTION_PORT="${ACTION_PORT:-5055}" BACKEND_PORT="${BACKEND_PORT:-8000}"
  case "${DATA_DIR:=var/data}" in /*) ;; *) DATA_DIR="$ROOT/$DATA_DIR" ;; esac
  export DATA_DIR
  export RASA_TRACKER_DB="${RASA_TRACKER_DB:-$DATA_DIR/rasa-tracker.db}"
  export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_PORT/webhook}"
  export BACKEND_URL="${BACKEND_URL:-http://127.0.0.1:$BACKEND_PORT}"
  # credentials.yml names these; Rasa refuses to start when a ${VAR} there is unset (empty is fine).
  export TELEGRAM_TOKEN="${TELEGRAM_TOKEN:-}" TELEGRAM_WEBHOOK_SECRET="${TELEGRAM_WEBHOOK_SECRET:-}"
  export TELEGRAM_MODE="${TELEGRAM_MODE:-webhook}"
  mkdir -p "$DATA_DIR" "$LOG_DIR"
}

rasa_cli() { "$VENV_RASA/bin/rasa" "$@"; }
