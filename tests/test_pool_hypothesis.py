"""Random acquire / release / cancel / close programs never lose or duplicate a connection."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import asyncfakes as af

OPERATIONS = st.lists(
    st.sampled_from(["acquire", "acquire_with", "release", "cancel", "step", "close"]),
    min_size=1,
    max_size=40,
)


def check_invariants(db: af.FakePool[Any]) -> None:
    """Every created connection is idle or held by exactly one live lease, never both."""
    held = [lease.__dict__["_af_lease_connection"] for lease in db._leases.values()]
    idle = list(db._idle)
    assert len(held) == len(set(map(id, held))), "a connection is held twice"
    assert not set(map(id, held)) & set(map(id, idle)), "a connection is both held and idle"
    assert db.in_use <= db.size
    assert db.max_in_use <= db.size
    created = set(map(id, db.connections))
    assert set(map(id, held)) | set(map(id, idle)) <= created
    if not db._closed:
        # Checked at quiescent points: no connection is in transit to a waiter.
        assert len(created) == len(held) + len(idle), "a connection was lost"


@settings(max_examples=150, deadline=None)
@given(operations=OPERATIONS, size=st.integers(min_value=1, max_value=3))
def test_random_programs_keep_the_pool_consistent(operations: list[str], size: int) -> None:
    """It never loses, duplicates or double-counts a connection."""

    async def program() -> None:
        db = af.pool(size=size)
        holders: list[asyncio.Task[None]] = []
        leases: list[Any] = []
        release_events: list[asyncio.Event] = []

        async def hold_with() -> None:
            event = asyncio.Event()
            release_events.append(event)
            async with db.acquire():
                await event.wait()

        async def hold_awaited() -> None:
            leases.append(await db.acquire())

        for operation in operations:
            if operation == "acquire":
                holders.append(asyncio.create_task(hold_awaited()))
            elif operation == "acquire_with":
                holders.append(asyncio.create_task(hold_with()))
            elif operation == "release":
                if leases and not db._closed:
                    await db.release(leases.pop(0))
                elif release_events:
                    release_events.pop(0).set()
            elif operation == "cancel":
                live = [task for task in holders if not task.done()]
                if live:
                    live[0].cancel()
            elif operation == "close":
                db.terminate()
            for _ in range(4):  # let hand-offs to waiters complete
                await asyncio.sleep(0)
            check_invariants(db)

        for event in release_events:
            event.set()
        await asyncio.sleep(0)
        if not db._closed:
            for lease in leases:
                await db.release(lease)
        for task in holders:
            task.cancel()
        await asyncio.gather(*holders, return_exceptions=True)
        check_invariants(db)
        if not db._closed:
            assert db.in_use == 0
            assert sorted(map(id, db._idle)) == sorted(map(id, db.connections))
        assert db.acquired == len(af.calls(db.acquire)) - sum(
            1 for record in af.calls(db.acquire) if not record.awaited
        )

    asyncio.run(program())
