#!/usr/bin/env bash
# Install what is missing, train when needed, and run the whole assistant: case backend, action server
# and Rasa server. Ctrl-C stops every process cleanly.
#   VOORDEUR_STORES=embedded (default)  SQLite tracker store and backend, in-memory lock store
#   VOORDEUR_STORES=production          PostgreSQL tracker store and backend, Redis lock store (docs/production.md)
#   RASA_REPLICAS=N (production only)   N Rasa replicas on RASA_PORT, RASA_PORT+1, ... (`make start-replicas`)
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

log "$("$VENV_RASA/bin/python" -m bot.assistant.nlp.pipeline describe "$SPACY_DIR")"
# Quotes left in the value (an environment set by a Docker env-file keeps them) are not part of an origin.
cors_value="${RASA_CORS_ORIGINS:-http://127.0.0.1:$BACKEND_PORT}"
read -r -a cors <<<"${cors_value//[\"\']/}"
export RASA_CORS_ORIGINS="${cors[*]}"   # the socket.io server accepts the same origins (bot/assistant/channels/socketio_server.py)

# Time-outs and request sizes of the Sanic servers (Rasa, action server), read from SANIC_* variables;
# the backend's are in bot/backend/serving.py. docs/security.md, "Time-outs and sizes".
export SANIC_REQUEST_TIMEOUT="${SANIC_REQUEST_TIMEOUT:-5}" SANIC_KEEP_ALIVE_TIMEOUT="${SANIC_KEEP_ALIVE_TIMEOUT:-5}"
export SANIC_RESPONSE_TIMEOUT="${SANIC_RESPONSE_TIMEOUT:-60}"
RASA_MAX_REQUEST_BYTES="${RASA_MAX_REQUEST_BYTES:-1000000}"  # a message, a staff reply, a Telegram update
# (the action server's body limit is its own: MAX_BODY_BYTES in bot/assistant/action_server.py)

