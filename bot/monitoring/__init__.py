"""How a worker is doing: health and readiness, Prometheus metrics, logs with request ids.

Framework-neutral: :class:`Monitor` answers ``/healthz``, ``/readyz`` and
``/metrics``; :mod:`bot.monitoring.http` wraps it for WSGI, aiohttp and ASGI.
"""

from bot.monitoring.health import Check, Probe, Readiness, alive
from bot.monitoring.http import Monitor, MonitoringASGI, MonitoringWSGI, add_monitoring
from bot.monitoring.logs import configure_logging, request_context
from bot.monitoring.metrics import Metrics

__all__ = [
    "Check", "Metrics", "Monitor", "MonitoringASGI", "MonitoringWSGI", "Probe", "Readiness", "add_monitoring",
    "alive", "configure_logging", "request_context",
]
