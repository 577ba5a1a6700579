"""pytest plugin for asyncfakes: thin fixtures over the library (the only module importing pytest).

Registered through the ``pytest11`` entry point, so installing asyncfakes is
enough. Virtual time: the ``clock`` fixture and the ``virtual_time`` marker.
Sandbox and patches: the ``fakes`` fixture (a `Sandbox` per test) and
``af.patch.stopall()`` after every test.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Coroutine, Generator, Iterator
from typing import Any

import pytest

from ._clock import VirtualClock, entered_by, virtual_time
from ._patching import patch
from ._recorder import process_journal
from ._sandbox import Sandbox
from ._verify import close_forgotten

__all__ = [
    "clock",
    "fakes",
    "pytest_configure",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "pytest_runtest_teardown",
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's markers."""
    config.addinivalue_line(
        "markers",
        "virtual_time(auto_advance=True): run this async test's body under "
        "af.virtual_time(); the `clock` fixture gives the clock.",
    )


# ------------------------------------------------------------- virtual time

_CLOCK = pytest.StashKey[VirtualClock]()


def _test_coroutine_function(item: pytest.Function) -> tuple[object, str] | None:
    """Where the test's coroutine function lives (holder, attribute), or None for a sync test.

    Hypothesis keeps the async test under ``obj.hypothesis.inner_test``.
    """
    obj = item.obj
    hypothesis = getattr(obj, "hypothesis", None)
    if hypothesis is not None and inspect.iscoroutinefunction(
        getattr(hypothesis, "inner_test", None)
    ):
        return hypothesis, "inner_test"
    if inspect.iscoroutinefunction(obj):
        return item, "obj"
    return None


def _not_async(item: pytest.Item, what: str) -> str:
    return (
        f"{what} makes loop time virtual while an async test runs, but {item.name} "
        "is not an async test. Make it `async def` (with pytest-asyncio or anyio), or "
        "use `async with af.virtual_time() as clock:` inside the coroutine it runs."
    )


def _new_clock(item: pytest.Item) -> VirtualClock:
    marker = item.get_closest_marker("virtual_time")
    if marker is None:
        return virtual_time()
    return virtual_time(*marker.args, **marker.kwargs)


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> VirtualClock:
    """Virtual time for this async test: the clock of its ``af.virtual_time()``.

    The test function's body runs inside ``async with af.virtual_time()``
    (fixtures are set up and torn down in real time). Combine it with
    ``@pytest.mark.virtual_time(auto_advance=False)`` to step time by hand.

    Use it in a test (pytest-asyncio or anyio)::

        @pytest.mark.asyncio
        async def test_retry_waits(clock):
            await asyncio.sleep(60)
            assert clock.now() == 60.0
    """
    # FixtureRequest.node is untyped in pytest: read it as Any, declare what it is.
    item: pytest.Item = getattr(request, "node")  # noqa: B009
    if not isinstance(item, pytest.Function) or _test_coroutine_function(item) is None:
        pytest.fail(_not_async(item, "The `clock` fixture"), pytrace=False)
    new = _new_clock(item)
    item.stash[_CLOCK] = new
    return new


def _in_virtual_time(
    test: Callable[..., Coroutine[Any, Any, Any]], clock: VirtualClock
) -> Callable[..., Coroutine[Any, Any, Any]]:
    @functools.wraps(test)
    async def run_in_virtual_time(*args: Any, **kwargs: Any) -> Any:
        async with clock:
            return await test(*args, **kwargs)

    return run_in_virtual_time


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Run the test body under virtual time when it asks for the clock or the marker.

    The test's coroutine function is wrapped before pytest-asyncio or anyio
    (which read it when the test runs) turn it into a call in their loop.
    """
    clock = item.stash.get(_CLOCK, None)
    if clock is None and item.get_closest_marker("virtual_time") is None:
        return (yield)
    assert isinstance(item, pytest.Function)
    location = _test_coroutine_function(item)
    if location is None:
        pytest.fail(_not_async(item, "@pytest.mark.virtual_time"), pytrace=False)
    if clock is None:
        clock = _new_clock(item)
        entered_by(clock, f"the virtual_time marker of {item.name}")
    else:
        entered_by(clock, f"the clock fixture of {item.name}")
    holder, attribute = location
    original = getattr(holder, attribute)
    setattr(holder, attribute, _in_virtual_time(original, clock))
    try:
        return (yield)
    finally:
        setattr(holder, attribute, original)


# ------------------------------------------------------- sandbox and patches

_CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def fakes(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A `Sandbox` for this test, undone and checked when the test ends.

    Patches, spies and builders made through it are undone after the test.
    Works in sync and async tests (pytest-asyncio, anyio on asyncio and trio).
    After a passing test it fails the test (an error at teardown) for calls to
    async fakes that were never awaited and for pool connections, iterators and
    streams left open, naming their file:line. After a failing test it only
    undoes, so the failure is what you see.

    Use it in a test::

        async def test_refresh(fakes):
            fetch = fakes.patch("app.profile.fetch_user")
            ...
    """
    __tracebackhide__ = True
    item: pytest.Item = getattr(request, "node")  # noqa: B009 - untyped in pytest
    sandbox = Sandbox()
    sandbox.__enter__()
    yield sandbox
    # Not a `with` block: the checks are skipped after a failed test, which
    # __exit__ cannot know (pytest does not throw the failure into fixtures).
    sandbox.close(check=not item.stash.get(_CALL_FAILED, False))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body raised, for the `fakes` fixture's teardown."""
    report = yield
    if call.when == "call" and call.excinfo is not None:
        item.stash[_CALL_FAILED] = True
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    """After the test's fixtures are torn down, undo the patches and spies it left started.

    Then forget the process-wide journal's calls: outside a `Sandbox` they would
    otherwise pile up for the whole session, each keeping its fake alive. (A
    fake's own calls, `af.calls(fake)`, stay with the fake.) Calls among them
    that were never awaited get the `RuntimeWarning` Python gives an
    `AsyncMock`'s forgotten coroutine, in this test and naming each call and
    its site, instead of a bare one whenever the garbage collector frees the
    fake, in whichever test runs then.
    """
    __tracebackhide__ = True
    try:
        return (yield)
    finally:
        patch.stopall()
        calls = process_journal()
        forgotten = close_forgotten(calls)
        calls.clear()
        if forgotten:
            warnings.warn(forgotten, RuntimeWarning, stacklevel=1)
