"""THE CORE: call records, journals, awaited/outcome/concurrency tracking.

This module knows nothing about `unittest.mock`, specs or pytest. Anything that
wants its calls recorded owns a `Track` (stored in its ``__dict__`` under
`TRACK_ATTR`) and creates one `CallRecord` per call. The record follows the
call through its life: created (called), awaited, then finished as returned,
raised or cancelled.

The hot path is `CallRecord.__init__` plus, for awaitables, `begin_await` and
`finish`/`fail`: an awaited call of a fake must stay well over ten times cheaper
than an awaited `AsyncMock` call, so these touch slots only and defer every
rendering to the moment a message needs it.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import operator
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from types import CodeType, FrameType
from typing import Any, Final, Literal, Protocol

from ._format import describe_object, format_call, format_site, numbered, plural
from ._types import is_number

__all__ = [
    "NO_KWARGS",
    "CallRecord",
    "Deferred",
    "Resolver",
    "Journal",
    "Outcome",
    "Track",
    "calls",
    "enter_context",
    "exit_context",
    "get_track",
    "is_cancellation",
    "is_unawaited",
    "journal",
    "process_journal",
    "max_concurrency",
    "ordered",
    "run_awaited",
    "settle",
    "wait_for_calls",
]

Outcome = Literal["pending", "returned", "raised", "cancelled"]

TRACK_ATTR: Final = "_af_track"

PENDING: Final = "pending"
RETURNED: Final = "returned"
RAISED: Final = "raised"
CANCELLED: Final = "cancelled"

_next_seq = itertools.count(1).__next__

# Finding the running loop and its task. From 3.12 asyncio's lookup reads the
# thread state: as cheap as a lookup. Before, it calls getpid() on every call
# (~250 ns, a fifth of a recorded call), and `current_task` is a Python
# function: `new_record` keeps the last loop found instead (while a loop runs,
# its `_thread_id` is the thread running it, so the last loop found is still
# the running one when it names this thread), and reads asyncio's dict of
# current tasks itself.
_CHEAP_LOOP_LOOKUP: Final = sys.version_info >= (3, 12)
_lookup_running_loop = asyncio.events._get_running_loop
_current_task = asyncio.current_task
# The dict `current_task(loop)` reads before 3.12 (only read there).
_current_tasks: dict[Any, Any] = getattr(asyncio.tasks, "_current_tasks", {})
_get_ident = threading.get_ident
_last_loop: list[Any] = [None]


_monotonic = time.monotonic
_CancelledError = asyncio.CancelledError


def is_cancellation(exception: BaseException) -> bool:
    """True for what ends a call that was cancelled or closed, not failed.

    asyncio's `CancelledError` and a generator's `GeneratorExit`; under trio
    (directly or through anyio), `trio.Cancelled`, looked up only once trio
    has been imported, so the core never imports it.
    """
    if isinstance(exception, (_CancelledError, GeneratorExit)):
        return True
    trio = sys.modules.get("trio")
    return trio is not None and isinstance(exception, trio.Cancelled)


# The fake async context managers the current task is inside, innermost last.
_inside: ContextVar[tuple[object, ...]] = ContextVar("asyncfakes_inside", default=())
_get_inside = _inside.get


class Track:
    """The recording channel of one fake: its calls and its concurrency.

    A fake (or builder) owns exactly one track. `namer` renders the fake's name
    when a message needs it; it is called lazily because a fake's dotted name can
    change (a mock attached to a parent is renamed).
    """

    __slots__ = ("__weakref__", "_namer", "in_flight", "max_in_flight", "records", "waiters")

    def __init__(self, namer: Callable[[], str] | str) -> None:
        self._namer = namer
        self.records: list[list[Any]] = []
        self.in_flight: int = 0
        self.max_in_flight: int = 0
        self.waiters: list[tuple[int, asyncio.Future[None]]] | None = None

    @property
    def name(self) -> str:
        """The fake's dotted name, as used in every message."""
        namer = self._namer
        return namer if isinstance(namer, str) else namer()

    def reset(self) -> None:
        """Forget the calls recorded so far (the journal keeps them).

        `max_in_flight` restarts from the calls still in flight.
        """
        self.records = []
        self.max_in_flight = self.in_flight

    def notify(self) -> None:
        # Records may arrive from several threads while a waiter registers or
        # leaves in its loop's thread: the waiter list changes under a lock.
        with _waiters_lock:
            waiters = self.waiters
            if not waiters:
                return
            count = len(self.records)
            keep: list[tuple[int, asyncio.Future[None]]] = []
            for wanted, future in waiters:
                if wanted <= count:
                    _resolve(future)
                elif not future.done():
                    keep.append((wanted, future))
            self.waiters = keep or None


