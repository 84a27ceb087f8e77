#!/usr/bin/env bash
# Install or update everything the assistant needs, idempotently:
#   system packages (when root), the two Python environments from their lock files, the Dutch
#   spaCy pipeline, .env with generated development secrets, the backend database, the model.
# Usage: scripts/setup.sh [--no-seed]   (demo data is seeded only when VOORDEUR_ENV=development)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SEED=1
for arg in "$@"; do
  case "$arg" in --no-seed) SEED=0 ;; *) die "unknown option $arg" ;; esac
done

# Debian packages the project needs (chromium drives the widget's browser tests; nginx and openssl: the
# reference reverse proxy in deploy/nginx and its test, tests/app/test_proxy.py; Node.js/npm: see npm_sync).
SYSTEM_PACKAGES=(make chromium nginx openssl)

install_system_packages() {
  local missing=() pkg
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "warning: missing Debian packages (${missing[*]}); install them as root: apt-get install ${missing[*]}"
  fi
}

# venv_sync DIR PYTHON LOCKFILE: create the venv and install the lock file when it changed.
venv_sync() {
  local dir="$1" python="$2" lock="$3" stamp="$1/.voordeur-lock.sha256" want
  want="$(sha256sum "$lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  log "installing $(basename "$lock") into ${dir#$ROOT/} (a few minutes the first time)"
  [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
  local pip_log="$LOG_DIR/pip-$(basename "$dir").log"
  mkdir -p "$LOG_DIR"
  {
    "$dir/bin/python" -m pip install --upgrade "pip<25" \
      && "$dir/bin/python" -m pip install -r "$lock" \
      && "$dir/bin/python" -m pip install --no-deps -e "$ROOT"
  } >"$pip_log" 2>&1 || { tail -n 30 "$pip_log" >&2; die "installing $(basename "$lock") failed (log: ${pip_log#$ROOT/})"; }
  "$dir/bin/python" -m pip check >/dev/null || { "$dir/bin/python" -m pip check; die "pip check failed in $dir"; }
  echo "$want" > "$stamp"
}

# npm_sync: install the widget's browser packages (package-lock.json) when the lock file changed.
npm_sync() {
  local stamp="$ROOT/node_modules/.voordeur-lock.sha256" want
  if ! command -v npm >/dev/null && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log "installing Node.js and npm (Debian packages) for the chat widget"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  if ! command -v npm >/dev/null; then
    log "warning: npm is missing, so the chat widget has no socket.io client and its browser test cannot run;" \
      "install Node.js 18+ with npm (Debian: apt-get install npm)"
    return 0
  fi
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  log "installing the widget's npm packages (npm ci)"
  mkdir -p "$LOG_DIR"
  (cd "$ROOT" && npm ci --no-audit --no-fund) >"$LOG_DIR/npm.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/npm.log" >&2; die "npm ci failed (log: var/log/npm.log)"; }
  echo "$want" > "$stamp"
}

# random_secret: a development secret that never starts with '-' (a command line would take it for an option).
random_secret() {
  python3 -c 'import secrets; print(secrets.token_urlsafe(32).lstrip("-"))'
}

create_env_file() {
  [ -f "$ROOT/.env" ] && return 0
  log "creating .env from .env.example with random development secrets"
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ "$line" == *=generate ]]; then
      echo "${line%=generate}=$(random_secret)"
    else
      echo "$line"
    fi
  done < "$ROOT/.env.example" > "$ROOT/.env"
  chmod 600 "$ROOT/.env"
}

# add_missing_secrets: an older .env gets the "generate" secrets added to .env.example since (e.g. the staff page's).
add_missing_secrets() {
  local line key
  while IFS= read -r line || [ -n "$line" ]; do
    [[ "$line" == *=generate ]] || continue
    key="${line%=generate}"
    grep -q "^$key=" "$ROOT/.env" && continue
    log "adding $key to .env (random development secret)"
    echo "$key=$(random_secret)" >> "$ROOT/.env"
  done < "$ROOT/.env.example"
}

install_system_packages
PY310="$(find_python310)" || die "Python 3.10 is needed for Rasa 3.6 and was not found on PATH or under pyenv.
  Install it, for example: pyenv install 3.10.13   (or set PYTHON310=/path/to/python3.10)"
command -v python3 >/dev/null || die "python3 (3.11) is needed for the app environment"

venv_sync "$VENV_RASA" "$PY310" "$ROOT/requirements/rasa.lock"
venv_sync "$VENV_APP" "$(command -v python3)" "$ROOT/requirements/app.lock"
npm_sync

create_env_file
add_missing_secrets
load_env
export_runtime_env

"$VENV_RASA/bin/python" -m bot.assistant.nlp.pipeline build "$SPACY_DIR" >&2
create_production_databases >&2   # VOORDEUR_STORES=production only
"$VENV_APP/bin/python" -m bot.backend migrate >&2
# demo data only in development: outside it the backend refuses to serve demo locations (docs/content.md)
if [ "$SEED" -eq 1 ] && [ "${VOORDEUR_ENV:-development}" = development ]; then
  "$VENV_APP/bin/python" -m bot.backend seed >&2
elif [ "$SEED" -eq 1 ]; then
  "$VENV_APP/bin/python" -m bot.backend generate-slots >&2
fi
# development only: a beheerder for the staff page when there is no staff account (password in .env)
"$VENV_APP/bin/python" -m bot.backend.staff_web.bootstrap >&2
"$ROOT/scripts/train.sh"
