"""Before a server starts: is its address free to listen on?

Every ``gunmane serve …`` command calls :func:`ensure_port_free` first, so a
port that another program (or a second gunmane) already holds is one clear
line and exit code 1 — before the engine loads its models — instead of an
``OSError`` traceback from deep inside waitress or aiohttp.

The check binds a socket the way those servers do (``SO_REUSEADDR``, so a
port with connections still in TIME_WAIT counts as free, as it does for them)
and closes it again. Another program can still take the port in the moment
between the check and the server's own bind; the server then fails with its
own error, as before.
"""

from __future__ import annotations

import errno
import socket

from knowledge.errors import ConfigError, GunmaneError


class PortInUse(GunmaneError):
    """The address is taken (or not ours to take); the message says which and what to do."""


def ensure_port_free(host: str, port: int, *, option: str = "--port") -> None:
    """Return when ``host:port`` can be listened on; else raise PortInUse / ConfigError saying why."""
    if isinstance(port, bool) or not 0 <= port <= 65535:
        raise ConfigError(f"{option} {port} is not a port number; use 1-65535.")
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConfigError(f"--host {host!r} is not an address this machine can listen on ({exc}); "
                          f"use 0.0.0.0 (every interface) or 127.0.0.1 (this machine only).") from None
    for family, kind, proto, _name, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise PortInUse(_why(host, port, exc, option)) from None


def _why(host: str, port: int, exc: OSError, option: str) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (f"Port {port} is already in use ({where}): another program, or another `gunmane serve`, "
                f"is listening there. Stop it, or choose a free port with {option} (e.g. {option} {port % 65535 + 1}).")
    if exc.errno == errno.EACCES:
        return (f"Not allowed to listen on {where}: ports below 1024 need administrator rights. "
                f"Choose a port from 1024 up with {option}.")
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine, so it cannot listen on {where}; use 0.0.0.0 or 127.0.0.1."
    return f"Cannot listen on {where}: {exc.strerror or exc}."
