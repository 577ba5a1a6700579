"""Connection pool fake vs a minimal asyncio.Queue-based pool: acquire/release cycles.

Target (issue "Connection pool fakes"): af.pool's overhead at most 3x a minimal
Queue-based pool over 10,000 acquire/release cycles, measured in the same run.
"""

from __future__ import annotations

import asyncio
import collections
import sys
from collections.abc import Generator
from typing import Any

import _harness as h

import asyncfakes as af
from asyncfakes._recorder import NO_KWARGS, Track, begin_await, finish, new_record

CYCLES = h.scaled(10_000, 200)
ROUNDS = h.scaled(15, 2)


class QueuePool:
    """The peer: the smallest correct pool, an asyncio.Queue of connections."""

    def __init__(self, size: int) -> None:
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        for _ in range(size):
            self._queue.put_nowait(object())

    async def acquire(self) -> object:
        return await self._queue.get()

    async def release(self, connection: object) -> None:
        self._queue.put_nowait(connection)


async def cycles(pool: Any, count: int) -> float:
    """Time per `await pool.acquire()` / `await pool.release(conn)` cycle; then forget the calls."""
    start = h.perf_counter()
    for _ in range(count):
        connection = await pool.acquire()
        await pool.release(connection)
    elapsed = (h.perf_counter() - start) / count
    af.journal().clear()
    return elapsed


async def cycle_queue(count: int) -> float:
    return await cycles(QueuePool(10), count)


async def cycle_fake(count: int) -> float:
    return await cycles(af.pool(size=10), count)


async def cycle_fake_async_with(count: int) -> float:
    pool = af.pool(size=10)
    start = h.perf_counter()
    for _ in range(count):
        async with pool.acquire():
            pass
    elapsed = (h.perf_counter() - start) / count
    af.journal().clear()
    return elapsed


async def record_only(count: int) -> float:
    """Not a pool: the core's share of a cycle, recording one awaited call and its end."""
    track = Track("pool.acquire")
    frame = sys._getframe()
    start = h.perf_counter()
    for _ in range(count):
        raw = new_record(track, None, (), NO_KWARGS, frame)
        begin_await(raw)
        finish(raw, None)
    elapsed = (h.perf_counter() - start) / count
    af.journal().clear()
    return elapsed


RECORD_ONLY = "core alone: record one awaited call (no pool)"


class MinimalRecordedPool:
    """Not af.pool: the least a pool that records each acquisition in the core can do.

    An idle deque, one core record per acquisition (started on acquire, finished
    on release): no lease proxy, no checks, no call site of its own, no waiting.
    A lower bound for af.pool, measured in the same run.
    """

    def __init__(self, size: int) -> None:
        self._idle = collections.deque(object() for _ in range(size))
        self._track = Track("pool.acquire")
        self._held: list[list[Any]] = []

    async def acquire(self) -> object:
        raw = new_record(self._track, None, (), NO_KWARGS, sys._getframe(1))
        begin_await(raw)
        self._held.append(raw)
        return self._idle.popleft()

    async def release(self, connection: object) -> None:
        finish(self._held.pop(), connection)
        self._idle.append(connection)


async def cycle_minimal(count: int) -> float:
    return await cycles(MinimalRecordedPool(10), count)


MINIMAL = "floor: minimal pool recording each acquisition (not af.pool)"


class _LeanLease:
    """The lean pool's connection proxy: forwards reads, fails once released."""

    __slots__ = ("_connection", "_raw")

    def __getattr__(self, name: str) -> Any:
        if self._raw is None:
            raise RuntimeError(f"connection used after its release: {name}")
        return getattr(self._connection, name)


class _LeanAcquire:
    """The lean pool's acquire context: awaitable (an async context manager in af.pool)."""

    __slots__ = ("_frame", "_pool")

    _timeout: float | None = None

    def __await__(self) -> Generator[Any, None, _LeanLease]:
        frame = self._frame
        if frame is None:
            frame = sys._getframe(1)
        else:
            self._frame = None
        pool = self._pool
        if pool.closing:
            raise RuntimeError("pool closed")
        idle = pool.idle
        if not idle or self._timeout is not None:
            raise NotImplementedError("the lean pool has only the fast path")
        raw = new_record(pool.track, pool.target, (), NO_KWARGS, frame)
        connection = idle.popleft()
        begin_await(raw)
        pool.acquired += 1
        lease = _LeanLease()
        lease._connection = connection
        lease._raw = raw
        pool.held.append(lease)
        return lease
        yield  # a generator, as af.pool's __await__


