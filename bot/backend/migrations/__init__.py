"""Alembic migrations of the case backend (the Alembic config is built in code, see `migrate.py`)."""
