"""Fakes called from other threads record every call exactly once: 8 threads x 10,000 calls.

Each scenario hammers one fake from eight threads at once, with the
interpreter switching threads far more often than usual, and then checks the
core (`af.calls`, the journal, `seq`, outcomes, `max_concurrency`) and the
standard mock lists (`call_args_list`, `await_args_list`, `mock_calls`)
against the exact set of calls that were made: nothing lost, nothing twice.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import asyncfakes as af

THREADS = 8
CALLS = 10_000
TOTAL = THREADS * CALLS
EXPECTED = {(thread, index) for thread in range(THREADS) for index in range(CALLS)}


class Cache:
    """The real class of the spec'd fakes."""

    def key(self, thread: int, index: int) -> str: ...

    async def load(self, thread: int, index: int) -> str: ...


@pytest.fixture
def sandbox() -> Iterator[af.Sandbox]:
    """A fresh journal (and its exit checks: nothing left unawaited)."""
    with af.Sandbox() as sb:
        yield sb


@pytest.fixture(autouse=True)
def eager_thread_switches() -> Iterator[None]:
    """Switch threads every 20 µs (instead of 5 ms) so that calls interleave as much as possible."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(2e-5)
    yield
    sys.setswitchinterval(interval)


def run_threads(work: Callable[[int], None]) -> None:
    """Run `work(thread)` in 8 threads released together; re-raise the first failure."""
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def target(thread: int) -> None:
        start.wait()
        try:
            work(thread)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=target, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def check_records(target: object, journal: af.Journal, *, awaited: bool) -> None:
    """Every expected call is recorded once, in `seq` order, finished as it should be."""
    records = af.calls(target)
    assert len(records) == TOTAL
    assert {record.args for record in records} == EXPECTED
    seqs = [record.seq for record in records]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == TOTAL
    assert [record.seq for record in journal.calls if record.target is target] == seqs
    assert {record.outcome for record in records} == {"returned"}
    assert {record.awaited for record in records} == {awaited}
    assert all(
        record.result == f"{a}:{b}" for record, (a, b) in zip(records, (r.args for r in records))
    )
    for thread in range(THREADS):
        # Each thread's own calls keep the order it made them in.
        assert [r.args[1] for r in records if r.args[0] == thread] == list(range(CALLS))


def test_plain_threads_calling_a_sync_member(sandbox: af.Sandbox) -> None:
    """8 threads x 10,000 calls of a spec'd sync member, read meanwhile: each call is recorded once."""
    cache = af.fake(Cache)
    af.when(cache.key).runs(lambda thread, index: f"{thread}:{index}")
    stop = threading.Event()
    reads: list[int] = []

    def reader() -> None:
        # Materialises the standard lists while the threads append to them.
        while not stop.is_set():
            reads.append(cache.key.call_count + len(cache.mock_calls))

    watcher = threading.Thread(target=reader)
    watcher.start()
    try:
        run_threads(lambda thread: [cache.key(thread, index) for index in range(CALLS)])
    finally:
        stop.set()
        watcher.join()
    check_records(cache.key, sandbox.journal, awaited=False)
    assert reads
    assert max(reads) <= 2 * TOTAL
    assert cache.key.call_count == TOTAL
    assert sorted(call.args for call in cache.key.call_args_list) == sorted(EXPECTED)
    assert sorted(call.args for call in cache.mock_calls) == sorted(EXPECTED)
    assert {call[0] for call in cache.mock_calls} == {"key"}
    assert af.max_concurrency(cache.key) == 0  # sync calls are never in flight


