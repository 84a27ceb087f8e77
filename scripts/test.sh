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
# The two sides run at the same time (VOORDEUR_TEST_JOBS=1: one after the other): most of their time goes to
# servers starting and to waiting for replies, so together they take little longer than the app side alone.
# Each draws its servers' ports from a range of its own (tests/ports.py).
run_side() {  # name venv folder port-range [pytest arguments]
  local name=$1 venv=$2 folder=$3 ports=$4
  shift 4
  VOORDEUR_TEST_PORTS=$ports "$venv/bin/python" -m pytest "$folder" --junitxml="$results/junit-$name.xml" "$@"
}
if [[ "${VOORDEUR_TEST_JOBS:-2}" == 1 ]]; then
  log "Rasa side: tests/rasa"
  run_side rasa "$VENV_RASA" tests/rasa 20000-26000 "$@" || status=1
  log "app side: tests/app"
  run_side app "$VENV_APP" tests/app 26000-32000 "$@" || status=1
else
  log "Rasa side (tests/rasa) and app side (tests/app) side by side; their output follows when both are done"
  run_side rasa "$VENV_RASA" tests/rasa 20000-26000 "$@" > "$results/rasa.log" 2>&1 &
  rasa_side=$!
  run_side app "$VENV_APP" tests/app 26000-32000 "$@" > "$results/app.log" 2>&1 &
  app_side=$!
  wait "$rasa_side" || status=1
  log "Rasa side done ($(( $(date +%s) - start )) s since the start)"
  wait "$app_side" || status=1
  for side in rasa app; do
    log "output of the $side side (results/$side.log)"
    cat "$results/$side.log"
  done
fi

python3 "$ROOT/scripts/test_summary.py" "$results"/junit-*.xml || status=1
log "tests finished in $(( $(date +%s) - start )) s"
exit "$status"
