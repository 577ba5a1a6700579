"""The plugin forgets the process journal's calls after each test (out of process)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_the_process_journal_starts_empty_in_every_test(pytester: pytest.Pytester) -> None:
    """It clears the process-wide journal after each test; a fake keeps its own calls."""
    pytester.makepyfile(
        """
        import asyncfakes as af

        fetch = af.MagicFake(name="fetch")

        def test_one():
            fetch(1)
            assert [record.args for record in af.journal().calls] == [(1,)]

        def test_two():
            fetch(2)
            assert [record.args for record in af.journal().calls] == [(2,)]
            assert [record.args for record in af.calls(fetch)] == [(1,), (2,)]
        """
    )
    result = pytester.runpytest_subprocess(*QUIET)
    result.assert_outcomes(passed=2)


# looptime's plugin asks for the event loop in sync tests: a DeprecationWarning on 3.13.
QUIET = ("-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:looptime_plugin")

FORGOTTEN_AWAIT = """
    import gc

    import asyncfakes as af

    def test_forgets_an_await():
        client = af.AsyncFake(name="client")
        client.aclose()

    def test_next():
        gc.collect()
"""


def test_a_forgotten_await_outside_a_sandbox_fails_its_own_test(pytester: pytest.Pytester) -> None:
    """It warns at the end of the test that forgot the `await`, naming the call and its site."""
    pytester.makepyfile(FORGOTTEN_AWAIT)
    pytester.makeini(
        "[pytest]\nfilterwarnings = error\nasyncio_default_fixture_loop_scope = function\n"
    )
    result = pytester.runpytest_subprocess(*QUIET)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_forgets_an_await*",
            "E   RuntimeWarning: 1 call to an async fake was never awaited (a missing `await`?):",
            "      1. client.aclose()  at test_a_forgotten_await_outside_a_sandbox_fails_its_own_test.py:7",
            "    Await each call (or pass it to asyncio.create_task); "
            "the never-awaited coroutines have been closed.",
        ]
    )
    assert "PytestUnraisableExceptionWarning" not in result.stdout.str()


def test_a_forgotten_await_outside_a_sandbox_is_a_warning_by_default(
    pytester: pytest.Pytester,
) -> None:
    """It is a RuntimeWarning, as for AsyncMock: an error only where warnings are errors."""
    pytester.makepyfile(FORGOTTEN_AWAIT)
    # Its own configuration: none inherited from a project the run sits in.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest_subprocess(*QUIET)
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(["*RuntimeWarning: 1 call to an async fake was never awaited*"])
