"""A pytest plugin for `nox -s isolation`: fail a test that leaks state into the next one.

Loaded with ``-p isolation_checks`` (``tests/`` on ``PYTHONPATH``). After each
test, once its fixtures are torn down and the asyncfakes plugin has undone the
patches it left started, it checks that the test left nothing behind:

- no `af.Sandbox` (or other journal) still active: later calls would be
  recorded in the wrong journal;
- no patch or spy still started;
- no virtual clock still installed on a running loop;
- no new non-daemon thread still running;
- no asyncio task destroyed while pending, and no task exception never
  retrieved (asyncio logs both; pytest-asyncio cancels the tasks a test
  leaves pending when it closes the test's loop);
- the interpreter's thread switch interval and the asyncio event loop policy
  as they were.

Warnings need no check here: the suite runs with ``filterwarnings = error``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Generator

import pytest

from asyncfakes import _clock, _patching, _recorder

_ASYNCIO_LEAKS = ("Task was destroyed but it is pending", "exception was never retrieved")


class _AsyncioLeaks(logging.Handler):
    """Collects what asyncio logs about tasks left pending or failed unseen."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if any(text in message for text in _ASYNCIO_LEAKS):
            self.found.append(message.splitlines()[0])


_leaks = _AsyncioLeaks()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger("asyncio").addHandler(_leaks)


def pytest_unconfigure(config: pytest.Config) -> None:
    logging.getLogger("asyncio").removeHandler(_leaks)


State = tuple[int, int, int, float, type[asyncio.AbstractEventLoopPolicy]]


def _state() -> State:
    """What a test must leave as it found it."""
    return (
        len(_recorder._active),
        len(_patching._started),
        len(_clock._active),
        sys.getswitchinterval(),
        type(asyncio.get_event_loop_policy()),
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    """Run the test with its setup and teardown, then check what it left behind."""
    threads = set(threading.enumerate())
    state = _state()
    _leaks.found.clear()
    result = yield
    problems = _left_behind(threads, state)
    if problems:
        item.ihook.pytest_runtest_logreport(report=_leak_report(item, problems))
    return result


def _left_behind(threads: set[threading.Thread], before: State) -> list[str]:
    problems: list[str] = []
    journals, patches, clocks, interval, policy = _state()
    if journals > before[0]:
        problems.append(f"{journals - before[0]} journal(s) still active (a Sandbox never exited)")
    if patches > before[1]:
        problems.append(f"patches still started: {_patching._started[before[1] :]!r}")
    if clocks > before[2]:
        problems.append(f"virtual clocks still installed: {dict(_clock._active)!r}")
    running = [
        thread
        for thread in threading.enumerate()
        if thread not in threads and thread.is_alive() and not thread.daemon
    ]
    if running:
        problems.append(f"threads still running: {running!r}")
    problems.extend(f"asyncio: {message}" for message in _leaks.found)
    if (interval, policy) != before[3:]:
        problems.append(f"interpreter state changed: {before[3:]!r} -> {(interval, policy)!r}")
    return problems


def _leak_report(item: pytest.Item, problems: list[str]) -> pytest.TestReport:
    """A failed teardown report for `item`, listing what it leaked."""
    text = f"{item.nodeid} leaked into the next test:\n" + "\n".join(f"  - {p}" for p in problems)
    return pytest.TestReport(
        nodeid=item.nodeid,
        location=item.location,
        keywords=dict.fromkeys(item.keywords, 1),
        outcome="failed",
        longrepr=text,
        when="teardown",
        sections=[],
        duration=0.0,
        start=0.0,
        stop=0.0,
        user_properties=[],
    )
