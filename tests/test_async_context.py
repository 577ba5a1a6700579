"""af.async_context(): entering, exiting, awaiting, suppressing, failing and recording."""

from __future__ import annotations

import asyncio
import contextlib
import warnings

import pytest

import asyncfakes as af
from _sites import here


async def test_async_with_gives_the_enter_value() -> None:
    """`async with` gives `enter` and counts the entry and the exit."""
    connection = object()
    context = af.async_context(connection)
    async with context as value:
        assert value is connection
        assert (context.entered, context.exited, context.is_open) == (1, 0, True)
    assert (context.entered, context.exited, context.is_open) == (1, 1, False)
    assert context.exit_exception is None
    assert context.value is connection


async def test_enter_defaults_to_none() -> None:
    """Without `enter`, `async with` gives None."""
    async with af.async_context() as value:
        assert value is None


async def test_each_block_is_one_recorded_call() -> None:
    """Each `async with` block is one awaited call, from entry to exit, returning `enter`."""
    context = af.async_context("tx", name="conn.transaction")
    line = here(1)
    async with context:
        (record,) = af.calls(context)
        assert record.outcome == "pending"
    assert record.name == "conn.transaction"
    assert (record.awaited, record.outcome, record.result) == (True, "returned", "tx")
    assert record.site == line


async def test_a_failing_block_is_recorded_as_raised() -> None:
    """An exception in the body reaches `exit_exception`, propagates, and the call is raised."""
    context = af.async_context()
    error = ValueError("bad row")
    with pytest.raises(ValueError, match=r"^bad row$"):
        async with context:
            raise error
    assert context.exit_exception is error
    (record,) = af.calls(context)
    assert (record.outcome, record.exception) == ("raised", error)


async def test_a_cancelled_block_records_cancelled_error() -> None:
    """A block whose task is cancelled sees `CancelledError` in `__aexit__`, recorded as cancelled."""
    context = af.async_context()
    inside = asyncio.Event()

    async def work() -> None:
        async with context:
            inside.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(work())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert isinstance(context.exit_exception, asyncio.CancelledError)
    assert (context.entered, context.exited) == (1, 1)
    assert af.calls(context)[0].outcome == "cancelled"


async def test_suppress_swallows_the_listed_exceptions() -> None:
    """`suppress` swallows the listed types (and subclasses) like an `__aexit__` returning True."""
    context = af.async_context(suppress=(KeyError, OSError))
    async with context:
        raise ConnectionResetError("gone")  # an OSError
    assert isinstance(context.exit_exception, ConnectionResetError)
    assert af.calls(context)[0].outcome == "returned"
    with pytest.raises(ValueError):
        async with context:
            raise ValueError("not listed")


async def test_suppress_takes_a_single_class() -> None:
    """`suppress=SomeError` works without a tuple."""
    async with af.async_context(suppress=TimeoutError):
        raise TimeoutError


async def test_exit_raises_raises_from_aexit() -> None:
    """`exit_raises` is raised by `__aexit__` after a clean body, and the call is raised."""
    context = af.async_context(exit_raises=ConnectionError("commit failed"))
    with pytest.raises(ConnectionError, match=r"^commit failed$"):
        async with context:
            pass
    assert context.exit_exception is None
    (record,) = af.calls(context)
    assert (record.outcome, str(record.exception)) == ("raised", "commit failed")


async def test_exit_raises_chains_onto_the_body_error() -> None:
    """An `exit_raises` error after a failing body carries the body's error as its context."""
    context = af.async_context(exit_raises=RuntimeError)
    with pytest.raises(RuntimeError) as caught:
        async with context:
            raise KeyError("first")
    assert isinstance(caught.value.__context__, KeyError)


async def test_calls_inside_the_block_see_the_context() -> None:
    """Calls made inside the block list the context in `CallRecord.inside`, outermost first."""
    outer = af.async_context(name="conn")
    inner = af.async_context(name="conn.transaction")
    execute = af.AsyncFake(name="execute")
    await execute("before")
    async with outer, inner:
        await execute("inside")
    await execute("after")
    assert [record.inside for record in af.calls(execute)] == [(), (outer, inner), ()]
    af.verify(execute).awaited_with("after")


async def test_verify_awaited_inside_the_context() -> None:
    """`verify(...).awaited_inside(ctx)` holds for calls made in the block."""
    transaction = af.async_context(name="transaction")
    execute = af.AsyncFake(name="execute")
    async with transaction:
        await execute("UPDATE users SET name = $1", "ada")
    af.verify(execute).awaited_inside(transaction)


async def test_tasks_started_in_the_block_inherit_it() -> None:
    """A task created inside the block is inside it too (context variables are copied)."""
    context = af.async_context()
    notify = af.AsyncFake(name="notify")
    async with context:
        await asyncio.create_task(notify())
    assert af.calls(notify)[0].inside == (context,)


