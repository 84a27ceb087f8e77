# Voordeur task runner. The README's two set-up commands are `make start` and `make test`.
.PHONY: start test chat train setup lock lint sync

start:  ## install what is missing, train when needed, run the whole assistant
	@scripts/start.sh

test:   ## install what is missing and run every test suite
	@scripts/test.sh

chat:   ## chat in the terminal with the running assistant
	@.venv/app/bin/python scripts/chat.py

train:  ## retrain the model even if nothing changed
	@scripts/train.sh --force

setup:  ## install and prepare without starting
	@scripts/setup.sh

lint:   ## ruff on both sides
	@.venv/app/bin/ruff check bot actions tests scripts

lock:   ## re-resolve requirements/*.in into the lock files (needs both environments)
	@scripts/lock.sh

sync:   ## regenerate answer intents, rules and plan test stories from content/
	@.venv/rasa/bin/python scripts/sync_content.py
