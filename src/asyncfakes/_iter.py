"""The recorded async iterator primitive shared by builders and stubbing.

`FakeAsyncIterator` stands in for an async iterable or an async generator
object. Each iteration (each `async for`, or each round of `__anext__` calls
until the end) is a real async generator and one call in the core: the call
starts at the first pull and finishes when the items run out (`result` is the
list of items yielded), when it raises, or when it is closed early (outcome
``"cancelled"``).

Being a real async generator gives an iteration `asend`/`athrow`/`aclose` and
lets the event loop's async generator hooks close one that was abandoned
(``break``, an exception or a cancellation in the consumer). asyncio closes an
abandoned generator a few loop steps later; the record does not wait for that:
a weak reference notices the moment the generator is dropped and records the
iteration as closed right away.

The items are pulled lazily from the source iterable, one per step, so a
generator source is never materialised (a stream of a million chunks costs the
same memory as one of ten). A one-shot iterator as the source is shared by all
iterations: a second iteration continues where the first stopped.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
import sysconfig
import weakref
from collections.abc import AsyncGenerator, Awaitable, Coroutine, Iterable
from types import FrameType, TracebackType
from typing import Any, Generic, TypeVar, cast, overload

from typing_extensions import Self

from ._recorder import (
    RESULT,
    TRACK_ATTR,
    Track,
    begin_await,
    fail,
    finish,
    is_cancellation,
    new_record,
)

__all__ = [
    "FakeAsyncIterator",
    "describe_value",
    "ensure_delay",
    "ensure_error",
    "ensure_name",
    "hang",
    "is_exception_class",
    "sleep",
]

T = TypeVar("T")

_get_running_loop = asyncio.events._get_running_loop


# ----------------------------------------------------------------- helpers


def describe_value(value: object) -> str:
    """A value for a message: its type and a short repr (`str 'abc'`, `int 5`)."""
    try:
        text = repr(value)
    except Exception:  # a user's __repr__ must never break a message
        text = f"<{type(value).__name__} object>"
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def ensure_delay(delay: object, where: str, argument: str = "delay") -> float:
    """`delay` as seconds, or a `TypeError`/`ValueError` naming `where` and `argument`."""
    if isinstance(delay, bool) or not isinstance(delay, (int, float)):
        raise TypeError(
            f"{where}: {argument} must be a number of seconds, got {describe_value(delay)}."
        )
    if not delay >= 0:  # also rejects nan
        raise ValueError(
            f"{where}: {argument} must be 0 or more seconds (0 for none), got {delay!r}."
        )
    return float(delay)


def ensure_name(name: object, where: str) -> None:
    """Check that a builder's `name` is None or a str (it is shown in every message)."""
    if name is not None and not isinstance(name, str):
        raise TypeError(f"{where}: name must be a str, got {describe_value(name)}.")


def is_exception_class(value: object) -> bool:
    """True for a subclass of `BaseException` (a plain bool: callers keep `value` as typed)."""
    return isinstance(value, type) and issubclass(value, BaseException)


def ensure_error(error: object, where: str, argument: str = "error") -> None:
    """Check that `error` is an exception instance or class (what `raise` accepts)."""
    if not (isinstance(error, BaseException) or is_exception_class(error)):
        raise TypeError(
            f"{where}: {argument} must be an exception instance or class, "
            f"got {describe_value(error)}."
        )


def make_error(error: BaseException | type[BaseException]) -> BaseException:
    """The exception to raise for a configured instance or class."""
    return error if isinstance(error, BaseException) else error()


def sleep(seconds: float) -> Awaitable[None]:
    """Sleep in the running async library's time.

    Under asyncio this is `asyncio.sleep`, looked up at each call, so loop time
    (and virtual time) applies; under trio (directly or through anyio) it is
    `trio.sleep`.
    """
    if _get_running_loop() is not None:
        return asyncio.sleep(seconds)
    return _library_call("sleep", seconds)


def hang() -> Awaitable[None]:
    """Wait until cancelled, without a timer (virtual time must not jump to infinity)."""
    loop = _get_running_loop()
    if loop is not None:
        return loop.create_future()
    return _library_call("sleep_forever")


async def _library_call(name: str, *args: object) -> None:
    try:
        import sniffio

        library = sniffio.current_async_library()
    except Exception as error:
        raise RuntimeError(
            "asyncfakes delays need a running event loop: asyncio, or trio (directly or "
            "through anyio)."
        ) from error
    await getattr(importlib.import_module(library), name)(*args)


# Where installed libraries and the standard library live: an iteration pulled
# through one of them (httpx's `aiter_lines()` over a fake stream) is recorded at
# the line of the code that drove them, not inside them.
_LIBRARY_DIRS = tuple(
    {
        os.path.join(form, "")
        for name in ("stdlib", "platstdlib", "purelib", "platlib")
        if (path := sysconfig.get_paths().get(name))
        for form in (path, os.path.realpath(path))
    }
)


