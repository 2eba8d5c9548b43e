"""Hypothesis settings of the hardening tests: deterministic, bounded, no deadline.

``derandomize`` makes every run try the same examples (a failure reproduces on
the next run and in CI), ``database=None`` keeps no example files between runs,
and there is no per-example deadline: the machine is shared, so a slow example
is not a failure. Each test sets its own ``max_examples``.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "gunmane-hardening",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("gunmane-hardening")
