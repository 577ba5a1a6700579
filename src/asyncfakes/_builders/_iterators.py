"""`af.async_iter()`: a recorded, re-iterable async iterator over given items."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar, cast

from .._iter import FakeAsyncIterator, describe_value, ensure_delay, ensure_name

__all__ = ["async_iter"]

T = TypeVar("T")


def async_iter(
    items: Iterable[T], *, delay: float = 0, name: str | None = None
) -> FakeAsyncIterator[T]:
    """Build an async iterator over `items` whose iterations are recorded.

    Each `async for` starts over and is one call in the core (`af.calls(it)`),
    whose `result` is the list of items it yielded. Items are pulled lazily: a
    generator is consumed one item per step, never copied into a list (and,
    being one-shot, a second iteration continues where the first stopped).
    The iterator also stands in for an async generator object: `asend`,
    `athrow` and `aclose` work, and `closed` tells whether an iteration was
    closed or abandoned before its end.

    Args:
        items: the items to yield (any iterable, consumed lazily).
        delay: seconds of loop time slept before every item.
        name: the name used in messages and `CallRecord.name` (default ``"async_iter"``).

    Returns:
        A `FakeAsyncIterator`; chain `.raises(exc)` to end every iteration with `exc`.

    Raises:
        TypeError: `items` is not an iterable, or `delay` is not a number.
        ValueError: `delay` is negative.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> rows = af.async_iter([{"id": 1}, {"id": 2}], delay=0.01)
        >>> async def ids():
        ...     return [row["id"] async for row in rows]
        >>> asyncio.run(ids())
        [1, 2]
        >>> af.calls(rows)[0].result
        [{'id': 1}, {'id': 2}]
    """
    where = "af.async_iter()"
    given = cast("object", items)
    if not isinstance(given, Iterable):
        hint = (
            " It is an async iterable: pass the items themselves, not an async source."
            if hasattr(given, "__aiter__")
            else ""
        )
        raise TypeError(
            f"{where}: items must be an iterable (a list, a generator...), "
            f"got {describe_value(given)}.{hint}"
        )
    ensure_delay(delay, where)
    ensure_name(name, where)
    return FakeAsyncIterator(items, delay=delay, name=name or "async_iter")
