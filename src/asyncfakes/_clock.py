"""Virtual time: loop time that jumps to the next timer as soon as every task is idle.

`virtual_time()` replaces, on the running event loop object only, three things
and puts them back on exit:

- ``loop.time`` returns the clock's virtual time, so ``asyncio.sleep``,
  ``wait_for``, ``asyncio.timeout``, ``call_later``/``call_at`` and every
  builder delay are scheduled in virtual seconds;
- ``loop._selector.select``: the loop calls it with the delay until its next
  timer only when no callback is ready, that is when every task is waiting.
  The replacement polls for I/O first (``select(0)``: ready I/O always runs)
  and, when there is none, moves the clock to the next timer instead of
  sleeping (auto-advance, the approach of trio's ``MockClock`` autojump and of
  looptime);
- ``loop.run_in_executor``: while work sent to a thread is pending, the loop
  waits for it in real time and the clock moves by the real time waited.

Timers scheduled before entering keep their remaining delays: they are
shifted into the virtual time line on entry and back into real time on exit.
Only asyncio's own loops (``BaseEventLoop`` with a selector or proactor) are
supported: uvloop keeps its clock and timers in C.
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
import weakref
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any, Final

from typing_extensions import Self

from ._format import format_site
from ._types import is_bool, is_number

__all__ = ["VirtualClock", "virtual_time"]

_get_running_loop = asyncio.events._get_running_loop
_perf_counter = time.perf_counter
# A public function under a private name (pyright would flag `sys._getframe`).
_getframe: Callable[[int], FrameType] = getattr(sys, "_getframe")  # noqa: B009
_MISSING: Final[Any] = object()

# One active clock per event loop.
_active: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, VirtualClock] = (
    weakref.WeakKeyDictionary()
)


class VirtualClock:
    """The virtual clock of one event loop, made by `virtual_time()`.

    While active (inside ``async with``), the loop's time is `now()`: it starts
    at 0.0 and moves only when every task is waiting, straight to the next
    timer (with ``auto_advance``), or when `advance()` moves it.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> async def main():
        ...     async with af.virtual_time() as clock:
        ...         await asyncio.sleep(3600)          # an hour, in no wall time
        ...         return clock.now()
        >>> asyncio.run(main())
        3600.0
    """

    __slots__ = (
        "_advances",
        "_auto_advance",
        "_entered_at",
        "_enterer",
        "_executor_futures",
        "_loop",
        "_now",
        "_saved",
        "_select",
    )

    def __init__(self, *, auto_advance: bool = True) -> None:
        self._auto_advance = auto_advance
        self._now = 0.0
        self._loop: asyncio.BaseEventLoop | None = None
        self._entered_at = ""
        self._enterer: str | None = None  # who enters it, when not a line of code
        self._select: Callable[[float | None], list[Any]] | None = None
        self._saved: list[tuple[object, str, object]] = []
        self._executor_futures: set[asyncio.Future[Any]] = set()
        # (target time, future) of every pending advance(), in no order.
        self._advances: list[tuple[float, asyncio.Future[None]]] = []

    # ----------------------------------------------------------------- public

    @property
    def auto_advance(self) -> bool:
        """Whether time jumps to the next timer when every task is idle.

        Settable while the clock runs; with False, only `advance()` moves time.
        """
        return self._auto_advance

    @auto_advance.setter
    def auto_advance(self, value: bool) -> None:
        self._auto_advance = value

    @property
    def active(self) -> bool:
        """True between entering and leaving ``async with``."""
        return self._loop is not None

    def now(self) -> float:
        """The loop's virtual time in seconds (it starts at 0.0).

        Example:
            >>> import asyncio, asyncfakes as af
            >>> async def main():
            ...     async with af.virtual_time() as clock:
            ...         await asyncio.sleep(1.5)
            ...         return clock.now(), asyncio.get_running_loop().time()
            >>> asyncio.run(main())
            (1.5, 1.5)
        """
        return self._now

    async def advance(self, seconds: float) -> None:
        """Let `seconds` of virtual time pass, running every timer due on the way.

        It returns once the clock reached ``now() + seconds`` and every task woken
        on the way is waiting again. Timers fire in time order; time never moves
        past the target even with ``auto_advance`` on.

        Args:
            seconds: how far to move, at least 0 (0 lets what is due now settle).

        Raises:
            ValueError: `seconds` is negative or not finite.
            RuntimeError: the clock is not active.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> async def main():
            ...     beats = []
            ...     async def heartbeat():
            ...         while True:
            ...             await asyncio.sleep(10)
            ...             beats.append(asyncio.get_running_loop().time())
            ...     async with af.virtual_time(auto_advance=False) as clock:
            ...         task = asyncio.create_task(heartbeat())
            ...         await clock.advance(35)
            ...         task.cancel()
            ...         return beats, clock.now()
            >>> asyncio.run(main())
            ([10.0, 20.0, 30.0], 35.0)
        """
        if not is_number(seconds):
            raise TypeError(
                f"clock.advance({seconds!r}): seconds must be a number, "
                f"not {type(seconds).__name__}"
            )
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError(
                f"clock.advance({seconds!r}): seconds must be a finite number of at least 0"
            )
        loop = self._loop
        if loop is None:
            raise RuntimeError(
                "clock.advance() needs an active clock: call it inside "
                "`async with af.virtual_time() as clock:`"
            )
        future: asyncio.Future[None] = loop.create_future()
        entry = (self._now + seconds, future)
        self._advances.append(entry)
        try:
            await future
        finally:
            if entry in self._advances:
                self._advances.remove(entry)

    # -------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> Self:
        self._install(_getframe(1))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._uninstall()

    def _install(self, frame: FrameType) -> None:
        loop = _get_running_loop()
        if loop is None:
            raise RuntimeError(
                "af.virtual_time() must be entered inside a running asyncio event loop: "
                "use `async with af.virtual_time() as clock:` in a coroutine run by "
                "asyncio.run(), pytest-asyncio or IsolatedAsyncioTestCase "
                "(under trio, use trio.testing.MockClock(autojump_threshold=0))"
            )
        if not _is_supported(loop):
            kind = f"{type(loop).__module__}.{type(loop).__qualname__}"
            raise RuntimeError(
                f"af.virtual_time() cannot make the time of {kind} virtual: it supports "
                "asyncio's own event loops (SelectorEventLoop, ProactorEventLoop), whose "
                "timers live in Python. Run this test on the default event loop."
            )
        if getattr(loop, "looptime_on", False):
            raise RuntimeError(
                "af.virtual_time() cannot run on this event loop: looptime is already "
                "compacting its time. Use one of them: disable looptime for this test "
                "or drop af.virtual_time()."
            )
        current = _active.get(loop)
        if current is not None:
            raise RuntimeError(
                f"af.virtual_time() is already active on this event loop (entered "
                f"{current._entered_at}); nested virtual time is not supported: use the "
                "clock that is already running (the `clock` fixture gives it to a test)"
            )
        if self._loop is not None:
            raise RuntimeError(
                "this virtual clock is already active on another event loop: "
                "create one clock per loop with af.virtual_time()"
            )
        enterer = self._enterer
        self._entered_at = (
            f"at {format_site(frame.f_code.co_filename, frame.f_lineno)}"
            if enterer is None
            else f"by {enterer}"
        )
        assert isinstance(loop, asyncio.BaseEventLoop)
        self._now = 0.0
        selector: Any = getattr(loop, "_selector")  # noqa: B009 - private, untyped
        self._select = selector.select
        # Timers scheduled in real time keep their remaining delay in virtual time.
        _shift_timers(loop, -loop.time())
        self._replace(loop, "time", self.now)
        self._replace(loop, "run_in_executor", self._make_run_in_executor(loop))
        self._replace(selector, "select", self._virtual_select)
        self._loop = loop
        _active[loop] = self

    def _uninstall(self) -> None:
        loop = self._loop
        if loop is None:
            return
        self._loop = None
        _active.pop(loop, None)
        for target, name, previous in reversed(self._saved):
            if previous is _MISSING:
                del target.__dict__[name]
            else:
                target.__dict__[name] = previous
        self._saved = []
        self._select = None
        # Timers still pending keep their remaining delay in real time.
        _shift_timers(loop, loop.time() - self._now)
        advances, self._advances = self._advances, []
        for _, future in advances:
            if not future.done():
                future.set_result(None)

    def _replace(self, target: object, name: str, value: object) -> None:
        namespace = target.__dict__
        self._saved.append((target, name, namespace.get(name, _MISSING)))
        namespace[name] = value

    def _make_run_in_executor(self, loop: asyncio.BaseEventLoop) -> Callable[..., Any]:
        original = loop.run_in_executor
        pending = self._executor_futures

        def run_in_executor(executor: Any, func: Callable[..., Any], *args: Any) -> Any:
            future = original(executor, func, *args)
            pending.add(future)
            future.add_done_callback(pending.discard)
            return future

        return run_in_executor

    # ------------------------------------------------------------- the jump

    def _virtual_select(self, timeout: float | None = None) -> list[Any]:
        """The loop's selector wait, where waiting for a timer takes no wall time."""
        select = self._select
        loop = self._loop
        if select is None or loop is None:  # pragma: no cover - only between exit and GC
            return []
        if timeout is not None and timeout <= 0:
            return select(timeout)
        ready = select(0)
        if ready:
            return ready
        scheduled: list[asyncio.TimerHandle] = getattr(loop, "_scheduled")  # noqa: B009
        next_timer = scheduled[0].when() if scheduled else None
        if next_timer is not None and not math.isfinite(next_timer):
            next_timer = None
        if self._executor_futures:
            # Work in a thread finishes in real time: wait for it (or the next
            # timer) for real, and let the clock follow the real time waited.
            started = _perf_counter()
            ready = select(timeout)
            waited = _perf_counter() - started
            if ready or next_timer is None:
                self._now += waited
            else:
                self._now = max(self._now, next_timer)
            self._finish_advances()
            return ready
        target = min((when for when, _ in self._advances), default=None)
        if target is not None and (next_timer is None or next_timer > target):
            self._now = max(self._now, target)
            self._finish_advances()
            return []
        if next_timer is not None and (self._auto_advance or target is not None):
            self._now = max(self._now, next_timer)
            return []
        # Nothing may move the clock: only I/O (or a thread) can wake the loop.
        return select(None)

    def _finish_advances(self) -> None:
        now = self._now
        for when, future in self._advances:
            if when <= now and not future.done():
                future.set_result(None)

    def __repr__(self) -> str:
        state = "active" if self._loop is not None else "inactive"
        return f"<VirtualClock now={self._now!r} auto_advance={self._auto_advance} {state}>"


