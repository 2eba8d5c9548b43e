"""Issue 16, item 15: ``gunmane serve …`` on a port in use says which port and exits 1 (no OSError traceback).

Each serve command checks its address with ``bot.ports.ensure_port_free``
before it loads the engine; a port held by a listening socket of this test
stands for "another program".
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.ports import PortInUse, ensure_port_free
from knowledge.errors import ConfigError

SERVE = {
    "slack": (["serve", "slack", "--http"], {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"}),
    "teams": (["serve", "teams", "--insecure-local"], {}),
}


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.mark.parametrize("platform", sorted(SERVE))
def test_serve_on_a_port_in_use_names_it_and_exits_1(cli_env, taken_port, platform):
    args, env = SERVE[platform]
    result = CliRunner().invoke(app, [*args, "--host", "127.0.0.1", "--port", str(taken_port)], env={**cli_env, **env})
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert f"error: Port {taken_port} is already in use (127.0.0.1:{taken_port})" in result.stderr
    assert "--port" in result.stderr and "Traceback" not in result.output


def test_a_free_port_passes(taken_port):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    ensure_port_free("127.0.0.1", free)
    ensure_port_free("127.0.0.1", 0)
    with pytest.raises(PortInUse, match=f"Port {taken_port} is already in use"):
        ensure_port_free("127.0.0.1", taken_port)


@pytest.mark.parametrize("host, port, message", [
    ("127.0.0.1", 70000, "--port 70000 is not a port number"),
    ("127.0.0.1", -1, "--port -1 is not a port number"),
    ("192.0.2.1", 3000, "192.0.2.1 is not an address of this machine"),
])
def test_bad_addresses_are_explained(host, port, message):
    with pytest.raises((ConfigError, PortInUse), match=message):
        ensure_port_free(host, port)


def test_an_unresolvable_host_is_explained(monkeypatch):
    def no_dns(*_args: object, **_kwargs: object) -> None:  # stay off the network: name resolution fails here
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(ConfigError, match="--host 'gunmane.invalid' is not an address this machine can listen on"):
        ensure_port_free("gunmane.invalid", 3000)
