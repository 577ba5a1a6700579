"""The pytest plugin's `clock` fixture and `virtual_time` marker, run out of process with pytester.

A pytest subprocess costs seconds here, so each test below runs one small
project of several user tests and checks every one of them by name.
"""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

# looptime's plugin, when installed, calls the deprecated policy.get_event_loop()
# for every test, an error under `filterwarnings = error` on Python 3.12+.
INI = """
[pytest]
asyncio_mode = strict
asyncio_default_fixture_loop_scope = function
filterwarnings = error
addopts = -p no:randomly -p no:cacheprovider -p no:looptime_plugin --strict-markers
"""

PASSING = {
    "test_fixture": """
        import asyncio, time
        import pytest

        @pytest.mark.asyncio
        async def test_sleeps_an_hour(clock):
            started = time.perf_counter()
            await asyncio.sleep(3600)
            assert clock.now() == 3600.0 == asyncio.get_running_loop().time()
            assert time.perf_counter() - started < 1.0
        """,
    "test_marker": """
        import asyncio
        import pytest

        @pytest.mark.asyncio
        @pytest.mark.virtual_time
        async def test_marker_alone():
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.Event().wait(), 30)
            assert asyncio.get_running_loop().time() == 30.0

        @pytest.mark.asyncio
        @pytest.mark.virtual_time(auto_advance=False)
        async def test_marker_arguments(clock):
            assert clock.auto_advance is False
            sleeper = asyncio.create_task(asyncio.sleep(10))
            await clock.advance(9)
            assert not sleeper.done()
            await clock.advance(1)
            assert sleeper.done() and clock.now() == 10.0
        """,
    "test_module_loop": """
        import asyncio, time
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")

        async def test_first(clock):
            await asyncio.sleep(100)
            assert clock.now() == 100.0

        async def test_between():
            assert abs(asyncio.get_running_loop().time() - time.monotonic()) < 1.0

        async def test_second(clock):
            assert clock.now() == 0.0
            await asyncio.sleep(5)
            assert clock.now() == 5.0
        """,
    "test_hypothesis": """
        import asyncio
        import pytest
        from hypothesis import given, settings, strategies as st

        @pytest.mark.asyncio
        @pytest.mark.virtual_time
        @settings(max_examples=20, deadline=None)
        @given(st.integers(min_value=1, max_value=10_000))
        async def test_each_example(seconds):
            await asyncio.sleep(seconds)
            assert asyncio.get_running_loop().time() == seconds
        """,
    "test_nested": """
        import pytest
        import asyncfakes as af

        NESTED = (
            "af.virtual_time() is already active on this event loop (entered by the {} of "
            "{}); nested virtual time is not supported: use the clock that is already "
            "running (the `clock` fixture gives it to a test)"
        )

        @pytest.mark.asyncio
        async def test_nested_is_refused(clock):
            with pytest.raises(RuntimeError) as refused:
                async with af.virtual_time():
                    pass
            assert str(refused.value) == NESTED.format("clock fixture", "test_nested_is_refused")

        @pytest.mark.asyncio
        @pytest.mark.virtual_time
        async def test_nested_in_the_marker_is_refused():
            with pytest.raises(RuntimeError) as refused:
                async with af.virtual_time():
                    pass
            assert str(refused.value) == NESTED.format(
                "virtual_time marker", "test_nested_in_the_marker_is_refused"
            )
        """,
}

FAILING = {
    "test_z_anyio_asyncio": """
        import anyio
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_anyio_sleep(clock):
            await anyio.sleep(60)
            assert clock.now() == 60.0
        """,
    "test_a_trio": """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "trio"

        @pytest.mark.anyio
        async def test_on_trio(clock):
            pass
        """,
    "test_sync": """
        import pytest

        def test_sync_with_fixture(clock):
            pass

        @pytest.mark.virtual_time
        def test_sync_with_marker():
            pass
        """,
}


def _run(pytester: pytest.Pytester, files: dict[str, str]) -> pytest.RunResult:
    pytester.makeini(INI)
    pytester.makepyfile(**{name: textwrap.dedent(source) for name, source in files.items()})
    return pytester.runpytest_subprocess("-v", "-rA")


def test_clock_and_marker_make_tests_virtual_under_every_runner(pytester: pytest.Pytester) -> None:
    """The fixture and the marker work with pytest-asyncio (function and module loops)
    and Hypothesis, and refuse nesting."""
    result = _run(pytester, PASSING)
    result.stdout.fnmatch_lines(
        [
            "*test_fixture.py::test_sleeps_an_hour PASSED*",
            "*test_hypothesis.py::test_each_example PASSED*",
            "*test_marker.py::test_marker_alone PASSED*",
            "*test_marker.py::test_marker_arguments PASSED*",
            "*test_module_loop.py::test_first PASSED*",
            "*test_module_loop.py::test_between PASSED*",
            "*test_module_loop.py::test_second PASSED*",
            "*test_nested.py::test_nested_is_refused PASSED*",
            "*test_nested.py::test_nested_in_the_marker_is_refused PASSED*",
        ]
    )
    result.assert_outcomes(passed=9)


def test_anyio_works_and_misuse_fails_with_messages_that_say_what_to_do(
    pytester: pytest.Pytester,
) -> None:
    """anyio on asyncio works; on trio, and in a sync test, the fixture or marker fails with
    its full message.

    (anyio's plugin leaves an event loop to the garbage collector, which pytest reports
    as unraisable in whichever test collects it, with or without asyncfakes: its test
    runs last, in this project, named ``test_z_...``.)
    """
    result = _run(pytester, FAILING)
    result.stdout.fnmatch_lines(["*test_z_anyio_asyncio.py::test_anyio_sleep PASSED*"])
    result.assert_outcomes(passed=1, failed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*RuntimeError: af.virtual_time() must be entered inside a running asyncio "
            "event loop: use `async with af.virtual_time() as clock:` in a coroutine run "
            "by asyncio.run(), pytest-asyncio or IsolatedAsyncioTestCase (under trio, use "
            "trio.testing.MockClock(autojump_threshold=0))",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "The `clock` fixture makes loop time virtual while an async test runs, but "
            "test_sync_with_fixture is not an async test. Make it `async def` (with "
            "pytest-asyncio or anyio), or use `async with af.virtual_time() as clock:` "
            "inside the coroutine it runs.",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.virtual_time makes loop time virtual while an async test runs, "
            "but test_sync_with_marker is not an async test. Make it `async def` (with "
            "pytest-asyncio or anyio), or use `async with af.virtual_time() as clock:` "
            "inside the coroutine it runs.",
        ]
    )
