"""Project-specific test setup. The shared fixtures (``settings``, ``store``, ``frozen_clock``,
``admin``) and helpers (``make_principal``, ``run_page``, ``authorization_matrix``) come from
the core test kit, ``core.testkit``, a pytest plugin installed with the suite (entry point
``pytest11``)."""

from __future__ import annotations

import pytest
from hypothesis import settings

# Hypothesis's per-example deadline (200 ms) measures the machine, not the code: on a busy
# 2-core CI runner a parser that takes 1 ms can be descheduled for 300. Slowness is what the
# benchmarks judge; here a property only has to hold.
settings.register_profile("rapid", deadline=None)
settings.load_profile("rapid")


def pytest_configure(config: pytest.Config) -> None:
    """A checkout whose virtualenv predates the kit's entry point still gets it."""
    if not config.pluginmanager.has_plugin("rapid") and not config.pluginmanager.has_plugin(
        "core.testkit"
    ):
        config.pluginmanager.import_plugin("core.testkit")
