"""Shared rules, imported by both .venv/rasa and .venv/app: the standard library only."""
