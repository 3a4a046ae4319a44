"""A free TCP port on loopback, for the servers that tests, benchmarks and helpers start themselves."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
