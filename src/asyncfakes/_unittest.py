"""`AsyncFakesTestCase`: `unittest.IsolatedAsyncioTestCase` with a `Sandbox` per test."""

from __future__ import annotations

import unittest
from typing import Any

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
        sandbox = self.fakes = Sandbox()
        sandbox.__enter__()
        # Registered first, so it runs last: after tearDown and the test's own cleanups.
        self.addCleanup(self._af_close_fakes, sandbox)
        try:
            return super().run(result)
        finally:
            # A skipped test never runs its cleanups.
            if sandbox.is_open:
                sandbox.close(check=False)

    def _af_close_fakes(self, sandbox: Sandbox) -> None:
        # unittest keeps whether the test has failed so far in its private
        # _Outcome (3.10-3.13): when it has, the checks would only add noise.
        outcome = getattr(self, "_outcome", None)
        passed = bool(getattr(outcome, "success", True))
        sandbox.close(check=passed)