_waiters_lock = threading.Lock()


def _resolve(future: asyncio.Future[None]) -> None:
    def set_done() -> None:
        if not future.done():
            future.set_result(None)

    loop = future.get_loop()
    if _lookup_running_loop() is loop:
        set_done()
        return
    # Recorded from another thread (or another loop): hand the wake-up to the
    # waiter's loop. A waiter stranded in a loop that has been closed waits for
    # nothing any more, and must not break the call that is being recorded.
    try:
        loop.call_soon_threadsafe(set_done)
    except RuntimeError:
        pass


# A call's raw record is a plain list: building one is a single C-level
# allocation, several times cheaper than an instance of a Python class, and the
# hot path only appends it. `CallRecord` is the read-only view users get; it is
# created on first access and cached in the raw record.
TARGET, TRACK, ARGS, KWARGS, SEQ, LOOP, STARTED, TASK, INSIDE = range(9)
CODE, LASTI, AWAITED, OUTCOME, RESULT, EXCEPTION, ENDED, AWAITABLE, BOUND, VIEW = range(9, 19)


NO_KWARGS: Final[dict[str, Any]] = {}
"""What a call without keyword arguments records: one shared, never-mutated dict,
so a recorded call does not keep an empty dict alive. Readers that hand
keyword arguments to users give them a fresh dict instead (`CallRecord.kwargs`)."""