def _is_supported(loop: asyncio.AbstractEventLoop) -> bool:
    return (
        isinstance(loop, asyncio.BaseEventLoop)
        and hasattr(loop, "_selector")
        and isinstance(getattr(loop, "_scheduled", None), list)
        and hasattr(loop, "__dict__")
    )


def _shift_timers(loop: asyncio.BaseEventLoop, offset: float) -> None:
    # A uniform shift keeps the heap order of `_scheduled`.
    scheduled: list[Any] = getattr(loop, "_scheduled")  # noqa: B009 - private, untyped
    for handle in scheduled:
        handle._when += offset


def entered_by(clock: VirtualClock, enterer: str) -> None:
    """Name who enters `clock`, for the message of a nested `virtual_time()` (the plugin's use).

    Without it the message names the line that entered the clock.
    """
    clock._enterer = enterer


def virtual_time(*, auto_advance: bool = True) -> VirtualClock:
    """Make the running loop's time virtual inside ``async with``.

    Inside, loop time starts at 0.0 and jumps to the next timer as soon as every
    task is idle, so ``asyncio.sleep``, ``asyncio.wait_for``, ``asyncio.timeout``,
    ``loop.call_later``/``call_at`` and every builder delay finish instantly in
    wall time, in the right order. I/O that is ready still runs first; work sent
    to threads with ``run_in_executor``/``asyncio.to_thread`` is waited for in
    real time. Everything is restored on exit, exceptions included.

    Args:
        auto_advance: jump to the next timer when idle (True), or move only
            through `VirtualClock.advance` (False).

    Returns:
        The clock, to use as ``async with af.virtual_time() as clock:``.

    Raises:
        RuntimeError: on entry, when no asyncio loop is running, when the loop
            is not one of asyncio's own (uvloop), or when virtual time is
            already active on this loop.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> async def main():
        ...     async with af.virtual_time() as clock:
        ...         try:
        ...             await asyncio.wait_for(asyncio.Event().wait(), timeout=30)
        ...         except asyncio.TimeoutError:
        ...             return f"timed out at {clock.now()}"
        >>> asyncio.run(main())
        'timed out at 30.0'
    """
    if not is_bool(auto_advance):
        raise TypeError(
            f"af.virtual_time(auto_advance={auto_advance!r}): auto_advance must be True or "
            f"False, not {type(auto_advance).__name__}"
        )
    return VirtualClock(auto_advance=auto_advance)
