"""How bench_virtual_time.py runs this suite: the time mode and the report.

``ASYNCFAKES_SLEEPY_MODE`` picks the time the tests run in:

- ``real``: nothing changes, every sleep really sleeps;
- ``looptime``: the runner passes ``--looptime`` (looptime's own pytest option);
- ``asyncfakes``: every test gets ``@pytest.mark.virtual_time`` (asyncfakes' plugin).

``ASYNCFAKES_SLEEPY_REPORT`` names a JSON file that receives each test's
outcome and the wall time of the test loop (collection and start-up excluded).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Generator
from pathlib import Path

import pytest

MODE = os.environ.get("ASYNCFAKES_SLEEPY_MODE", "real")
REPORT = os.environ.get("ASYNCFAKES_SLEEPY_REPORT")

_outcomes: dict[str, str] = {}
_durations: dict[str, float] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if MODE == "asyncfakes":
        for item in items:
            item.add_marker(pytest.mark.virtual_time)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        _durations[item.nodeid] = time.perf_counter() - started


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        previous = _outcomes.get(report.nodeid)
        if previous in (None, "passed"):
            _outcomes[report.nodeid] = report.outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        if REPORT:
            Path(REPORT).write_text(
                json.dumps(
                    {
                        "mode": MODE,
                        "loop_seconds": time.perf_counter() - started,
                        "outcomes": _outcomes,
                        "durations": _durations,
                    }
                ),
                encoding="utf-8",
            )
