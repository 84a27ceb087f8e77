"""Stdlib-only rules shared by the Rasa side and the case backend."""
