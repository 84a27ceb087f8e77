#!/usr/bin/env bash
# Shared by the set-up, start and test scripts: paths, logging, environments, .env loading.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_RASA="$ROOT/.venv/rasa"
VENV_APP="$ROOT/.venv/app"
MODEL_DIR="$ROOT/models"
MODEL_FILE="$MODEL_DIR/voordeur.tar.gz"
SPACY_DIR="$ROOT/var/spacy_nl"
LOG_DIR="${VOORDEUR_LOG_DIR:-$ROOT/var/log}"

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
    # KEY="a b" and KEY='a b' mean KEY=a b, as python-dotenv and pydantic-settings read them.
    if [[ ${#value} -ge 2 && ( ( "$value" == \"*\" ) || ( "$value" == \'*\' ) ) ]]; then
      value="${value:1:${#value}-2}"
    fi
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
  export TELEGRAM_MODE="${TELEGRAM_MODE:-webhook}" TELEGRAM_API_URL="${TELEGRAM_API_URL:-}"
  export WHATSAPP_TOKEN="${WHATSAPP_TOKEN:-}" WHATSAPP_PHONE_NUMBER_ID="${WHATSAPP_PHONE_NUMBER_ID:-}"
  export WHATSAPP_APP_SECRET="${WHATSAPP_APP_SECRET:-}" WHATSAPP_VERIFY_TOKEN="${WHATSAPP_VERIFY_TOKEN:-}"
  export WHATSAPP_API_URL="${WHATSAPP_API_URL:-}" WHATSAPP_API_VERSION="${WHATSAPP_API_VERSION:-}"
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  export_store_env
}

# Which stores Rasa and the backend use: VOORDEUR_STORES=embedded (default: SQLite, in-memory lock store)
# or production (PostgreSQL tracker store and backend, Redis lock store and socket.io manager;
# endpoints.production.yml). Production settings default to the local services on 127.0.0.1.
export_store_env() {
  export VOORDEUR_STORES="${VOORDEUR_STORES:-embedded}"
  case "$VOORDEUR_STORES" in
    embedded) RASA_ENDPOINTS="${RASA_ENDPOINTS:-endpoints.yml}" ;;
    production)
      RASA_ENDPOINTS="${RASA_ENDPOINTS:-endpoints.production.yml}"
      export RASA_DB_HOST="${RASA_DB_HOST:-127.0.0.1}" RASA_DB_PORT="${RASA_DB_PORT:-5432}"
      export RASA_DB_NAME="${RASA_DB_NAME:-voordeur_rasa}" RASA_DB_USER="${RASA_DB_USER:-postgres}"
      export RASA_DB_PASSWORD="${RASA_DB_PASSWORD:-}"
      export REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6379}" REDIS_PASSWORD="${REDIS_PASSWORD:-}"
      export RASA_LOCK_STORE_DB="${RASA_LOCK_STORE_DB:-1}" RASA_LOCK_KEY_PREFIX="${RASA_LOCK_KEY_PREFIX:-voordeur}"
      export DATABASE_URL="${DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/voordeur}"
      local auth=""
      [ -n "$REDIS_PASSWORD" ] && auth=":$REDIS_PASSWORD@"
      if [ -z "${SOCKETIO_REDIS_URL+x}" ]; then
        export SOCKETIO_REDIS_URL="redis://$auth$REDIS_HOST:$REDIS_PORT/0"
      fi
      # The backends' abuse limits (docs/security.md): counted together in Redis, not per backend.
      if [ -z "${LIMITS_STORAGE_URL:-}" ]; then
        export LIMITS_STORAGE_URL="redis://$auth$REDIS_HOST:$REDIS_PORT/0"
      fi
      # The job queue of reminders and check-ins (docs/keep-in-touch.md): one queue for every worker.
      if [ -z "${JOBS_URL:-}" ]; then
        export JOBS_URL="redis://$auth$REDIS_HOST:$REDIS_PORT/0"
      fi
      ;;
    *) die "VOORDEUR_STORES must be embedded or production, not '$VOORDEUR_STORES'" ;;
  esac
  # RASA_ENDPOINTS is not exported: a child stack (a test's `make start`) chooses its own from its stores.
}

# create_production_databases: with VOORDEUR_STORES=production, create the backend's and Rasa's
# PostgreSQL databases when they do not exist yet (idempotent; needs a role that may create databases).
create_production_databases() {
  [ "$VOORDEUR_STORES" = production ] || return 0
  "$VENV_APP/bin/python" "$ROOT/scripts/create_databases.py"
}

rasa_cli() { "$VENV_RASA/bin/rasa" "$@"; }
