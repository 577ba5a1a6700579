"""af.AsyncFakesTestCase: an IsolatedAsyncioTestCase with a Sandbox per test as self.fakes."""

from __future__ import annotations

import asyncio
import os
import unittest
from typing import Any

import asyncfakes as af


class Mailer:
    """The code under test talks to this."""

    async def send(self, to: str) -> str:
        return f"sent to {to}"


async def welcome(to: str) -> str:
    return await Mailer().send(to)


def _run(case: type[unittest.TestCase], *names: str) -> unittest.TestResult:
    result = unittest.TestResult()
    for name in names:
        case(name).run(result)
    return result


def test_every_hook_sees_the_same_sandbox_and_its_journal() -> None:
    """It enters the sandbox before setUp/asyncSetUp and keeps it until the cleanups ran."""
    seen: list[tuple[str, bool, bool]] = []

    class Case(af.AsyncFakesTestCase):
        def note(self, where: str) -> None:
            seen.append((where, self.fakes.is_open, af.journal() is self.fakes.journal))

        def setUp(self) -> None:
            self.note("setUp")

        async def asyncSetUp(self) -> None:
            self.note("asyncSetUp")

        async def test_it(self) -> None:
            self.note("test")
            self.addCleanup(self.note, "cleanup")

        async def asyncTearDown(self) -> None:
            self.note("asyncTearDown")

    result = _run(Case, "test_it")
    assert (result.testsRun, result.errors, result.failures) == (1, [], [])
    assert seen == [
        ("setUp", True, True),
        ("asyncSetUp", True, True),
        ("test", True, True),
        ("asyncTearDown", True, True),
        ("cleanup", True, True),
    ]


def test_patches_are_undone_after_each_test() -> None:
    """It undoes what the test patched, so the next test sees the original."""
    originals: list[bool] = []

    class Case(af.AsyncFakesTestCase):
        async def test_a_patches(self) -> None:
            send = self.fakes.patch.object(Mailer, "send")
            send.return_value = "queued"
            assert await welcome("ada") == "queued"
            af.verify(send).awaited_once_with("ada")

        async def test_b_sees_the_original(self) -> None:
            originals.append(await welcome("ada") == "sent to ada")

    result = _run(Case, "test_a_patches", "test_b_sees_the_original")
    assert (result.testsRun, result.errors, result.failures) == (2, [], [])
    assert originals == [True]


def test_a_forgotten_await_fails_the_test_with_its_site() -> None:
    """It fails a passing test that left a call never awaited, naming the line."""
    line: list[int] = []

    class Case(af.AsyncFakesTestCase):
        async def test_forgets(self) -> None:
            self.fakes.patch.object(Mailer, "send")
            line.append(Case.test_forgets.__code__.co_firstlineno + 3)
            Mailer().send("ada")

    result = _run(Case, "test_forgets")
    assert result.errors == []
    ((_, text),) = result.failures
    assert text.splitlines()[-3:] == [
        "asyncfakes.VerificationError: 1 call to an async fake was never awaited "
        "(a missing `await`?):",
        f"  1. Mailer.send('ada')  at {os.path.relpath(__file__)}:{line[0]}",
        "Await each call (or pass it to asyncio.create_task); "
        "the never-awaited coroutines have been closed.",
    ]


def test_a_failing_test_shows_only_its_own_failure() -> None:
    """It skips the checks after a failure, so the failure is the one reported."""

    class Case(af.AsyncFakesTestCase):
        async def test_fails(self) -> None:
            self.fakes.patch.object(Mailer, "send")
            Mailer().send("ada")
            self.fail("the real failure")

    result = _run(Case, "test_fails")
    ((_, text),) = result.failures
    assert "AssertionError: the real failure" in text
    assert "never awaited" not in text
    assert inspect_is_original()


def test_a_skipped_test_leaves_no_sandbox_active() -> None:
    """It closes the sandbox of a skipped test, whose cleanups never run."""
    before = af.journal()

    class Case(af.AsyncFakesTestCase):
        @unittest.skip("not today")
        async def test_skipped(self) -> None: ...

    result = _run(Case, "test_skipped")
    assert len(result.skipped) == 1
    assert af.journal() is before


def test_a_leaked_pool_connection_fails_the_test() -> None:
    """It runs the leak checks: a connection never released fails the test."""

    class Case(af.AsyncFakesTestCase):
        async def test_leaks(self) -> None:
            db: Any = self.fakes.pool(size=1, name="db")
            await db.acquire()
            await asyncio.sleep(0)

    result = _run(Case, "test_leaks")
    ((_, text),) = result.failures
    assert "LeakError: 1 resource was not released, closed or finished" in text
    assert "db: 1 connection acquired and never released:" in text


def test_run_without_a_result_makes_one() -> None:
    """It returns the default result when run() is given none, as unittest does."""

    class Case(af.AsyncFakesTestCase):
        async def test_it(self) -> None:
            self.fakes.patch.object(Mailer, "send")

    result = Case("test_it").run()
    assert isinstance(result, unittest.TestResult)
    assert (result.testsRun, result.wasSuccessful()) == (1, True)


ORIGINAL_SEND = Mailer.__dict__["send"]


def inspect_is_original() -> bool:
    """Mailer.send is the real coroutine function again."""
    # Not "af" in its repr: the repr shows the function's address, which may contain "af".
    return Mailer.__dict__["send"] is ORIGINAL_SEND and asyncio.iscoroutinefunction(Mailer.send)
