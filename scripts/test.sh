#!/usr/bin/env bash
# Install what is missing, train the model when needed (once per run), check `make lint` (ruff and mypy),
# and run every test suite: the Rasa side (NLU, safety net, data validation, test stories, actions) and
# the app side (case backend, smoke test of `make start`). Extra arguments go to both pytest runs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start=$(date +%s)
"$ROOT/scripts/setup.sh" --no-seed
load_env
export_runtime_env
cd "$ROOT"
results="$ROOT/results"
rm -rf "$results" && mkdir -p "$results"
log "set-up done in $(( $(date +%s) - start )) s"

status=0
log "lint: ruff and mypy (make lint)"
make -C "$ROOT" --no-print-directory lint || status=1
log "Rasa side: tests/rasa"
"$VENV_RASA/bin/python" -m pytest tests/rasa --junitxml="$results/junit-rasa.xml" "$@" || status=1
log "app side: tests/app"
"$VENV_APP/bin/python" -m pytest tests/app --junitxml="$results/junit-app.xml" "$@" || status=1

python3 "$ROOT/scripts/test_summary.py" "$results"/junit-*.xml || status=1
log "tests finished in $(( $(date +%s) - start )) s"
exit "$status"
