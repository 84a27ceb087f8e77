"""One way for the Rasa side (channels, pipeline steps, actions) to open an HTTP client to the case backend.

httpx builds a new TLS context for every client, even for plain http: about 5 ms of CPU on the Rasa
server's event loop per client (a profile of the load benchmark, docs/load-benchmark.md). Every client
here shares one context.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx

from bot.assistant.settings import rasa_side_settings


@cache
def tls_context() -> ssl.SSLContext:
    """The one TLS context every backend client shares."""
    return httpx.create_ssl_context()


def backend_client(timeout: float) -> httpx.AsyncClient:
    """A client for the case backend with the service token; `timeout` caps the configured one."""
    settings = rasa_side_settings()
    return httpx.AsyncClient(
        base_url=settings.backend_url.rstrip("/"),
        headers={"Authorization": f"Bearer {settings.backend_service_token}"},
        timeout=min(settings.backend_timeout, timeout),
        verify=tls_context(),
    )
