"""Shared fixtures of the package tests, and the accuracy summary printed after the run.

The accuracy tests (``test_accuracy.py``) record the largest error they measure for each function
and dtype in the ``ulp_stats`` fixture; :func:`pytest_terminal_summary` prints them as a table, so
every run of the suite reports how many ulps the reference implementations are off by.
"""

from __future__ import annotations

import numpy as np
import pytest

_STATS = pytest.StashKey[dict]()


class UlpStats:
    """Largest error seen per ``(function, dtype, measure)``, with the input that produced it."""

    def __init__(self, store: dict) -> None:
        self._store = store

    def record(self, function: str, dtype: type, measure: str, value: float, where: str) -> None:
        key = (function, np.dtype(dtype).name, measure)
        if key not in self._store or value > self._store[key][0]:
            self._store[key] = (float(value), where)


@pytest.fixture(scope="session")
def ulp_stats(request: pytest.FixtureRequest) -> UlpStats:
    """Session-wide recorder of measured errors (see ``test_accuracy.py``)."""
    return UlpStats(request.config.stash.setdefault(_STATS, {}))


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator: every test sees the same numbers on every run."""
    return np.random.default_rng(20240531)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    stats = config.stash.get(_STATS, {})
    if not stats:
        return
    verbose = config.option.verbose > 0  # -v also shows the input where each maximum occurred
    rows: dict[tuple[str, str], list[str]] = {}
    for (function, dtype, measure), (value, where) in sorted(stats.items()):
        at = f" at {where[:90]}" if verbose else ""
        rows.setdefault((function, dtype), []).append(f"{measure} {value:.3g}{at}")
    tr = terminalreporter
    tr.section("largest errors measured by tests/test_accuracy.py (ulps of the result's dtype)")
    for (function, dtype), measures in rows.items():
        tr.write_line(f"{function} [{dtype}]: " + "; ".join(measures))
