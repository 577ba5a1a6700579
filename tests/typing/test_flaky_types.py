"""Type tests for af.flaky and af.virtual_time: checked by mypy --strict and pyright strict, not run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from typing_extensions import Never, assert_type

import asyncfakes as af


async def fetch_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}


async def outcomes() -> None:
    fn = af.flaky(ConnectionError, ConnectionError("down"), "ok")
    assert_type(fn, af.Flaky[str])
    call = fn()
    _ = assert_type(call, Coroutine[Any, Any, str])
    call.close()
    assert_type(await fn(1, key="any arguments"), str)

    mixed = af.flaky(1, TimeoutError, 2.5)
    assert_type(mixed, af.Flaky[float])

    leading_errors = af.flaky(ConnectionError, OSError("a"), TimeoutError, OSError, "ok")
    assert_type(leading_errors, af.Flaky[str])

    only_errors = af.flaky(ConnectionError, OSError("down"))
    assert_type(only_errors, af.Flaky[Never])


async def shapes() -> None:
    assert_type(af.flaky.failing(2, ConnectionError, then="ok"), af.Flaky[str])
    assert_type(af.flaky.failing(2, ConnectionError("x"), then={"id": 1}), af.Flaky[dict[str, int]])
    assert_type(af.flaky.failing(1, OSError), af.Flaky[None])
    assert_type(af.flaky.random(0.2, OSError, then=b"pong", seed=3), af.Flaky[bytes])
    assert_type(af.flaky.random(0.2, OSError), af.Flaky[None])
    assert_type(af.flaky.hanging(), af.Flaky[Never])
    assert_type(af.flaky("ok", latency=[0.1, 0.2], spec=fetch_user, name="fetch"), af.Flaky[str])


async def records() -> None:
    fn = af.flaky.failing(1, OSError, then=1)
    assert_type(fn.attempts, int)
    assert_type(fn.attempt_times, list[float])
    assert_type(fn.intervals, list[float])
    assert_type(fn.name, str)


def stands_in_for_an_async_function() -> None:
    fn = af.flaky.failing(1, OSError, then={"id": 1})
    as_callable: Callable[..., Awaitable[dict[str, int]]] = fn
    as_async_def: Callable[[int], Coroutine[Any, Any, dict[str, int]]] = fn
    covariant: af.Flaky[object] = fn
    del as_callable, as_async_def, covariant


async def clock() -> None:
    async with af.virtual_time() as vt:
        assert_type(vt, af.VirtualClock)
        assert_type(vt.now(), float)
        assert_type(await vt.advance(1.5), None)
        assert_type(vt.auto_advance, bool)
        vt.auto_advance = False
    assert_type(af.virtual_time(auto_advance=False), af.VirtualClock)


def rejected() -> None:
    wrong: af.Flaky[int] = af.flaky.failing(1, OSError, then="text")  # type: ignore[arg-type]
    af.flaky.failing("2", OSError, then=1)  # type: ignore[call-overload]
    af.flaky.failing(2, "not an exception", then=1)  # type: ignore[call-overload]
    af.flaky.random("high", OSError)  # type: ignore[call-overload]
    af.flaky("ok", latency="slow")  # type: ignore[arg-type]
    af.flaky.hanging(latency=1)  # type: ignore[call-arg]
    af.virtual_time(True)  # type: ignore[call-arg]
    del wrong


async def rejected_clock() -> None:
    async with af.virtual_time() as vt:
        await vt.advance("1")  # type: ignore[arg-type]
        vt.now = 3.0  # type: ignore[method-assign, assignment]
