"""`af.async_context()`: a recorded async context manager, optionally awaitable."""

from __future__ import annotations

import inspect
from typing import Any, TypeVar, cast, overload

from .._cm import FakeAsyncContext
from .._iter import describe_value, ensure_error, ensure_name, is_exception_class

__all__ = ["async_context"]

T = TypeVar("T")


@overload
def async_context(
    enter: None = None,
    *,
    awaitable: bool = False,
    suppress: type[BaseException] | tuple[type[BaseException], ...] = (),
    exit_raises: BaseException | type[BaseException] | None = None,
    name: str | None = None,
) -> FakeAsyncContext[None]: ...
@overload
def async_context(
    enter: T,
    *,
    awaitable: bool = False,
    suppress: type[BaseException] | tuple[type[BaseException], ...] = (),
    exit_raises: BaseException | type[BaseException] | None = None,
    name: str | None = None,
) -> FakeAsyncContext[T]: ...
def async_context(
    enter: object = None,
    *,
    awaitable: bool = False,
    suppress: type[BaseException] | tuple[type[BaseException], ...] = (),
    exit_raises: BaseException | type[BaseException] | None = None,
    name: str | None = None,
) -> FakeAsyncContext[Any]:
    """Build an async context manager that gives `enter` and records every block.

    Each `async with` block is one call in the core, from `__aenter__` to
    `__aexit__`; calls made inside the block list the context in
    `CallRecord.inside` (so `af.verify(conn.execute).awaited_inside(tx)` works).
    With `awaitable=True` the context can also be awaited, giving `enter`
    (the shape of aiohttp's `session.get()` and asyncpg's `pool.acquire()`).

    Args:
        enter: what `async with ... as value` (and `await`) gives.
        awaitable: also allow `await context`.
        suppress: exception types that `__aexit__` swallows, like a real
            `__aexit__` returning True.
        exit_raises: an exception (instance or class) that `__aexit__` raises.
        name: the name used in messages and `CallRecord.name` (default ``"async_context"``).

    Returns:
        A `FakeAsyncContext` counting `entered`, `exited` and keeping the
        `exit_exception` its last exit saw (`asyncio.CancelledError` included).

    Raises:
        TypeError: `enter` is a coroutine (await it first), or `suppress` or
            `exit_raises` is not made of exceptions.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> tx = af.async_context(suppress=KeyError)
        >>> async def work():
        ...     async with tx:
        ...         raise KeyError("swallowed")
        ...     return "went on"
        >>> asyncio.run(work())
        'went on'
        >>> tx.entered, tx.exited, type(tx.exit_exception).__name__
        (1, 1, 'KeyError')
    """
    where = "af.async_context()"
    if inspect.iscoroutine(enter):
        enter.close()  # it will never run: spare the user the "never awaited" warning
        raise TypeError(
            f"{where}: enter is a coroutine ({describe_value(enter)}), so `async with` "
            "would give the coroutine itself. Await it and pass the value it produces."
        )
    exceptions = suppress if isinstance(suppress, tuple) else (suppress,)
    kinds = cast("tuple[object, ...]", exceptions)
    for given in kinds:
        if not is_exception_class(given):
            raise TypeError(
                f"{where}: suppress must be an exception class or a tuple of them, "
                f"got {describe_value(given)}."
            )
    if exit_raises is not None:
        ensure_error(exit_raises, where, "exit_raises")
    flag = cast("object", awaitable)
    if not isinstance(flag, bool):
        raise TypeError(
            f"{where}: awaitable must be True or False, got {describe_value(awaitable)}."
        )
    ensure_name(name, where)
    return FakeAsyncContext(
        enter,
        awaitable=awaitable,
        suppress=exceptions,
        exit_raises=exit_raises,
        name=name or "async_context",
    )
