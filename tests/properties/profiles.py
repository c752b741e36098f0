"""Hypothesis settings for the property tests, chosen by environment.

`ci` (selected when CI is set): derandomized, few examples, no example database.
`dev` (default locally): more examples. `thorough`: many, for a long local run:
    HYPOTHESIS_PROFILE=thorough .venv/bin/pytest tests/properties
They are applied per test (not loaded globally) so other suites keep their own settings.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

settings.register_profile("ci", max_examples=100, derandomize=True, database=None, **_COMMON)
settings.register_profile("dev", max_examples=100, **_COMMON)
settings.register_profile("thorough", max_examples=2000, **_COMMON)


def selected_profile() -> str:
    """HYPOTHESIS_PROFILE when it names one of ours, else `ci` under CI, else `dev`."""
    requested = os.environ.get("HYPOTHESIS_PROFILE", "")
    if requested in ("ci", "dev", "thorough"):
        return requested
    return "ci" if os.environ.get("CI") else "dev"


PROPERTY_SETTINGS = settings.get_profile(selected_profile())