def new_record(
    track: Track,
    target: object,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    frame: FrameType,
) -> list[Any]:
    """Record a call made now from `frame`; return its raw record.

    The hot path of every recorded call: the loop and task lookups are
    written out here, since before 3.12 a call of a Python-level helper would
    cost more than the lookups themselves.
    """
    if _CHEAP_LOOP_LOOKUP:
        loop = _lookup_running_loop()
        task = None if loop is None else _current_task(loop)
    else:
        loop = _last_loop[0]
        if loop is None or getattr(loop, "_thread_id", None) != _get_ident():
            loop = _last_loop[0] = _lookup_running_loop()
        task = None if loop is None else _current_tasks.get(loop)
    raw = [
        target,
        track,
        args,
        kwargs,
        _next_seq(),
        loop,
        _monotonic() if loop is None else loop.time(),
        task,
        _get_inside(),
        frame.f_code,
        frame.f_lasti,
        False,
        PENDING,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    track.records.append(raw)
    _record_in_journal(raw)
    if track.waiters:
        track.notify()
    return raw


def begin_await(raw: list[Any]) -> None:
    """The call's awaitable started running: it counts as awaited and in flight."""
    raw[AWAITED] = True
    raw[AWAITABLE] = None
    track: Track = raw[TRACK]
    in_flight = track.in_flight = track.in_flight + 1
    if in_flight > track.max_in_flight:  # noqa: PLR1730 (cheaper than max())
        track.max_in_flight = in_flight


def finish(raw: list[Any], result: Any) -> None:
    """The call returned `result`."""
    raw[RESULT] = result
    raw[OUTCOME] = RETURNED
    loop = raw[LOOP]
    raw[ENDED] = _monotonic() if loop is None else loop.time()
    if raw[AWAITED]:
        raw[TRACK].in_flight -= 1


def fail(raw: list[Any], exception: BaseException) -> None:
    """The call raised `exception`; cancellation and closing count as cancelled."""
    raw[EXCEPTION] = exception
    raw[OUTCOME] = CANCELLED if is_cancellation(exception) else RAISED
    loop = raw[LOOP]
    raw[ENDED] = _monotonic() if loop is None else loop.time()
    if raw[AWAITED]:
        raw[TRACK].in_flight -= 1


class Deferred:
    """Returned by a resolver when the outcome needs awaiting: `run_awaited` awaits it."""

    __slots__ = ("awaitable",)

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable


class Resolver(Protocol):
    """What computes the outcome of an awaited call (a fake)."""

    def resolve_call(self, raw: list[Any]) -> Any:
        """Return the result, or a `Deferred` to await first; raise to fail the call."""
        ...


async def run_awaited(raw: list[Any], resolver: Resolver) -> Any:
    """The awaitable of a recorded call: marks it awaited, resolves it, records the outcome.

    This coroutine is the hot path of every awaited fake call, so it inlines
    `begin_await` and `finish`.
    """
    raw[AWAITED] = True
    raw[AWAITABLE] = None
    track: Track = raw[TRACK]
    in_flight = track.in_flight = track.in_flight + 1
    if in_flight > track.max_in_flight:  # noqa: PLR1730 (cheaper than max())
        track.max_in_flight = in_flight
    try:
        result = resolver.resolve_call(raw)
        if type(result) is Deferred:
            result = await result.awaitable
    except BaseException as exception:
        raw[EXCEPTION] = exception
        raw[OUTCOME] = CANCELLED if is_cancellation(exception) else RAISED
        loop = raw[LOOP]
        raw[ENDED] = _monotonic() if loop is None else loop.time()
        track.in_flight -= 1
        raise
    raw[RESULT] = result
    raw[OUTCOME] = RETURNED
    loop = raw[LOOP]
    raw[ENDED] = _monotonic() if loop is None else loop.time()
    track.in_flight -= 1
    return result


_by_seq = operator.itemgetter(SEQ)


def ordered(records: list[list[Any]]) -> list[list[Any]]:
    """`records` in `seq` order.

    A record gets its `seq` and is appended in two steps, so calls made from
    several threads at once can be appended out of order; sorting at read time
    keeps the hot path free of a lock (and costs one pass when already sorted).
    """
    return sorted(records, key=_by_seq)


def settle(raw: list[Any]) -> None:
    """Bring a call whose awaitable was discarded before it started up to date.

    A coroutine closed before its first step (``coro.close()``, a task cancelled
    before it ran, a `TaskGroup` refusing it) never runs its body, so nothing
    recorded the end of the call: it is over, cancelled, without having been
    awaited. Its end time is unknown and stays None.
    """
    awaitable = raw[AWAITABLE]
    if awaitable is not None and getattr(awaitable, "cr_frame", awaitable) is None:
        raw[AWAITABLE] = None
        raw[OUTCOME] = CANCELLED


def is_unawaited(raw: list[Any]) -> bool:
    """True while the call's awaitable is held and was never awaited nor discarded."""
    settle(raw)
    return raw[AWAITABLE] is not None


def view(raw: list[Any]) -> CallRecord:
    """The `CallRecord` of a raw record (created once, then cached)."""
    record: CallRecord | None = raw[VIEW]
    if record is None:
        record = raw[VIEW] = CallRecord(raw)
    return record


def _line_of(code: CodeType, lasti: int) -> int | None:
    for start, end, line in code.co_lines():
        if start <= lasti < end:
            return line
    return code.co_firstlineno


class CallRecord:
    """One call of one fake, from the moment it was made to its outcome.

    Records are read-only; the library advances them as the call is awaited and
    finishes. `seq` orders every call of every fake in the process.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> fetch = af.AsyncFake(name="fetch", return_value=1)
        >>> asyncio.run(fetch("a"))
        1
        >>> (record,) = af.calls(fetch)
        >>> record.name, record.args, record.awaited, record.outcome, record.result
        ('fetch', ('a',), True, 'returned', 1)
    """

    __slots__ = ("_raw",)
    _raw: list[Any]

    def __init__(self, raw: list[Any]) -> None:
        object.__setattr__(self, "_raw", raw)

    @property
    def target(self) -> Any:
        """The fake that was called."""
        return self._raw[TARGET]

    @property
    def name(self) -> str:
        """The fake's dotted name, such as ``"AsyncClient.get"``."""
        track: Track = self._raw[TRACK]
        return track.name

    @property
    def args(self) -> tuple[Any, ...]:
        """Positional arguments as passed."""
        value: tuple[Any, ...] = self._raw[ARGS]
        return value

    @property
    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments as passed."""
        value: dict[str, Any] = self._raw[KWARGS]
        return {} if value is NO_KWARGS else value

    @property
    def bound(self) -> inspect.BoundArguments | None:
        """The arguments bound to the real signature (spec'd fakes), else None."""
        value: inspect.BoundArguments | None = self._raw[BOUND]
        return value

    @property
    def seq(self) -> int:
        """Process-wide increasing number: the total order of calls across all fakes."""
        value: int = self._raw[SEQ]
        return value

    @property
    def task_name(self) -> str | None:
        """Name of the asyncio task that made the call, or None outside a task."""
        task: asyncio.Task[Any] | None = self._raw[TASK]
        return None if task is None else task.get_name()

    @property
    def started_at(self) -> float:
        """Event-loop time when the call was made (monotonic time outside a loop)."""
        value: float = self._raw[STARTED]
        return value

    @property
    def ended_at(self) -> float | None:
        """Event-loop time when the call finished.

        None while pending, and for a call discarded before it started.
        """
        value: float | None = self._raw[ENDED]
        return value

    @property
    def awaited(self) -> bool:
        """True once the call's awaitable started running (always False for sync calls)."""
        value: bool = self._raw[AWAITED]
        return value

    @property
    def outcome(self) -> Outcome:
        """``"pending"``, ``"returned"``, ``"raised"`` or ``"cancelled"``.

        A call whose coroutine was closed or cancelled before it started is
        ``"cancelled"`` with `awaited` False.
        """
        raw = self._raw
        settle(raw)
        outcome: Outcome = raw[OUTCOME]
        return outcome

    @property
    def result(self) -> Any:
        """What the call returned (the yielded items for an async generator call)."""
        return self._raw[RESULT]

    @property
    def exception(self) -> BaseException | None:
        """What the call raised, if it raised or was cancelled."""
        value: BaseException | None = self._raw[EXCEPTION]
        return value

    @property
    def inside(self) -> tuple[Any, ...]:
        """The fake async context managers the calling task had entered, outermost first."""
        value: tuple[Any, ...] = self._raw[INSIDE]
        return value

    @property
    def filename(self) -> str:
        """The file the call was made from."""
        code: CodeType = self._raw[CODE]
        return code.co_filename

    @property
    def lineno(self) -> int | None:
        """The line the call was made from."""
        return _line_of(self._raw[CODE], self._raw[LASTI])

    @property
    def site(self) -> str:
        """Where the call was made, as ``file:line``."""
        return format_site(self.filename, self.lineno)

    def describe(self) -> str:
        """The call as source text: ``AsyncClient.get('https://a')``."""
        return format_call(self.name, self._raw[ARGS], self._raw[KWARGS])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CallRecord is read-only: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"CallRecord is read-only: cannot delete {name!r}")

    def __repr__(self) -> str:
        raw = self._raw
        if raw[AWAITED]:
            note = ""
        elif is_unawaited(raw):
            note = " (never awaited)"
        elif raw[OUTCOME] == CANCELLED:
            note = " (before it started)"
        else:
            note = ""
        return f"<CallRecord #{raw[SEQ]} {self.describe()} {raw[OUTCOME]}{note} at {self.site}>"


class Journal:
    """Every call of every fake, in `seq` order.

    There is one journal per `Sandbox` and one for the process; `journal()`
    returns the active one.

    Example:
        >>> import asyncfakes as af
        >>> ping = af.MagicFake(name="ping")
        >>> af.journal().clear()
        >>> ping()  # doctest: +ELLIPSIS
        <MagicFake name='ping()' id=...>
        >>> [record.describe() for record in af.journal().calls]
        ['ping()']
    """

    __slots__ = ("_calls",)

    def __init__(self) -> None:
        self._calls: list[list[Any]] = []

    @property
    def calls(self) -> list[CallRecord]:
        """Every recorded call, oldest first."""
        return [view(raw) for raw in ordered(self._calls)]

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(self.calls)

    def __len__(self) -> int:
        return len(self._calls)

    def clear(self) -> None:
        """Forget every recorded call (the fakes keep their own lists)."""
        with _active_lock:
            self._calls = []
            if _active[-1] is self:
                _rebind_journal()

    def unawaited(self) -> list[CallRecord]:
        """Calls whose awaitable is still held and was never awaited (a missing ``await``).

        A coroutine that was closed, or a task cancelled before it ran, is not
        listed: its call is ``"cancelled"``.
        """
        return [view(raw) for raw in ordered(self._calls) if is_unawaited(raw)]

    def __repr__(self) -> str:
        return f"<Journal of {plural(len(self._calls), 'call')}>"


_process_journal = Journal()
_active: list[Journal] = [_process_journal]
_active_lock = threading.Lock()

# What `new_record` calls: the active journal's `_calls.append`, rebound (under
# `_active_lock`) whenever the active journal or its list changes, so that a
# recorded call does not look the active journal up.
_record_in_journal: Callable[[list[Any]], None] = _process_journal._calls.append


def _rebind_journal() -> None:
    global _record_in_journal  # the hot path reads a module global, not the list
    _record_in_journal = _active[-1]._calls.append


def process_journal() -> Journal:
    """The process-wide journal: the active one when no `Sandbox` is open."""
    return _process_journal


def journal() -> Journal:
    """Return the active journal: the innermost `Sandbox`'s, else the process's.

    Example:
        >>> import asyncfakes as af
        >>> isinstance(af.journal(), af.Journal)
        True
    """
    return _active[-1]


def activate(journal: Journal) -> None:
    """Make `journal` the active one until `deactivate`."""
    with _active_lock:
        _active.append(journal)
        _rebind_journal()


def deactivate(journal: Journal) -> None:
    """Stop recording into `journal` (which must be active)."""
    with _active_lock:
        for index in range(len(_active) - 1, 0, -1):
            if _active[index] is journal:
                del _active[index]
                _rebind_journal()
                return
    raise RuntimeError("deactivate() of a journal that is not active")


def get_track(target: object) -> Track | None:
    """The track of a recording object, or None."""
    try:
        namespace = object.__getattribute__(target, "__dict__")
    except AttributeError:
        return None
    track = namespace.get(TRACK_ATTR)
    return track if isinstance(track, Track) else None


def ensure_track(target: object, caller: str) -> Track:
    """The track of `target`, or a `TypeError` naming what was passed instead."""
    track = get_track(target)
    if track is None:
        raise TypeError(
            f"{caller}() takes a fake, but got {describe_object(target)}. "
            "Create one with af.fake(...), af.AsyncFake() or af.patch(...)."
        )
    return track


def calls(target: object) -> list[CallRecord]:
    """Return the calls of one fake, oldest first.

    Args:
        target: a fake, or a fake's method (`client.get`).

    Raises:
        TypeError: `target` is not a fake.

    Example:
        >>> import asyncfakes as af
        >>> save = af.MagicFake(name="save")
        >>> _ = save(1); _ = save(2)
        >>> [record.args for record in af.calls(save)]
        [(1,), (2,)]
    """
    return [view(raw) for raw in ordered(ensure_track(target, "calls").records)]


def max_concurrency(target: object) -> int:
    """The largest number of calls of `target` that were in flight at one moment.

    In flight means started (awaited) and not yet finished.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> async def slow():
        ...     await asyncio.sleep(0.01)
        >>> fetch = af.AsyncFake(side_effect=slow)
        >>> async def main():
        ...     await asyncio.gather(fetch(), fetch(), fetch())
        >>> asyncio.run(main())
        >>> af.max_concurrency(fetch)
        3
    """
    return ensure_track(target, "max_concurrency").max_in_flight


async def wait_for_calls(
    target: object, count: int = 1, *, timeout: float | None = None
) -> list[CallRecord]:
    """Wait until `target` has been called `count` times; return those calls.

    Args:
        target: a fake, or a fake's method.
        count: how many calls, counted since the fake was created or reset.
        timeout: seconds of loop time to wait (None waits forever).

    Raises:
        TimeoutError: fewer than `count` calls arrived in time; the message lists those that did.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> notify = af.AsyncFake(return_value=None)
        >>> async def main():
        ...     task = asyncio.create_task(notify("hello"))
        ...     records = await af.wait_for_calls(notify, 1, timeout=1)
        ...     await task
        ...     return records[0].args
        >>> asyncio.run(main())
        ('hello',)
    """
    track = ensure_track(target, "wait_for_calls")
    if type(count) is not int:
        raise TypeError(
            f"wait_for_calls({track.name}, count={count!r}): count must be a whole number, "
            f"not {type(count).__name__}"
        )
    if timeout is not None and not is_number(timeout):
        raise TypeError(
            f"wait_for_calls({track.name}, timeout={timeout!r}): timeout must be a number "
            f"of seconds or None, not {type(timeout).__name__}"
        )
    if count < 1:
        raise ValueError(f"wait_for_calls({track.name}, count={count}): count must be at least 1")
    if timeout is not None and timeout < 0:
        raise ValueError(
            f"wait_for_calls({track.name}, timeout={timeout}): timeout must not be negative"
        )
    if len(track.records) < count:
        loop = _lookup_running_loop()
        if loop is None:
            raise RuntimeError(
                f"wait_for_calls({track.name}, {count}) waits in a running asyncio event loop, "
                "and there is none here (under trio, wait with a trio.Event the fake sets, "
                "for instance through its side_effect)"
            )
        future: asyncio.Future[None] = loop.create_future()
        with _waiters_lock:
            track.waiters = [*(track.waiters or ()), (count, future)]
        # Another thread may have recorded the missing calls since the check
        # above, before this waiter was there to be woken.
        track.notify()
        try:
            await asyncio.wait_for(future, timeout)
        except (asyncio.TimeoutError, TimeoutError):
            arrived = ordered(track.records)
            lines = [
                f"wait_for_calls({track.name}, count={count}) timed out after {timeout} s: "
                f"{len(arrived)} of {plural(count, 'call')} arrived."
            ]
            lines.extend(numbered(f"{view(r).describe()}  at {view(r).site}" for r in arrived))
            raise TimeoutError("\n".join(lines)) from None
        finally:
            with _waiters_lock:
                if track.waiters:
                    track.waiters = [w for w in track.waiters if w[1] is not future] or None
    return [view(raw) for raw in ordered(track.records)[:count]]


def enter_context(context: object) -> None:
    """The current task entered fake context `context` (see `CallRecord.inside`)."""
    _inside.set((*_get_inside(), context))


def exit_context(context: object) -> None:
    """The current task left fake context `context`."""
    current = _get_inside()
    for index in range(len(current) - 1, -1, -1):
        if current[index] is context:
            _inside.set(current[:index] + current[index + 1 :])
            return
