"""`AsyncFakesTestCase`: `unittest.IsolatedAsyncioTestCase` with a `Sandbox` per test."""

from __future__ import annotations

import unittest
from typing import Any, cast

from ._sandbox import Sandbox

__all__ = ["AsyncFakesTestCase"]


class AsyncFakesTestCase(unittest.IsolatedAsyncioTestCase):
    """An `IsolatedAsyncioTestCase` whose tests each get a `Sandbox` as ``self.fakes``.

    The sandbox is entered before ``setUp``/``asyncSetUp`` and exits after
    ``tearDown``/``asyncTearDown`` and the cleanups added by the test: its
    patches and spies are undone, and when the test passed its checks run (a
    never-awaited call, a leaked connection or an unclosed stream fails the
    test with their file:line).

    Example:
        >>> import unittest, asyncfakes as af
        >>> class Mailer:
        ...     async def send(self, to: str) -> None: ...
        >>> class Test(af.AsyncFakesTestCase):
        ...     async def test_welcome(self):
        ...         send = self.fakes.patch.object(Mailer, "send")
        ...         Mailer().send("ada@example.com")  # the bug: no await
        >>> result = unittest.TestResult()
        >>> _ = Test("test_welcome").run(result)
        >>> "1 call to an async fake was never awaited" in result.failures[0][1]
        True
    """

    fakes: Sandbox

    def run(self, result: Any = None) -> Any:
        """Run the test inside a fresh `Sandbox` (``self.fakes``)."""
        if result is None:  # what unittest.TestCase.run does for a result of None
            result = self.defaultTestResult()
            result.startTestRun()
            try:
                return self.run(result)
            finally:
                result.stopTestRun()
        watched = _Watched(result)
        sandbox = self.fakes = Sandbox()
        sandbox.__enter__()
        # Registered first, so it runs last: after tearDown and the test's own cleanups.
        self.addCleanup(self._af_close_fakes, sandbox, watched)
        try:
            super().run(cast("unittest.TestResult", watched))
            return result
        finally:
            # A skipped test never runs its cleanups.
            if sandbox.is_open:
                sandbox.close(check=False)

    def _af_close_fakes(self, sandbox: Sandbox, watched: _Watched) -> None:
        __tracebackhide__ = True
        # After a failure the checks would only add noise to the report. 3.10
        # reports a test's errors only after its cleanups: read them from its
        # private _Outcome instead.
        reported = getattr(getattr(self, "_outcome", None), "errors", None) or ()
        failed = watched.failed or any(error is not None for _, error in reported)
        sandbox.close(check=not failed)


class _Watched:
    """A test result that notes whether the test has failed so far, and passes everything on."""

    def __init__(self, result: Any) -> None:
        self._result = result
        self.failed = False

    def addError(self, test: Any, error: Any) -> Any:
        self.failed = True
        return self._result.addError(test, error)

    def addFailure(self, test: Any, error: Any) -> Any:
        self.failed = True
        return self._result.addFailure(test, error)

    def addSubTest(self, test: Any, subtest: Any, error: Any) -> Any:
        if error is not None:
            self.failed = True
        return self._result.addSubTest(test, subtest, error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._result, name)