def test_threads_each_running_an_event_loop(sandbox: af.Sandbox) -> None:
    """8 threads, each with its own loop, await one AsyncFake 10,000 times: exact records and counts."""
    load = af.AsyncFake(name="load", side_effect=lambda thread, index: f"{thread}:{index}")

    def work(thread: int) -> None:
        async def main() -> None:
            for index in range(CALLS):
                await load(thread, index)

        asyncio.run(main())

    run_threads(work)
    check_records(load, sandbox.journal, awaited=True)
    assert load.await_count == load.call_count == TOTAL
    assert sorted(call.args for call in load.await_args_list) == sorted(EXPECTED)
    # Each loop awaits one call at a time: never more than one per thread in flight.
    assert 1 <= af.max_concurrency(load) <= THREADS
    # A reset restarts the maximum from the calls still in flight: none, if no
    # thread lost an update of the in-flight counter.
    load.reset_mock()
    assert af.max_concurrency(load) == 0


async def await_in_order(awaitables: list[Any]) -> list[Any]:
    """Await calls made in another thread, one after the other, in the test's loop."""
    return [await awaitable for awaitable in awaitables]


async def test_run_coroutine_threadsafe_from_8_threads(sandbox: af.Sandbox) -> None:
    """8 threads call a spec'd coroutine member and hand the calls to the test's loop: exact records.

    Each thread makes its calls in batches of 100: the first call of a batch is
    handed over on its own (``run_coroutine_threadsafe(cache.load(...))``), the
    other 99 in one coroutine that awaits them (one loop wake-up per batch
    keeps 80,000 hand-overs within seconds on a small machine).
    """
    cache = af.fake(Cache)
    af.when(cache.load).runs(lambda thread, index: f"{thread}:{index}")
    loop = asyncio.get_running_loop()
    results: dict[tuple[int, int], str] = {}
    lock = threading.Lock()
    batch = 100

    def work(thread: int) -> None:
        mine: dict[tuple[int, int], str] = {}
        for start in range(0, CALLS, batch):
            alone = asyncio.run_coroutine_threadsafe(cache.load(thread, start), loop)
            rest = [cache.load(thread, index) for index in range(start + 1, start + batch)]
            together = asyncio.run_coroutine_threadsafe(await_in_order(rest), loop)
            mine[(thread, start)] = alone.result(timeout=60)
            for index, result in enumerate(together.result(timeout=60), start + 1):
                mine[(thread, index)] = result
        with lock:
            results.update(mine)

    waiting = asyncio.create_task(af.wait_for_calls(cache.load, TOTAL, timeout=60))
    await asyncio.to_thread(run_threads, work)
    records = await waiting
    assert len(records) == TOTAL
    assert results == {(thread, index): f"{thread}:{index}" for thread, index in EXPECTED}
    check_records(cache.load, sandbox.journal, awaited=True)
    assert cache.load.await_count == TOTAL
    assert {record.task_name for record in af.calls(cache.load)} == {None}  # made in plain threads
    cache.load.reset_mock()
    assert af.max_concurrency(cache.load) == 0  # nothing left in flight


async def test_to_thread_calling_sync_members(sandbox: af.Sandbox) -> None:
    """asyncio.to_thread runs 8 workers of 10,000 sync calls while the loop awaits the same fake."""
    lookup = af.MagicFake(name="lookup", side_effect=lambda thread, index: f"{thread}:{index}")
    refresh = af.AsyncFake(name="refresh", return_value=None)

    def work(thread: int) -> None:
        for index in range(CALLS):
            lookup(thread, index)

    async def refresher() -> None:
        while not done.is_set():
            await refresh()
            await asyncio.sleep(0)

    done = asyncio.Event()
    background = asyncio.create_task(refresher())
    await asyncio.gather(*(asyncio.to_thread(work, thread) for thread in range(THREADS)))
    done.set()
    await background
    check_records(lookup, sandbox.journal, awaited=False)
    assert lookup.call_count == TOTAL
    refreshes = af.calls(refresh)
    assert refreshes
    assert {r.outcome for r in refreshes} == {"returned"}
    assert refresh.await_count == len(refreshes)
    # The journal interleaves both fakes in one seq order, each call once.
    seqs = [record.seq for record in sandbox.journal.calls]
    assert len(seqs) == TOTAL + len(refreshes) == len(set(seqs))
    assert seqs == sorted(seqs)
