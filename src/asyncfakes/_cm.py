"""The recorded async context manager primitive shared by builders and stubbing.

`FakeAsyncContext` is an async context manager that, optionally, can also be
awaited (the aiohttp `session.get()` / asyncpg `pool.acquire()` shape). Each
`async with` block is one call in the core: it starts at `__aenter__` and
finishes at `__aexit__`, so `af.max_concurrency(ctx)` is the largest number of
blocks open at once, and calls made inside the block see the context in
`CallRecord.inside`. Awaiting the context (when allowed) is one call too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator
from types import TracebackType
from typing import Any, Generic, TypeVar

from ._recorder import (
    TRACK_ATTR,
    Track,
    begin_await,
    enter_context,
    exit_context,
    fail,
    finish,
    new_record,
)

__all__ = ["FakeAsyncContext"]

T = TypeVar("T")

class FakeAsyncContext(Generic[T]):
    """A recorded async context manager, optionally awaitable; build it with `af.async_context()`.

    Attributes:
        entered: how many times it was entered.
        exited: how many times it was exited.
        exit_exception: the exception the last `__aexit__` saw (None for a clean exit),
            including `asyncio.CancelledError` when the block was cancelled.
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
        self._open: list[list[Any]] = []
        self.entered = 0
        self.exited = 0
        self.exit_exception: BaseException | None = None
        self.awaits = 0

    @property
    def name(self) -> str:
        """The name used in messages."""
        track: Track = self.__dict__[TRACK_ATTR]
        return track.name

    @property
    def value(self) -> T:
        """What entering (or awaiting) the context gives."""
        return self._enter

    @property
    def is_open(self) -> bool:
        """True while at least one `async with` block on it is running."""
        return bool(self._open)

    async def __aenter__(self) -> T:
        raw = new_record(self.__dict__[TRACK_ATTR], self, (), {}, sys._getframe(1))
        begin_await(raw)
        self.entered += 1
        if self._on_enter is not None:
            try:
                result = self._on_enter()
                if hasattr(result, "__await__"):
                    await result
            except BaseException as error:
                fail(raw, error)
                raise
        self._open.append(raw)
        enter_context(self)
        return self._enter

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        exit_context(self)
        raw = self._open.pop() if self._open else None
        self.exited += 1
        self.exit_exception = exc
        if self._on_exit is not None:
            result = self._on_exit(exc)
            if hasattr(result, "__await__"):
                await result
        suppressed = exc is not None and isinstance(exc, self._suppress)
        if raw is not None:
            if exc is None or suppressed:
                finish(raw, self._enter)
            else:
                fail(raw, exc)
        if self._exit_raises is not None:
            raise self._exit_raises
        return suppressed

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
        finish(raw, self._enter)
        return self._enter

    def __repr__(self) -> str:
        kind = "awaitable async context" if self._awaitable else "async context"
        return (
            f"<{kind} {self.name} entering {self._enter!r}: "
            f"entered {self.entered}, exited {self.exited}>"
        )

