#!/usr/bin/env bash
# Install what is missing, train when needed, and run the whole assistant on the embedded defaults:
# case backend, action server and Rasa server. Ctrl-C stops every process cleanly.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$ROOT/scripts/setup.sh"
load_env
export_runtime_env
cd "$ROOT"

PIDS=()
NAMES=()
stopping=0

stop_all() {
  [ "$stopping" -eq 1 ] && return 0
  stopping=1
  log "stopping ..."
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.2
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  log "stopped"
}
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

# run NAME COMMAND...: start a process in the background, its output in var/log/NAME.log
run() {
  local name="$1"; shift
  "$@" >"$LOG_DIR/$name.log" 2>&1 &
  PIDS+=("$!"); NAMES+=("$name")
}

wait_for() {
  local name="$1" url="$2" deadline=$((SECONDS + ${STARTUP_TIMEOUT:-240}))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    local i
    for i in "${!PIDS[@]}"; do
      if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
        tail -n 30 "$LOG_DIR/${NAMES[$i]}.log" >&2
        die "${NAMES[$i]} stopped during start-up (log: var/log/${NAMES[$i]}.log)"
      fi
    done
    [ "$SECONDS" -lt "$deadline" ] || die "$name did not answer at $url in time (log: var/log/$name.log)"
    sleep 1
  done
}

log "$("$VENV_RASA/bin/python" -m bot.nlp.pipeline describe "$SPACY_DIR")"
read -r -a cors <<<"${RASA_CORS_ORIGINS:-http://127.0.0.1:$BACKEND_PORT}"

run backend "$VENV_APP/bin/python" -m bot.backend serve --host 127.0.0.1 --port "$BACKEND_PORT"
run actions "$VENV_RASA/bin/rasa" run actions --actions actions --port "$ACTION_PORT"
run rasa "$VENV_RASA/bin/rasa" run --model "$MODEL_FILE" --endpoints endpoints.yml --credentials credentials.yml \
  --port "$RASA_PORT" --enable-api --auth-token "$RASA_AUTH_TOKEN" --cors "${cors[@]}"

log "starting: case backend, action server, Rasa server (loading the model takes up to a minute)"
wait_for backend "http://127.0.0.1:$BACKEND_PORT/health"
wait_for actions "http://127.0.0.1:$ACTION_PORT/health"
wait_for rasa "http://127.0.0.1:$RASA_PORT/status?token=$RASA_AUTH_TOKEN"

cat >&2 <<INFO

  Voordeur is running (embedded defaults: SQLite, in-memory lock store).
    Rasa server      http://127.0.0.1:$RASA_PORT            (REST: /webhooks/rest/webhook)
    Action server    http://127.0.0.1:$ACTION_PORT/health
    Case backend     http://127.0.0.1:$BACKEND_PORT/health
    Chat widget demo http://127.0.0.1:$BACKEND_PORT/demo
    Terminal chat    make chat
    Logs             var/log/{rasa,actions,backend}.log
  Press Ctrl-C to stop.

INFO

# If one process dies, stop the others and report which one.
wait -n "${PIDS[@]}" || true
if [ "$stopping" -eq 0 ]; then
  for i in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || log "${NAMES[$i]} stopped unexpectedly (log: var/log/${NAMES[$i]}.log)"
  done
  stop_all
  exit 1
fi