async def test_shared_context_closes_the_block_of_the_exiting_task() -> None:
    """Tasks sharing one context each close their own block, in any order."""
    context = af.async_context()
    first_in, second_in, first_may_exit = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with context:
            first_in.set()
            await first_may_exit.wait()

    async def second() -> None:
        await first_in.wait()
        async with context:
            second_in.set()
            await asyncio.sleep(0.01)
            raise KeyError("second fails")

    first_task = asyncio.create_task(first(), name="first")
    second_task = asyncio.create_task(second(), name="second")
    await second_in.wait()
    with pytest.raises(KeyError):
        await second_task
    first_may_exit.set()
    await first_task
    outcomes = {record.task_name: record.outcome for record in af.calls(context)}
    assert outcomes == {"first": "returned", "second": "raised"}
    assert af.max_concurrency(context) == 2


async def test_awaitable_context_can_be_awaited() -> None:
    """With `awaitable=True`, `await context` gives `enter` and is one recorded call."""
    context = af.async_context("conn", awaitable=True)
    assert await context == "conn"
    async with context as value:
        assert value == "conn"
    assert (context.awaits, context.entered, context.exited) == (1, 1, 1)
    assert [record.outcome for record in af.calls(context)] == ["returned", "returned"]


async def test_awaiting_a_plain_context_is_refused() -> None:
    """Awaiting a context built without `awaitable=True` is a TypeError that says what to do."""
    context = af.async_context(name="pool.acquire()")
    with pytest.raises(TypeError) as caught:
        await context  # type: ignore[misc]
    assert str(caught.value) == (
        "pool.acquire() is an async context manager, not an awaitable: use `async with "
        "pool.acquire() as value:`, or build it with af.async_context(..., awaitable=True)."
    )


async def test_it_works_in_an_async_exit_stack() -> None:
    """It works with `contextlib.AsyncExitStack`, which closes it on unwinding."""
    context = af.async_context("resource")
    async with contextlib.AsyncExitStack() as stack:
        assert await stack.enter_async_context(context) == "resource"
        assert context.is_open
    assert context.exited == 1


async def test_a_real_repository_runs_inside_a_transaction() -> None:
    """Realistic code: a repository writing inside `conn.transaction()` is checked with `inside`."""

    class Repository:
        def __init__(self, conn: object) -> None:
            self.conn = conn

        async def move(self, amount: int) -> None:
            async with self.conn.transaction():  # type: ignore[attr-defined]
                await self.conn.execute("UPDATE a SET x = x - $1", amount)  # type: ignore[attr-defined]
                await self.conn.execute("UPDATE b SET x = x + $1", amount)  # type: ignore[attr-defined]

    conn = af.AsyncFake(name="conn")
    transaction = af.async_context(name="conn.transaction()")
    conn.transaction = af.MagicFake(return_value=transaction)
    await Repository(conn).move(5)
    af.verify(conn.execute).awaited_inside(transaction)
    assert (transaction.entered, transaction.exited) == (1, 1)


def test_repr_shows_the_state() -> None:
    """Its repr names the kind, the value and the counters."""
    assert repr(af.async_context(1, awaitable=True, name="acquire")) == (
        "<awaitable async context acquire entering 1: entered 0, exited 0>"
    )


# ----------------------------------------------------------------- bad input


def test_enter_must_not_be_a_coroutine() -> None:
    """A coroutine as `enter` is refused (and closed, so no "never awaited" warning follows)."""

    async def connect() -> str:
        return "conn"

    coroutine = connect()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError) as caught:
            af.async_context(coroutine)
    assert str(caught.value).startswith(
        "af.async_context(): enter is a coroutine (coroutine <coroutine object "
    )
    assert str(caught.value).endswith(
        "), so `async with` would give the coroutine itself. Await it and pass the value it "
        "produces."
    )
    assert coroutine.cr_frame is None  # closed


@pytest.mark.parametrize(
    ("suppress", "shown"),
    [("KeyError", "str 'KeyError'"), ((KeyError, 3), "int 3"), (KeyError(), "KeyError KeyError()")],
)
def test_suppress_must_be_exception_classes(suppress: object, shown: str) -> None:
    """`suppress` with anything but exception classes is a TypeError naming the argument."""
    with pytest.raises(TypeError) as caught:
        af.async_context(suppress=suppress)  # type: ignore[call-overload]
    assert str(caught.value) == (
        f"af.async_context(): suppress must be an exception class or a tuple of them, got {shown}."
    )


def test_exit_raises_must_be_an_exception() -> None:
    """`exit_raises` with something that is not an exception is a TypeError naming the argument."""
    with pytest.raises(TypeError) as caught:
        af.async_context(exit_raises="boom")  # type: ignore[call-overload]
    assert str(caught.value) == (
        "af.async_context(): exit_raises must be an exception instance or class, got str 'boom'."
    )


def test_awaitable_must_be_a_bool() -> None:
    """`awaitable` must be True or False."""
    with pytest.raises(TypeError) as caught:
        af.async_context(awaitable="yes")  # type: ignore[call-overload]
    assert (
        str(caught.value) == "af.async_context(): awaitable must be True or False, got str 'yes'."
    )