def _caller(frame: FrameType) -> FrameType:
    """The code that pulled from the generator whose body runs in `frame`.

    The first frame outside asyncfakes and the installed libraries, or, when
    there is none (a library's own task is reading), the frame that pulled.
    """
    puller = frame.f_back or frame
    caller: FrameType | None = puller
    while caller is not None:
        if not str(caller.f_globals.get("__name__")).startswith("asyncfakes.") and not (
            caller.f_code.co_filename.startswith(_LIBRARY_DIRS)
        ):
            return caller
        caller = caller.f_back
    return puller


# --------------------------------------------------------------- iteration


def _loop_shutting_down() -> bool:
    """True inside the running asyncio loop's ``shutdown_asyncgens()`` (and after it)."""
    loop = asyncio.events._get_running_loop()
    return loop is not None and getattr(loop, "_asyncgens_shutdown_called", False) is True


class Run(Generic[T]):
    """The state of one iteration, shared by its generator and its weak-reference callback."""

    __slots__ = ("__weakref__", "count", "ended", "owner", "raw", "ref", "yielded")

    def __init__(self, owner: FakeAsyncIterator[T], yielded: list[T] | None) -> None:
        self.owner = owner
        self.raw: list[Any] | None = None
        self.yielded = yielded
        self.count = 0
        self.ended = False
        self.ref: weakref.ref[AsyncGenerator[T, object]] | None = None

    def start(self, frame: FrameType) -> None:
        """The first pull: the iteration becomes a call in the core."""
        owner = self.owner
        raw = self.raw = new_record(owner.__dict__[TRACK_ATTR], owner, (), {}, _caller(frame))
        begin_await(raw)
        owner.iterations += 1
        # Held strongly while running so that the weak reference (and its
        # callback) outlives the generator it watches.
        owner._running.add(self)

    def result(self) -> Any:
        """What the iteration produced so far: the items, or how many there were."""
        yielded = self.yielded
        return self.count if yielded is None else yielded

    def end(self) -> None:
        """The items ran out."""
        if self.ended:
            return
        self.ended = True
        owner = self.owner
        owner._running.discard(self)
        owner._consumed_before += self.count
        raw = self.raw
        if raw is not None:
            finish(raw, self.result())

    def end_with(self, error: BaseException) -> None:
        """The iteration raised `error`, was cancelled or was closed."""
        if self.ended:
            return
        self.ended = True
        owner = self.owner
        owner._running.discard(self)
        owner._consumed_before += self.count
        if is_cancellation(error):
            owner.closed = True
        raw = self.raw
        if raw is not None:
            fail(raw, error)
            raw[RESULT] = self.result()
            if type(error) is GeneratorExit and _loop_shutting_down():
                # Closed by the loop's shutdown_asyncgens(), not by the code under
                # test: still a leak for a Sandbox checking after the loop closed
                # (pytest-asyncio closes it before the `fakes` fixture's teardown).
                owner._af_closed_at_shutdown.append(raw)

    def abandoned(self, _ref: object) -> None:
        """Weak-reference callback: the generator was dropped before its end."""
        if self.raw is not None and not self.ended:
            self.end_with(GeneratorExit())

    def generator(self) -> AsyncGenerator[T, object] | None:
        """The iteration's generator, if it is still alive."""
        ref = self.ref
        return None if ref is None else ref()


async def _iterate(run: Run[T]) -> AsyncGenerator[T, object]:
    """The body of one iteration of a `FakeAsyncIterator`."""
    run.start(sys._getframe())
    owner = run.owner
    delay = owner._delay
    yielded: list[T] = run.yielded  # type: ignore[assignment]
    append = yielded.append
    try:
        if not delay:
            # The hot path: one append and one store per item.
            for count, item in enumerate(owner._items, 1):
                append(item)
                run.count = count
                yield item
        else:
            for item in owner._items:
                await sleep(delay)
                if run.ended:  # closed by aclose() while this pull slept
                    return
                append(item)
                run.count += 1
                yield item
            if not run.count:
                # Nothing arrived: the end (or the error) still comes after the delay,
                # as `af.when(member).after(s).raises(...)` promises.
                await sleep(delay)
                if run.ended:
                    return
        error = owner._error
        if error is not None:
            raise make_error(error)
    except BaseException as error:
        run.end_with(error)
        raise
    run.end()


