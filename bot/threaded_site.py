"""Run an aiohttp application on 127.0.0.1 in a background thread with its own event loop.

Shared by the adapters: the platform fakes (bot/teams/fake_connector.py, bot/lineworks/fake_api.py) and
the end-to-end tests use it, so that plain synchronous code can talk to real servers over loopback.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from aiohttp import web


class ThreadedSite:
    """``start()`` serves ``make_app()`` on an ephemeral (or given) port; ``stop()`` shuts it down."""

    def __init__(self, make_app: Callable[[], web.Application], *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._make_app = make_app
        self._host = host
        self._port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="threaded-site", daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def start(self) -> ThreadedSite:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        return self

    async def _start(self) -> None:
        # The application is built inside the loop: aiohttp binds client sessions to the running loop.
        self._runner = web.AppRunner(self._make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])  # the OS picked it when port was 0

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=30)
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()

    def __enter__(self) -> ThreadedSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