REPLICAS="${RASA_REPLICAS:-1}"
[[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || die "RASA_REPLICAS must be a whole number of at least 1"
if [ "$REPLICAS" -gt 1 ] && [ "$VOORDEUR_STORES" != production ]; then
  die "several Rasa replicas need the shared stores: set VOORDEUR_STORES=production (or run make start-replicas)"
fi
if [ "$VOORDEUR_STORES" = production ]; then
  stores="production stores: PostgreSQL $RASA_DB_HOST:$RASA_DB_PORT/$RASA_DB_NAME, Redis lock store $REDIS_HOST:$REDIS_PORT"
else
  stores="embedded defaults: SQLite, in-memory lock store"
fi
# replica_name I: the log and process name of replica I (0-based): rasa, rasa-2, rasa-3, ...
replica_name() { if [ "$1" -eq 0 ]; then echo rasa; else echo "rasa-$(($1 + 1))"; fi; }

run backend "$VENV_APP/bin/python" -m bot.backend serve --host 127.0.0.1 --port "$BACKEND_PORT"
# The job queue's workers (reminders, check-ins): one per Rasa replica; with several, the queue is Redis
# (JOBS_URL) and each scheduled message is claimed once (docs/keep-in-touch.md).
for ((i = 0; i < REPLICAS; i++)); do
  if [ "$i" -eq 0 ]; then worker_name=worker; else worker_name="worker-$((i + 1))"; fi
  run "$worker_name" "$VENV_APP/bin/python" -m bot.backend worker
done
# Our entry point around rasa-sdk: a shared secret on every call, 127.0.0.1 unless ACTION_HOST says otherwise.
run actions "$VENV_RASA/bin/python" -m bot.assistant.action_server --actions actions --port "$ACTION_PORT"
for ((i = 0; i < REPLICAS; i++)); do
  run "$(replica_name "$i")" env SANIC_REQUEST_MAX_SIZE="$RASA_MAX_REQUEST_BYTES" SANIC_WEBSOCKET_MAX_SIZE=65536 \
    "$VENV_RASA/bin/rasa" run --model "$MODEL_FILE" --endpoints "$RASA_ENDPOINTS" \
    --credentials credentials.yml --port "$((RASA_PORT + i))" --enable-api --auth-token="$RASA_AUTH_TOKEN" \
    --cors "${cors[@]}" --response-timeout "$SANIC_RESPONSE_TIMEOUT"
done

log "starting: case backend, job worker(s), action server, $REPLICAS Rasa server(s) (loading the model takes up to a minute each)"
wait_for backend "http://127.0.0.1:$BACKEND_PORT/health"
wait_for actions "http://127.0.0.1:$ACTION_PORT/health"
rasa_urls=""
for ((i = 0; i < REPLICAS; i++)); do
  wait_for "$(replica_name "$i")" "http://127.0.0.1:$((RASA_PORT + i))/status?token=$RASA_AUTH_TOKEN"
  rasa_urls+="http://127.0.0.1:$((RASA_PORT + i)) "
done

cat >&2 <<INFO

  Voordeur is running ($stores).
    Rasa server      ${rasa_urls% }            (REST: /webhooks/rest/webhook)
    Action server    http://127.0.0.1:$ACTION_PORT/health
    Case backend     http://127.0.0.1:$BACKEND_PORT/health
    Chat widget demo http://127.0.0.1:$BACKEND_PORT/demo
    Staff page       http://127.0.0.1:$BACKEND_PORT/staff   $("$VENV_APP/bin/python" -m bot.backend.staff_web.bootstrap --hint)
    Terminal chat    make chat
    Logs             ${LOG_DIR#$ROOT/}/{rasa,actions,backend,worker}.log
  Press Ctrl-C to stop.

INFO

# If one process dies, stop the others and report which one. With several Rasa replicas, the others
# carry on as long as one replica lives (as behind a load balancer).
reported=()
while true; do
  alive=()
  for i in "${!PIDS[@]}"; do kill -0 "${PIDS[$i]}" 2>/dev/null && alive+=("${PIDS[$i]}"); done
  ended="" status=0
  if [ "${#alive[@]}" -gt 0 ]; then wait -n -p ended "${alive[@]}" || status=$?; fi
  # Ctrl-C reaches the whole process group at once: give its trap the chance to run first.
  [ "$stopping" -eq 0 ] && sleep 0.5
  [ "$stopping" -eq 0 ] || break
  # Bash can drop its own INT trap when a child has handled the same Ctrl-C first (seen once in CI). A
  # backend or action server that shut down cleanly (0) or on SIGINT/SIGTERM (130/143) was asked to stop.
  for i in "${!PIDS[@]}"; do
    if [ "${PIDS[$i]}" = "$ended" ] && [[ "${NAMES[$i]}" != rasa* ]] && [[ " 0 130 143 " == *" $status "* ]]; then
      log "${NAMES[$i]} was asked to stop (exit status $status)"
      stop_all
      exit 0
    fi
  done
  fatal=0 replicas_alive=0
  for i in "${!PIDS[@]}"; do
    if kill -0 "${PIDS[$i]}" 2>/dev/null; then
      [[ "${NAMES[$i]}" == rasa* ]] && replicas_alive=$((replicas_alive + 1))
    else
      [[ " ${reported[*]} " == *" ${NAMES[$i]} "* ]] && continue
      reported+=("${NAMES[$i]}")
      log "${NAMES[$i]} stopped unexpectedly (log: ${LOG_DIR#$ROOT/}/${NAMES[$i]}.log)"
      [[ "${NAMES[$i]}" == rasa* ]] || fatal=1
    fi
  done
  [ "$replicas_alive" -eq 0 ] && fatal=1
  if [ "$fatal" -eq 1 ]; then
    stop_all
    exit 1
  fi
  log "$replicas_alive Rasa replica(s) carry on"
done
