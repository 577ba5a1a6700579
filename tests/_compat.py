"""Helpers of the AsyncMock/MagicMock compatibility tests: run a scenario with the
standard classes and with ours, and compare what happened (ids and class names normalised)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NamedTuple
from unittest import mock
from unittest.mock import AsyncMock, MagicMock

import asyncfakes as af


class Kinds(NamedTuple):
    """The two classes a scenario is written against."""

    Async: Any
    Magic: Any


STD = Kinds(AsyncMock, MagicMock)
OURS = Kinds(af.AsyncFake, af.MagicFake)

_ID = re.compile(r"id='\d+'")
_ADDRESS = re.compile(r"0x[0-9a-f]+")


def norm(value: object) -> str:
    """The text of a value with our class names and object ids made comparable."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = repr(value)
        except Exception as exception:  # a mock attached to itself cannot render its name
            text = f"<repr failed: {type(exception).__name__}>"
    text = text.replace("AsyncFake", "AsyncMock").replace("MagicFake", "MagicMock")
    return _ADDRESS.sub("0x?", _ID.sub("id=?", text))


def outcome(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    """What calling `function` did: its normalised result, or its exception."""
    try:
        result = function(*args, **kwargs)
    except BaseException as exception:
        return failure(exception)
    return ("returned", norm(result))


def failure(exception: BaseException) -> tuple[Any, ...]:
    """An exception as type name, message, cause type and context type."""
    return (
        "raised",
        type(exception).__name__,
        norm(str(exception)),
        type(exception.__cause__).__name__,
        type(exception.__context__).__name__,
        exception.__suppress_context__,
    )


async def aoutcome(awaitable: Awaitable[Any]) -> tuple[Any, ...]:
    """What awaiting `awaitable` did: its normalised result, or its exception."""
    try:
        result = await awaitable
    except BaseException as exception:
        return failure(exception)
    return ("returned", norm(result))


async def acall(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    """What calling `function` and awaiting its result (if awaitable) did."""
    try:
        result = function(*args, **kwargs)
    except BaseException as exception:
        return failure(exception)
    return (await aoutcome(result)) if inspect.isawaitable(result) else ("returned", norm(result))


def drive(coroutine: Coroutine[Any, Any, Any]) -> tuple[Any, ...]:
    """Run a coroutine that never suspends to its end, without an event loop."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return ("returned", norm(stop.value))
    except BaseException as exception:
        return failure(exception)
    coroutine.close()
    raise AssertionError("the coroutine suspended")


def lists(m: Any) -> dict[str, str]:
    """Every bookkeeping attribute of a mock, normalised."""
    seen = {
        "called": norm(m.called),
        "call_count": norm(m.call_count),
        "call_args": norm(m.call_args),
        "call_args_list": norm(m.call_args_list),
        "mock_calls": norm(m.mock_calls),
        "method_calls": norm(m.method_calls),
    }
    names = ["call_args", "call_args_list", "mock_calls", "method_calls"]
    if isinstance(m, mock.AsyncMockMixin):  # type: ignore[attr-defined]
        seen["await_count"] = norm(m.await_count)
        seen["await_args"] = norm(m.await_args)
        seen["await_args_list"] = norm(m.await_args_list)
        names += ["await_args", "await_args_list"]
    seen["types"] = norm([type(getattr(m, name)).__name__ for name in names])
    return seen


def same(scenario: Callable[[Kinds], Any]) -> Any:
    """Run `scenario` with the standard classes and with ours; the results must be equal."""
    expected = scenario(STD)
    actual = scenario(OURS)
    assert actual == expected
    assert expected not in (None, [], {}, ())
    return actual


async def same_async(scenario: Callable[[Kinds], Coroutine[Any, Any, Any]]) -> Any:
    """`same` for a coroutine scenario, both runs awaited in the test's event loop."""
    expected = await scenario(STD)
    actual = await scenario(OURS)
    assert actual == expected
    assert expected not in (None, [], {}, ())
    return actual
