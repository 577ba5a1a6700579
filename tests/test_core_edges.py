"""Edges of the core, spec, stubbing and verification modules that other tests leave open.

Each test here pins down a behaviour that mutation testing (``nox -s
mutation``) or branch coverage (``nox -s coverage``) showed no other test
checked: a mutant of the code survived, or a branch never ran.
"""

from __future__ import annotations

import asyncio

import pytest

import asyncfakes as af


async def test_awaited_call_times_are_loop_times() -> None:
    """It stamps an awaited call's start and end with loop time, which virtual time makes exact."""
    op = af.AsyncFake(name="op")
    af.when(op).after(5).returns("late")
    async with af.virtual_time() as clock:
        await clock.advance(2)
        assert await op() == "late"
    (record,) = af.calls(op)
    assert (record.started_at, record.ended_at) == (2.0, 7.0)


async def test_raised_call_times_are_loop_times() -> None:
    """It stamps the end of a call that raised with loop time too."""
    op = af.AsyncFake(name="op")
    af.when(op).after(3).raises(ConnectionError("down"))
    async with af.virtual_time():
        with pytest.raises(ConnectionError):
            await op()
    (record,) = af.calls(op)
    assert (record.outcome, record.started_at, record.ended_at) == ("raised", 0.0, 3.0)


async def test_sync_call_times_are_loop_times_inside_a_loop() -> None:
    """It stamps a sync call made inside a running loop with that loop's time."""
    key = af.MagicFake(name="key", return_value="k")
    failing = af.MagicFake(name="failing", side_effect=KeyError("k"))
    async with af.virtual_time() as clock:
        await clock.advance(4)
        key()
        with pytest.raises(KeyError):
            failing()
    assert [(r.started_at, r.ended_at) for r in af.calls(key) + af.calls(failing)] == [
        (4.0, 4.0),
        (4.0, 4.0),
    ]


async def fail_inside(context: af.FakeAsyncContext[str]) -> None:
    async with context:
        await asyncio.sleep(2)
        raise KeyError("k")


async def test_context_block_times_are_loop_times() -> None:
    """It times an `async with` block of a fake context from entry to exit in loop time."""
    tx = af.async_context("tx", name="tx")
    failed = af.async_context("tx", name="failed")
    async with af.virtual_time():
        async with tx:
            await asyncio.sleep(1.5)
        with pytest.raises(KeyError):
            await fail_inside(failed)
    (block,) = af.calls(tx)
    (broken,) = af.calls(failed)
    assert (block.outcome, block.started_at, block.ended_at) == ("returned", 0.0, 1.5)
    assert (broken.outcome, broken.started_at, broken.ended_at) == ("raised", 1.5, 3.5)


async def test_entered_contexts_are_not_reported_as_unawaited() -> None:
    """It never lists a fake context's blocks or awaits as forgotten awaits."""
    acquiring = af.async_context("conn", awaitable=True, name="acquire")
    with af.Sandbox() as sandbox:
        async with acquiring:
            pass
        assert await acquiring == "conn"
        assert sandbox.journal.unawaited() == []
        af.assert_all_awaited()
    assert [record.awaited for record in af.calls(acquiring)] == [True, True]