class FakeAsyncIterator(Generic[T]):
    """A recorded, re-iterable async iterator; build it with `af.async_iter()`.

    Each `async for` starts over (a one-shot iterator as the source is shared:
    the next iteration continues where the last one stopped). Pulling with
    `__anext__`/`asend` directly drives one round that ends when the items run
    out; `async for` over the object during such a round continues it, as with
    an async generator object.

    Attributes:
        consumed: items pulled so far, over all iterations.
        closed: True once `aclose()` was called or an iteration was abandoned
            (closed, cancelled or dropped before its end).
        iterations: how many iterations started.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> numbers = af.async_iter([1, 2, 3])
        >>> async def total():
        ...     return sum([n async for n in numbers])
        >>> asyncio.run(total()), numbers.consumed, numbers.iterations
        (6, 3, 1)
    """

    def __init__(
        self,
        items: Iterable[T],
        *,
        delay: float = 0,
        error: BaseException | type[BaseException] | None = None,
        name: str = "async_iter",
    ) -> None:
        self.__dict__[TRACK_ATTR] = Track(name)
        given = cast("object", items)
        if not isinstance(given, Iterable):
            raise TypeError(
                f"{name}: items must be an iterable (a list, a generator...), "
                f"got {describe_value(given)}."
            )
        if error is not None:
            ensure_error(error, name)
        self._items: Iterable[T] = items
        self._delay = ensure_delay(delay, name)
        self._error = error
        self._consumed_before = 0
        self.closed: bool = False
        self.iterations: int = 0
        self._running: set[Run[T]] = set()
        # Iterations left running until the event loop closed them as it shut down.
        self._af_closed_at_shutdown: list[list[Any]] = []
        self._current: AsyncGenerator[T, object] | None = None
        self._current_run: Run[T] | None = None

    @property
    def name(self) -> str:
        """The name used in messages and in `CallRecord.name`."""
        track: Track = self.__dict__[TRACK_ATTR]
        return track.name

    @property
    def consumed(self) -> int:
        """Items pulled so far, over all iterations."""
        return self._consumed_before + sum(run.count for run in self._running)

    @property
    def active(self) -> int:
        """Iterations started and not yet finished (exhausted, failed or closed)."""
        return len(self._running)

    def raises(self, error: BaseException | type[BaseException]) -> Self:
        """Raise `error` after the last item, instead of ending the iteration.

        Args:
            error: an exception instance or class.

        Returns:
            This iterator, for chaining.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> events = af.async_iter(["a"]).raises(ConnectionResetError("gone"))
            >>> async def read():
            ...     seen = []
            ...     try:
            ...         async for event in events:
            ...             seen.append(event)
            ...     except ConnectionResetError as error:
            ...         seen.append(str(error))
            ...     return seen
            >>> asyncio.run(read())
            ['a', 'gone']
        """
        ensure_error(error, f"{self.name}.raises()")
        self._error = error
        return self

    # -- iterations

    def _body(self, run: Run[T]) -> AsyncGenerator[T, object]:
        return _iterate(run)

    def _new_run(self) -> Run[T]:
        return Run(self, [])

    def _spawn(self) -> tuple[AsyncGenerator[T, object], Run[T]]:
        run = self._new_run()
        generator = self._body(run)
        run.ref = weakref.ref(generator, run.abandoned)
        return generator, run

    def _round(self) -> AsyncGenerator[T, object]:
        """The generator of the round that direct pulls drive (a new one after the end)."""
        run = self._current_run
        generator = self._current
        if run is None or generator is None or run.ended:
            generator, run = self._spawn()
            self._current, self._current_run = generator, run
        return generator

    def __aiter__(self) -> AsyncGenerator[T, object]:
        run = self._current_run
        current = self._current
        if run is not None and run.raw is not None and not run.ended and current is not None:
            return current
        return self._spawn()[0]

    def __anext__(self) -> Coroutine[Any, Any, T]:
        return self._round().__anext__()

    def asend(self, value: object) -> Coroutine[Any, Any, T]:
        """As `async_generator.asend()`: the sent value is ignored."""
        return self._round().asend(value)

    @overload
    def athrow(
        self,
        typ: type[BaseException],
        val: BaseException | object = None,
        tb: TracebackType | None = None,
        /,
    ) -> Coroutine[Any, Any, T]: ...
    @overload
    def athrow(
        self, typ: BaseException, val: None = None, tb: TracebackType | None = None, /
    ) -> Coroutine[Any, Any, T]: ...
    def athrow(
        self,
        typ: type[BaseException] | BaseException,
        val: object = None,
        tb: TracebackType | None = None,
        /,
    ) -> Coroutine[Any, Any, T]:
        """As `async_generator.athrow()`: the exception is raised where the round stands."""
        generator = self._round()
        if val is None and tb is None:
            return generator.athrow(cast("Any", typ))
        # The three-argument form is deprecated since 3.12: only forwarded when used.
        return generator.athrow(cast("Any", typ), val, tb)

    async def aclose(self) -> None:
        """Close every running iteration (as `async_generator.aclose()`); `closed` becomes True."""
        self.closed = True
        for run in list(self._running):
            generator = run.generator()
            if generator is None:
                run.abandoned(None)
                continue
            try:
                await generator.aclose()
            except RuntimeError:
                # Being pulled by another task right now: it is over for the record.
                run.end_with(GeneratorExit())
        self._current = self._current_run = None

    def close_now(self) -> None:
        """`aclose()` for synchronous callers: an iteration's closing never awaits."""
        self.closed = True
        for run in list(self._running):
            generator = run.generator()
            if generator is not None:
                closing = generator.aclose()
                try:
                    closing.send(None)
                except (StopIteration, RuntimeError):
                    pass
                else:  # pragma: no cover - an iteration's closing never awaits
                    closing.close()
            run.end_with(GeneratorExit())
        self._current = self._current_run = None

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.name}: consumed {self.consumed}, "
            f"iterations {self.iterations}, closed={self.closed}>"
        )
