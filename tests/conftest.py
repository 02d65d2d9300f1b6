"""Project-specific test setup. The shared fixtures (``settings``, ``store``, ``frozen_clock``,
``admin``) and helpers (``make_principal``, ``run_page``, ``authorization_matrix``) come from
the core test kit, ``core.testkit``, a pytest plugin installed with the suite (entry point
``pytest11``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """A checkout whose virtualenv predates the kit's entry point still gets it."""
    if not config.pluginmanager.has_plugin("rapid") and not config.pluginmanager.has_plugin(
        "core.testkit"
    ):
        config.pluginmanager.import_plugin("core.testkit")