class LeanPool:
    """Not af.pool: the leanest pool doing, on its fast path, what the issue asks of one.

    Each acquisition is recorded in the core, from an acquire context, and handed
    out as a proxy that fails once released; held leases are kept in order (for
    `in_use` and a leak report) and acquisitions counted; a closed pool or waiting
    acquirers are checked for. Left out, unlike af.pool: the async context manager
    methods, waiting and timeouts, attribute writes through the proxy, the
    pool's spec forwarding. A lower bound for af.pool, measured in the same run.
    """

    def __init__(self, size: int) -> None:
        self.idle = collections.deque(object() for _ in range(size))
        self.track = Track("pool.acquire")
        self.held: list[_LeanLease] = []
        self.waiters: collections.deque[object] = collections.deque()
        self.acquired = 0
        self.closing = False
        self.target = self.acquire  # what each record names, bound once

    def acquire(self, *, timeout: float | None = None) -> _LeanAcquire:
        context = _LeanAcquire()
        context._pool = self
        context._frame = sys._getframe(1)
        return context

    async def release(self, connection: _LeanLease, *, timeout: float | None = None) -> None:
        held = self.held
        if not held or held[-1] is not connection or self.waiters or self.closing:
            raise NotImplementedError("the lean pool has only the fast path")
        lease = held.pop()
        returned = lease._connection
        finish(lease._raw, returned)
        lease._raw = None
        self.idle.append(returned)


async def cycle_lean(count: int) -> float:
    return await cycles(LeanPool(10), count)


LEAN = "floor: lean pool with the issue's fast-path duties (not af.pool)"


def main() -> dict[str, Any]:
    loop = h.new_loop()
    try:
        stats = h.interleave(
            {
                "asyncio.Queue pool: await acquire / release": lambda: h.run(
                    loop, cycle_queue(CYCLES)
                ),
                "af.pool: await acquire / release": lambda: h.run(loop, cycle_fake(CYCLES)),
                "af.pool: async with acquire()": lambda: h.run(loop, cycle_fake_async_with(CYCLES)),
                RECORD_ONLY: lambda: h.run(loop, record_only(CYCLES)),
                MINIMAL: lambda: h.run(loop, cycle_minimal(CYCLES)),
                LEAN: lambda: h.run(loop, cycle_lean(CYCLES)),
            },
            rounds=ROUNDS,
            label=f"{CYCLES:,} acquire/release cycles",
        )
    finally:
        loop.close()
    rows = [
        h.row(
            name,
            value.scaled(1e6).median,
            "µs/cycle",
            p25=value.scaled(1e6).p25,
            p75=value.scaled(1e6).p75,
        )
        for name, value in stats.items()
    ]
    queue = stats["asyncio.Queue pool: await acquire / release"].median
    ratios = [
        h.ratio(
            "af.pool ÷ Queue pool time, await acquire / release",
            stats["af.pool: await acquire / release"].median / queue,
            at_most=3,
        ),
        h.ratio(
            "af.pool ÷ Queue pool time, async with acquire()",
            stats["af.pool: async with acquire()"].median / queue,
        ),
        h.ratio("core alone ÷ Queue pool time", stats[RECORD_ONLY].median / queue),
        h.ratio(
            "minimal recording pool ÷ Queue pool time",
            stats[MINIMAL].median / queue,
            note="informational: the least any pool recording its acquisitions could reach",
        ),
        h.ratio(
            "lean pool with the issue's fast-path duties ÷ Queue pool time",
            stats[LEAN].median / queue,
            note="informational: the least a pool doing what the issue asks could reach",
        ),
    ]
    return h.result(
        "pool",
        f"{CYCLES:,} acquire/release cycles: af.pool vs a minimal asyncio.Queue pool",
        rows,
        ratios,
        target="af.pool overhead ≤ 3x a minimal Queue-based pool",
        notes=[
            "Both pools hold 10 connections and are driven by one task, so no acquirer waits; "
            "af.pool also records each acquisition in the core and hands out a lease proxy.",
            "The journal is cleared after each sample, as a per-test Sandbox would.",
            "The last row is not a pool: it records one awaited call per cycle in the core "
            "(as each acquisition does) and nothing else, the part of af.pool's time that "
            "the pool itself cannot remove.",
            "The 'floor' row is not af.pool either: a pool with an idle deque that records "
            "each acquisition in the core and does nothing else (no lease proxy, no checks, "
            "no waiting): the least any pool recording its acquisitions could cost.",
            "The 'lean pool' row is not af.pool either: the same record, plus what the issue "
            "asks of a pool on the fast path (an acquire context, a proxy that fails once "
            "released, held leases kept in order for in_use and the leak report, an "
            "acquisition count, the closed and waiting-acquirer checks), written as lean as "
            "we could and nothing else: no async context manager methods, waiting, timeouts, "
            "attribute writes through the proxy or spec forwarding.",
        ],
        chart=[
            {
                "title": "Acquire/release cycle",
                "unit": "µs/cycle",
                "cases": [row["case"] for row in rows],
                "log": False,
            }
        ],
    )


if __name__ == "__main__":
    h.standalone(main)
