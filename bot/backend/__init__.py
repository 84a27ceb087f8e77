"""Case backend, .venv/app (Python 3.11): imports bot.shared, content_facts, log_masking; never assistant."""
