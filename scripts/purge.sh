#!/usr/bin/env bash
# Retention (docs/privacy.md): delete Rasa conversations, bookings, closed handovers and callback requests
# and conversation rows older than the RETENTION_*_DAYS periods in .env.
#   make purge                 # delete
#   scripts/purge.sh --dry-run # only count
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
load_env
export_runtime_env
dry_run=()
[ "${1:-}" = "--dry-run" ] && dry_run=(--dry-run)
export RASA_TELEMETRY_ENABLED=false
# The Rasa side's counts go into the backend's audit entry of this purge.
rasa_report="$(mktemp)"
trap 'rm -f "$rasa_report"' EXIT
"$ROOT/.venv/rasa/bin/python" scripts/purge_conversations.py --endpoints "${RASA_ENDPOINTS:-endpoints.yml}" \
  --report "$rasa_report" "${dry_run[@]}" 2> >(grep -v -e tensorflow -e cuda -e Warning >&2)
"$ROOT/.venv/app/bin/python" -m bot.backend purge --rasa-report "$rasa_report" "${dry_run[@]}"
