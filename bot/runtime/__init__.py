"""What every `gunmane serve …` process runs around its adapter, platform-free.

- :class:`TurnPool` — engine turns off the request path: in the server process (default) or in a pool of
  processes (``GUNMANE_TURN_PROCESSES``), with a backlog counter and the busy reply (back-pressure).
- :func:`busy_reply` — the adapters' hook: the catalogue's 「混み合っています…」 when the backlog is long.
- :class:`ServerRuntime` — the scheduler, the warm-up and ``/healthz`` ``/readyz`` ``/metrics``'s
  :class:`~bot.monitoring.Monitor` of one server process, started and stopped together

(imported from bot.runtime.serving, not from here: the adapters import the pool, and the serving side imports
the scheduler, which imports the adapters' senders.)
"""

from bot.runtime.pool import TurnPool, busy_reply

__all__ = ["TurnPool", "busy_reply"]
