"""The recorded async context manager primitive shared by builders and stubbing.

`FakeAsyncContext` is an async context manager that, optionally, can also be
awaited (the aiohttp `session.get()` / asyncpg `pool.acquire()` shape). Each
`async with` block is one call in the core: it starts at `__aenter__` and
finishes at `__aexit__`, so `af.max_concurrency(ctx)` is the largest number of
blocks open at once, and calls made inside the block see the context in
`CallRecord.inside`. Awaiting the context (when allowed) is one call too.

Values handed out by a fake call can learn which call that was: a value with
hooks (`set_value_hooks`, used by the HTTP response adapters) is told the call
that returned or entered it (`bind_to_call`), and is closed when the `async
with` block that entered it exits, as the real client's context manager does.
"""

from __future__ import annotations

import asyncio
import sys
import weakref
from collections.abc import Awaitable, Callable, Generator, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar

from ._recorder import (
    ARGS,
    BOUND,
    KWARGS,
    RESULT,
    TARGET,
    TRACK,
    TRACK_ATTR,
    Track,
    begin_await,
    enter_context,
    exit_context,
    fail,
    finish,
    journal,
    new_record,
)

__all__ = ["FakeAsyncContext", "bind_to_call", "set_value_hooks"]

T = TypeVar("T")

_get_running_loop = asyncio.events._get_running_loop
_current_task = asyncio.current_task

# How far back `__aenter__` looks in the journal for the call that returned the context.
_SEARCH_DEPTH = 64


# ------------------------------------------------------------- value hooks

Binder = Callable[[str, tuple[Any, ...], Mapping[str, Any]], None]
"""``bind(name, args, kwargs)``: the call (by its fake's dotted name) that produced a value."""


class _Hooks:
    __slots__ = ("bind", "on_exit")

    def __init__(
        self, bind: Binder | None, on_exit: Callable[[], Awaitable[object]] | None
    ) -> None:
        self.bind = bind
        self.on_exit = on_exit


_hooks: weakref.WeakKeyDictionary[object, _Hooks] = weakref.WeakKeyDictionary()


