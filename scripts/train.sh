#!/usr/bin/env bash
# Train the Rasa model only when the training data, the config, the pipeline's own components or the
# spaCy pipeline changed.
# Usage: scripts/train.sh [--force]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fingerprint() {
  (
    cd "$ROOT"
    # bot/assistant/nlp holds the pipeline's own components (classifier, safety net) and the crisis
    # exemplars: they are the model too.
    { find config.yml domain data -type f \( -name '*.yml' -o -name '*.txt' \) -print0
      find bot/assistant/nlp -type f \( -name '*.py' -o -name '*.yml' \) -print0; } \
      | sort -z | xargs -0 sha256sum
    cat "$SPACY_DIR/voordeur-pipeline.json"
    sha256sum requirements/rasa.lock
  ) | sha256sum | cut -d' ' -f1
}

want="$(fingerprint)"
stamp="$MODEL_DIR/voordeur.fingerprint"
if [ "${1:-}" != "--force" ] && [ -f "$MODEL_FILE" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log "model is up to date ($(basename "$MODEL_FILE"))"
  exit 0
fi
log "training the model (training data or config changed; one to a few minutes: the crisis check embeds every training sentence)"
mkdir -p "$MODEL_DIR" "$LOG_DIR"
start=$(date +%s)
cd "$ROOT"
# Embedding every training sentence is most of the training time (about 170 of 215 s on one thread):
# training has both cores to itself, so the encoder gets TRAIN_ENCODER_THREADS (default 2) here, while
# a running assistant keeps ENCODER_THREADS (default 1) to leave cores to the other conversations.
ENCODER_THREADS="${TRAIN_ENCODER_THREADS:-2}" rasa_cli train --config config.yml --domain domain --data data --out "$MODEL_DIR" \
  --fixed-model-name voordeur --num-threads 2 >"$LOG_DIR/train.log" 2>&1 \
  || { tail -n 40 "$LOG_DIR/train.log" >&2; die "training failed (full log: var/log/train.log)"; }
echo "$want" > "$stamp"
log "model trained in $(( $(date +%s) - start )) s"
