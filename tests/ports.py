"""Free local ports for the servers that tests and benchmarks start (standard library only: both venvs).

Ports are drawn below the kernel's ephemeral range. A port the kernel hands out with bind(0) lies inside
that range, and in the seconds before a slow server binds it (Rasa loads its model first) any outgoing
connection of another process may take it as its local port: "address already in use" at start-up.
Outgoing connections never take a port below the range.

`VOORDEUR_TEST_PORTS` ("20000-26000") narrows the range: scripts/test.sh gives the Rasa side and the app side,
which run at the same time, ranges of their own, so their servers never draw the same port.
"""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

LOWEST_PORT = 20000
_handed_out: set[int] = set()


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _port_range() -> tuple[int, int]:
    """The lowest port and one past the highest: VOORDEUR_TEST_PORTS, else up to the ephemeral range."""
    highest = max(LOWEST_PORT + 1000, _ephemeral_floor())
    chosen = os.environ.get("VOORDEUR_TEST_PORTS", "")
    if chosen:
        low, high = (int(part) for part in chosen.split("-"))
        return low, min(high, highest)
    return LOWEST_PORT, highest


def _bindable(port: int) -> bool:
    """True when a server could listen on the port on every interface (as Rasa does) right now."""
    with socket.socket() as sock:
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def free_consecutive_ports(count: int) -> int:
    """The first of `count` consecutive free ports (Rasa replicas listen on RASA_PORT, RASA_PORT+1, ...);
    never one this process has handed out before, so two calls before either server starts differ."""
    lowest, highest = _port_range()
    highest_first = highest - count
    for _ in range(500):
        first = random.randint(lowest, highest_first)
        ports = range(first, first + count)
        if not _handed_out.intersection(ports) and all(_bindable(port) for port in ports):
            _handed_out.update(ports)
            return first
    raise RuntimeError(f"no {count} consecutive free ports between {lowest} and {highest}")


def free_port() -> int:
    """A free port for one server."""
    return free_consecutive_ports(1)
