"""Settings shared by the whole test suite."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# tests/typing/ holds files for the type checkers, not tests to run.
collect_ignore = ["typing"]

# CI machines are small and busy: a slow example is not a failure there, and a
# failing one prints the blob that reproduces it.
settings.register_profile(
    "ci",
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
