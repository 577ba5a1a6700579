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
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
