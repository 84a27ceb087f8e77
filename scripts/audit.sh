#!/usr/bin/env bash
# Dependency audit (make audit): pip-audit over requirements/rasa.lock and requirements/app.lock.
# pip-audit runs from its own environment (.venv/audit, requirements/audit.lock). Findings that
# docs/security.md accepts with a reason are listed in ACCEPTED below; any other finding fails.
#
# pip-audit needs a vulnerability database: PyPI's JSON API (default) or OSV (AUDIT_SERVICE=osv).
# Where neither can be reached it audits nothing; this script then fails instead of reporting
# "no known vulnerabilities", unless ADVISORIES points at a local checkout of the Python Packaging
# Advisory Database (its vulns/ folder), which scripts/audit_offline.py then matches against the pins.
#   make audit
#   make audit ADVISORIES=/path/to/advisory-database/vulns
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV_AUDIT="$ROOT/.venv/audit"
LOCKS=("$ROOT/requirements/rasa.lock" "$ROOT/requirements/app.lock")
OUT="$ROOT/var/audit"
# Advisory ids accepted in docs/security.md (comma separated).
ACCEPTED=""

stamp="$VENV_AUDIT/.voordeur-lock.sha256"
want="$(sha256sum "$ROOT/requirements/audit.lock" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing requirements/audit.lock into .venv/audit"
  [ -x "$VENV_AUDIT/bin/python" ] || python3 -m venv "$VENV_AUDIT"
  "$VENV_AUDIT/bin/python" -m pip install -q -r "$ROOT/requirements/audit.lock" >/dev/null \
    || die "installing requirements/audit.lock failed"
  echo "$want" > "$stamp"
fi
mkdir -p "$OUT"

ignore=()
IFS=',' read -r -a accepted_ids <<<"$ACCEPTED"
for id in "${accepted_ids[@]}"; do [ -n "$id" ] && ignore+=(--ignore-vuln "$id"); done

status=0 unreachable=0
for lock in "${LOCKS[@]}"; do
  name="$(basename "$lock" .lock)"
  log "pip-audit: requirements/$name.lock (service ${AUDIT_SERVICE:-pypi})"
  "$VENV_AUDIT/bin/pip-audit" --vulnerability-service "${AUDIT_SERVICE:-pypi}" --no-deps --disable-pip \
    --requirement "$lock" --format json --output "$OUT/$name.json" --progress-spinner off \
    ${ignore[@]+"${ignore[@]}"} || status=1
  # pip-audit counts a package it could not look up as skipped, not as a failure: count them here.
  read -r total skipped vulns < <("$VENV_AUDIT/bin/python" -c '
import json, sys
deps = json.load(open(sys.argv[1]))["dependencies"]
print(len(deps), sum(1 for d in deps if d.get("skip_reason")), sum(len(d.get("vulns", [])) for d in deps))
' "$OUT/$name.json")
  log "requirements/$name.lock: $total packages, $vulns known vulnerabilities, $skipped not looked up"
  [ "$skipped" -gt 0 ] && unreachable=1
done

if [ "$unreachable" -eq 1 ]; then
  if [ -z "${ADVISORIES:-}" ]; then
    die "pip-audit could not look every package up (vulnerability database unreachable); nothing is proven.
  Run it where PyPI's JSON API or OSV is reachable, or give ADVISORIES=<advisory-database>/vulns (see docs/security.md)."
  fi
  log "offline audit against $ADVISORIES"
  "$VENV_AUDIT/bin/python" "$ROOT/scripts/audit_offline.py" "$ADVISORIES" "${LOCKS[@]}" \
    --json "$OUT/offline.json" --ignore "$ACCEPTED" || status=1
fi
[ "$status" -eq 0 ] && log "audit: no open findings" || log "audit: open findings (see above and docs/security.md)"
exit "$status"