def set_value_hooks(
    value: object,
    *,
    bind: Binder | None = None,
    on_exit: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Give `value` hooks: `bind` learns the call that returned or entered it,
    `on_exit` runs when an `async with` block that entered it exits.

    `value` must be hashable by identity and weak-referenceable.
    """
    _hooks[value] = _Hooks(bind, on_exit)


def _hooks_of(value: object) -> _Hooks | None:
    if not _hooks:  # the common case: no value with hooks is alive
        return None
    try:
        return _hooks.get(value)
    except TypeError:  # unhashable, or no weak references: has no hooks
        return None


def bind_to_call(value: object, raw: list[Any]) -> None:
    """Tell `value` that the recorded call `raw` returned (or entered) it.

    Stubbing calls this for every value a stubbed call hands out; values
    without a `bind` hook ignore it. When the fake is spec'd, the arguments
    are given by name (`raw`'s bound arguments).
    """
    hooks = _hooks_of(value)
    if hooks is None or hooks.bind is None:
        return
    track: Track = raw[TRACK]
    bound = raw[BOUND]
    if bound is not None:
        hooks.bind(track.name, (), dict(bound.arguments))
    else:
        hooks.bind(track.name, raw[ARGS], raw[KWARGS])


def _bind_from_journal(context: object, value: object) -> None:
    """Bind `value` to the recent call that returned `context`, if there is one."""
    hooks = _hooks_of(value)
    if hooks is None or hooks.bind is None:
        return
    records = journal()._calls
    for index in range(len(records) - 1, max(-1, len(records) - 1 - _SEARCH_DEPTH), -1):
        raw = records[index]
        if raw[RESULT] is context and raw[TARGET] is not context:
            bind_to_call(value, raw)
            return


# ---------------------------------------------------------------- contexts


def _task_key() -> object:
    loop = _get_running_loop()
    return None if loop is None else _current_task(loop)


class FakeAsyncContext(Generic[T]):
    """A recorded async context manager, optionally awaitable; build it with `af.async_context()`.

    Attributes:
        entered: how many times it was entered.
        exited: how many times it was exited.
        exit_exception: the exception the last `__aexit__` saw (None for a clean exit),
            including `asyncio.CancelledError` when the block was cancelled.
        awaits: how many times it was awaited (`awaitable=True`).

    Example:
        >>> import asyncio, asyncfakes as af
        >>> transaction = af.async_context("tx")
        >>> async def work():
        ...     async with transaction as tx:
        ...         return tx
        >>> asyncio.run(work()), transaction.entered, transaction.exited
        ('tx', 1, 1)
    """

    def __init__(
        self,
        enter: T,
        *,
        awaitable: bool = False,
        suppress: tuple[type[BaseException], ...] = (),
        exit_raises: BaseException | type[BaseException] | None = None,
        name: str = "async_context",
        on_enter: Callable[[], Any] | None = None,
        on_exit: Callable[[BaseException | None], Any] | None = None,
    ) -> None:
        self.__dict__[TRACK_ATTR] = Track(name)
        self._enter = enter
        self._awaitable = awaitable
        self._suppress = suppress
        self._exit_raises = exit_raises
        self._on_enter = on_enter
        self._on_exit = on_exit
        # The open blocks' records, per task: a context shared by concurrent
        # tasks closes the block of the task that exits.
        self._open: dict[object, list[list[Any]]] = {}
        self.entered: int = 0
        self.exited: int = 0
        self.exit_exception: BaseException | None = None
        self.awaits: int = 0

    @property
    def name(self) -> str:
        """The name used in messages and in `CallRecord.name`."""
        track: Track = self.__dict__[TRACK_ATTR]
        return track.name

    @property
    def value(self) -> T:
        """What entering (or awaiting) the context gives."""
        return self._enter

    @property
    def is_open(self) -> bool:
        """True while at least one `async with` block on it is running."""
        return any(self._open.values())

    async def __aenter__(self) -> T:
        raw = new_record(self.__dict__[TRACK_ATTR], self, (), {}, sys._getframe(1))
        begin_await(raw)
        if self._on_enter is not None:
            try:
                result = self._on_enter()
                if hasattr(result, "__await__"):
                    await result
            except BaseException as error:
                # The entry never completed: no block opened, nothing to exit.
                fail(raw, error)
                raise
        self.entered += 1
        key = _task_key()
        opened = self._open.get(key)
        if opened is None:
            self._open[key] = [raw]
        else:
            opened.append(raw)
        enter_context(self)
        _bind_from_journal(self, self._enter)
        return self._enter

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        exit_context(self)
        raw = self._pop_open()
        self.exited += 1
        self.exit_exception = exc
        try:
            if self._on_exit is not None:
                result = self._on_exit(exc)
                if hasattr(result, "__await__"):
                    await result
            hooks = _hooks_of(self._enter)
            if hooks is not None and hooks.on_exit is not None:
                await hooks.on_exit()
            exit_raises = self._exit_raises
            if exit_raises is not None:
                raise exit_raises if isinstance(exit_raises, BaseException) else exit_raises()
        except BaseException as error:
            if raw is not None:
                fail(raw, error)
            raise
        suppressed = exc is not None and isinstance(exc, self._suppress)
        if raw is not None:
            if exc is None or suppressed:
                finish(raw, self._enter)
            else:
                fail(raw, exc)
        return suppressed

    def _pop_open(self) -> list[Any] | None:
        key = _task_key()
        opened = self._open.get(key)
        if not opened:
            # Exited from another task than the one that entered (or outside a
            # task): close the most recent block, wherever it was opened.
            for other_key, blocks in self._open.items():
                if blocks:
                    key, opened = other_key, blocks
            if not opened:
                return None
        raw = opened.pop()
        if not opened:
            del self._open[key]
        return raw

    def __await__(self) -> Generator[Any, None, T]:
        if not self._awaitable:
            raise TypeError(
                f"{self.name} is an async context manager, not an awaitable: "
                f"use `async with {self.name} as value:`, or build it with "
                "af.async_context(..., awaitable=True)."
            )
        return self._await().__await__()

    async def _await(self) -> T:
        raw = new_record(self.__dict__[TRACK_ATTR], self, (), {}, sys._getframe(1))
        begin_await(raw)
        self.awaits += 1
        _bind_from_journal(self, self._enter)
        finish(raw, self._enter)
        return self._enter

    def __repr__(self) -> str:
        kind = "awaitable async context" if self._awaitable else "async context"
        return (
            f"<{kind} {self.name} entering {self._enter!r}: "
            f"entered {self.entered}, exited {self.exited}>"
        )
