"""Rasa side, .venv/rasa (Python 3.10): imports bot.shared, content_facts, log_masking; never bot.backend."""
