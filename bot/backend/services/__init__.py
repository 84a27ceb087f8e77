"""Business rules of the case backend: keyword-only functions that take the session.

Services validate everything before they write, so a refused request changes nothing; the caller owns
the transaction (commit or roll back).
"""
