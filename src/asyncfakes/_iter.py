"""The recorded async iterator primitive shared by builders and stubbing.

`FakeAsyncIterator` stands in for an async iterator or an async generator
object. Each iteration (each `async for`, or each round of `__anext__` calls
until exhaustion) is one call in the core: it starts at the first pull and
finishes when the items run out (`result` is the list of items yielded), when
it raises, or when it is closed early (outcome "cancelled").
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable, Iterator
from types import FrameType, TracebackType
from typing import Any, Generic, TypeVar

from ._recorder import EXCEPTION, RESULT, TRACK_ATTR, Track, begin_await, fail, finish, new_record

__all__ = ["FakeAsyncIterator"]

T = TypeVar("T")


class _Iteration(Generic[T]):
    """One pass over the items; also what `__aiter__` returns."""

    def __init__(self, owner: FakeAsyncIterator[T], frame: FrameType | None) -> None:
        self._owner = owner
        self._items: Iterator[T] = iter(owner._source())
        self._yielded: list[T] = []
        self._raw: list[Any] | None = None
        self._frame = frame
        self._done = False

    def _start(self) -> list[Any]:
        raw = self._raw
        if raw is None:
            frame = self._frame if self._frame is not None else sys._getframe(2)
            raw = self._raw = new_record(self._owner.__dict__[TRACK_ATTR], self._owner, (), {}, frame)
            self._frame = None
            begin_await(raw)
            self._owner.iterations += 1
        return raw

    def __aiter__(self) -> _Iteration[T]:
        return self

    async def __anext__(self) -> T:
        return await self.asend(None)

    async def asend(self, value: object) -> T:
        owner = self._owner
        if self._done:
            raise StopAsyncIteration
        raw = self._start()
        try:
            if owner._delay:
                await asyncio.sleep(owner._delay)
            item = next(self._items)
        except StopIteration:
            self._done = True
            error = owner._error
            if error is not None:
                fail(raw, error if isinstance(error, BaseException) else error())
                raise raw[EXCEPTION] from None
            finish(raw, list(self._yielded))
            raise StopAsyncIteration from None
        except BaseException as error:
            self._done = True
            fail(raw, error)
            raw[RESULT] = list(self._yielded)
            raise
        self._yielded.append(item)
        owner.consumed += 1
        return item

    async def athrow(
        self,
        typ: type[BaseException] | BaseException,
        val: object = None,
        tb: TracebackType | None = None,
    ) -> T:
        error = typ if isinstance(typ, BaseException) else typ()
        raw = self._start()
        self._done = True
        fail(raw, error)
        raise error

    async def aclose(self) -> None:
        owner = self._owner
        if not self._done:
            self._done = True
            if self._raw is not None:
                error = GeneratorExit()
                fail(self._raw, error)
                self._raw[RESULT] = list(self._yielded)
        owner.closed = True


class FakeAsyncIterator(Generic[T]):
    """A recorded, re-iterable async iterator; build it with `af.async_iter()`.

    Attributes:
        consumed: items pulled so far, over all iterations.
        closed: True once an iteration was closed (`aclose()`) before its end.
        iterations: how many iterations started.
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
        self._items = items
        self._delay = delay
        self._error = error
        self.consumed = 0
        self.closed = False
        self.iterations = 0
        self._current: _Iteration[T] | None = None

    def _source(self) -> Iterable[T]:
        return self._items

    def raises(self, error: BaseException | type[BaseException]) -> FakeAsyncIterator[T]:
        """Raise `error` after the last item (instead of ending the iteration)."""
        self._error = error
        return self

    def __aiter__(self) -> _Iteration[T]:
        return _Iteration(self, sys._getframe(1))

    async def __anext__(self) -> T:
        current = self._current
        if current is None or current._done:
            current = self._current = _Iteration(self, sys._getframe(1))
        return await current.__anext__()

    async def aclose(self) -> None:
        """Close the current iteration (as `async_generator.aclose()`)."""
        if self._current is not None:
            await self._current.aclose()

    def __repr__(self) -> str:
        track: Track = self.__dict__[TRACK_ATTR]
        return f"<FakeAsyncIterator {track.name}: consumed {self.consumed}, closed={self.closed}>"

