"""Cancel at every await point: records, context exits, pool slots and patches stay consistent.

Each scenario is a short piece of code under test that uses one builder (or
`AsyncFake`). It is run once to the end, counting the points where its task
suspends; then, for each of those points, a fresh copy is run and its task is
cancelled exactly there. After every run the scenario checks its invariants
(the call records, the fake's counters, the pool's slots, the patched
attributes) and the run's `af.Sandbox` checks that nothing was left
unawaited, unreleased or unclosed.

Delays run under `af.virtual_time()`, so the matrix takes no wall time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any

import pytest

import asyncfakes as af

# ------------------------------------------------------------------ harness


class CancelAt:
    """Await `coroutine`, counting its suspensions; cancel the task at suspension `point`.

    The task is cancelled while the coroutine is suspended at that point, so
    the `CancelledError` is raised exactly there (point 0: never cancel).
    """

    def __init__(self, coroutine: Awaitable[Any], point: int) -> None:
        self.coroutine = coroutine.__await__()
        self.point = point
        self.suspensions = 0

    def __await__(self) -> Generator[Any, Any, Any]:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                if error is not None:
                    yielded = self.coroutine.throw(error)
                else:
                    yielded = self.coroutine.send(value)
            except StopIteration as stop:
                return stop.value
            error = None
            self.suspensions += 1
            if self.suspensions == self.point:
                task = asyncio.current_task()
                assert task is not None
                task.cancel()
            try:
                value = yield yielded
            except BaseException as thrown:  # handed on to the coroutine, as `await` does
                error, value = thrown, None


class Scenario:
    """Code under test using one fake; `check` states what must hold however it ended."""

    def __init__(self, sandbox: af.Sandbox) -> None:
        self.sandbox = sandbox

    async def run(self) -> None:
        raise NotImplementedError

    async def settle(self) -> None:
        """Wait for what the scenario started besides its own task."""

    def check(self, cancelled: bool) -> None:
        raise NotImplementedError


def the_call(target: object) -> af.CallRecord:
    """The one call of `target`."""
    (record,) = af.calls(target)
    return record


def ended_as(record: af.CallRecord, cancelled: bool, result: object = None) -> None:
    """The record finished: cancelled (awaited, with the CancelledError) or returned `result`."""
    assert record.awaited
    assert record.ended_at is not None
    if cancelled:
        assert record.outcome == "cancelled"
        assert isinstance(record.exception, asyncio.CancelledError)
    else:
        assert record.outcome == "returned"
        assert record.result == result


def nothing_in_flight(target: Any) -> None:
    """No call of `target` is still counted in flight (a reset restarts the maximum from those)."""
    assert af.max_concurrency(target) <= 1
    target.reset_mock()
    assert af.max_concurrency(target) == 0


async def slow(value: object) -> object:
    """Three suspensions of loop time, then `value`."""
    for _ in range(3):
        await asyncio.sleep(0.1)
    return value


# ---------------------------------------------------------------- AsyncFake


class AsyncFakeSideEffect(Scenario):
    """An AsyncFake whose side effect awaits."""

    async def run(self) -> None:
        self.op = af.AsyncFake(name="op", side_effect=slow)
        await self.op("x")

    def check(self, cancelled: bool) -> None:
        ended_as(the_call(self.op), cancelled, "x")
        assert self.op.await_count == 1
        self.op.assert_awaited_once_with("x")
        nothing_in_flight(self.op)


class AsyncFakeAfter(Scenario):
    """A stub with latency: ``af.when(op).after(1).returns(...)``."""

    async def run(self) -> None:
        self.op = af.AsyncFake(name="op")
        af.when(self.op).after(1).returns("late")
        await self.op()

    def check(self, cancelled: bool) -> None:
        ended_as(the_call(self.op), cancelled, "late")
        nothing_in_flight(self.op)


class AsyncFakeHangs(Scenario):
    """A stub that hangs until cancelled, raced against a timeout."""

    async def run(self) -> None:
        self.op = af.AsyncFake(name="op")
        af.when(self.op).hangs()
        with contextlib.suppress(asyncio.TimeoutError):  # not the builtin on 3.10
            await asyncio.wait_for(self.op(), 5)
        self.timed_out = True

    def check(self, cancelled: bool) -> None:
        # Cancelled from outside or by the timeout, the call itself is cancelled.
        ended_as(the_call(self.op), cancelled=True)
        nothing_in_flight(self.op)


class Api:
    async def get(self, url: str) -> bytes: ...

    def events(self, topic: str) -> AsyncIterator[str]: ...

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[str]:
        yield "real"


class SpecdMemberRuns(Scenario):
    """A spec'd coroutine member stubbed with an async function."""

    async def run(self) -> None:
        self.api = af.fake(Api)
        af.when(self.api.get).runs(lambda url: slow(url.encode()))
        await self.api.get("https://a")

    def check(self, cancelled: bool) -> None:
        record = the_call(self.api.get)
        ended_as(record, cancelled, b"https://a")
        assert record.bound is not None
        assert record.bound.arguments == {"url": "https://a"}
        nothing_in_flight(self.api.get)


class ConcurrentCalls(Scenario):
    """Three calls of one fake in flight together (gather), cancelled with the task that waits."""

    async def run(self) -> None:
        self.op = af.AsyncFake(name="op", side_effect=slow)
        calls = asyncio.gather(self.op(1), self.op(2), self.op(3))
        try:
            await asyncio.sleep(0.15)  # the calls are half-way
            await calls
        finally:
            calls.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await calls

    def check(self, cancelled: bool) -> None:
        records = af.calls(self.op)
        assert [r.args for r in records] == [(1,), (2,), (3,)]
        for record in records:
            assert record.awaited
            assert record.outcome == ("cancelled" if cancelled else "returned")
        assert af.max_concurrency(self.op) == 3
        self.op.reset_mock()
        assert af.max_concurrency(self.op) == 0


class CallCancelledBeforeItRuns(Scenario):
    """A call handed to a task that is cancelled before it first runs: over, never awaited."""

    async def run(self) -> None:
        self.op = af.AsyncFake(name="op", return_value=1)
        self.task = asyncio.create_task(self.op())
        self.task.cancel()
        await asyncio.wait([self.task])
        await asyncio.sleep(0.1)

    def check(self, cancelled: bool) -> None:
        record = the_call(self.op)
        assert not record.awaited
        assert record.outcome == "cancelled"
        assert record.ended_at is None
        assert af.journal().unawaited() == []
        self.op.assert_not_awaited()


# ------------------------------------------------------------ iterators


class IterConsumed(Scenario):
    """``async for`` over a delayed `af.async_iter`, closed with `aclosing`."""

    async def run(self) -> None:
        self.rows = self.sandbox.async_iter([1, 2, 3], delay=0.1, name="rows")
        self.seen: list[int] = []
        async with contextlib.aclosing(aiter(self.rows)) as rows:
            async for row in rows:
                self.seen.append(row)
                await asyncio.sleep(0.05)  # the consumer's own work between items

    def check(self, cancelled: bool) -> None:
        record = the_call(self.rows)
        assert self.rows.consumed == len(self.seen)
        assert record.result == self.seen
        assert self.rows.iterations == 1
        if cancelled:
            assert record.outcome == "cancelled"
            assert self.rows.closed
        else:
            assert record.outcome == "returned"
            assert self.seen == [1, 2, 3]


class IterAbandoned(Scenario):
    """``async for`` over a delayed `af.async_iter` without `aclosing`: dropped when cancelled."""

    async def run(self) -> None:
        self.rows = af.async_iter(["a", "b"], delay=0.1, name="rows")
        self.seen: list[str] = []
        async for row in self.rows:
            self.seen.append(row)
            await asyncio.sleep(0.05)

    def check(self, cancelled: bool) -> None:
        record = the_call(self.rows)
        assert self.rows.consumed == len(self.seen)
        # Cancelled in the iterator's delay, or abandoned by the cancelled loop
        # (collected at once): either way the iteration is over.
        assert record.outcome == ("cancelled" if cancelled else "returned")
        assert self.rows.closed is cancelled


class StreamStalls(Scenario):
    """A delayed `af.stream` that stalls after two chunks, read with a timeout."""

    async def run(self) -> None:
        self.body = self.sandbox.stream([b"a", b"b", b"c"], delay=0.1).stalls_after(2)
        self.seen: list[bytes] = []

        async def read() -> None:
            async with contextlib.aclosing(aiter(self.body)) as chunks:
                async for chunk in chunks:
                    self.seen.append(chunk)

        with contextlib.suppress(asyncio.TimeoutError):  # not the builtin on 3.10
            await asyncio.wait_for(read(), 5)

    def check(self, cancelled: bool) -> None:
        record = the_call(self.body)
        assert self.body.consumed == len(self.seen) <= 2
        assert record.outcome == "cancelled"  # stalled, so always cancelled in the end
        assert record.result == len(self.seen)
        assert self.body.closed


class HttpxStreamedBody(Scenario):
    """A real httpx.Response with a delayed fake body, read with `aiter_bytes` and closed."""

    async def run(self) -> None:
        self.body = self.sandbox.stream([b"a", b"b", b"c"], delay=0.1)
        self.response = af.httpx_response(chunks=self.body)
        self.seen: list[bytes] = []
        try:
            async for chunk in self.response.aiter_bytes():
                self.seen.append(chunk)
        finally:
            await self.response.aclose()

    def check(self, cancelled: bool) -> None:
        assert self.response.is_closed
        assert self.body.closed  # response.aclose() closes the body, read or not
        assert b"".join(self.seen) == b"abc"[: self.body.consumed]
        assert the_call(self.body).outcome == ("cancelled" if cancelled else "returned")


class AiohttpStreamedBody(Scenario):
    """An aiohttp response with a delayed fake body, read in chunks inside ``async with``."""

    async def run(self) -> None:
        self.body = self.sandbox.stream([b"ab", b"cd", b"ef"], delay=0.1)
        self.response = af.aiohttp_response(chunks=self.body)
        self.seen: list[bytes] = []
        async with self.response:
            async for chunk in self.response.content.iter_chunked(2):
                self.seen.append(chunk)

    def check(self, cancelled: bool) -> None:
        assert self.response.closed
        assert b"".join(self.seen) == b"abcdef"[: 2 * len(self.seen)]
        if cancelled:
            assert self.body.closed


# ------------------------------------------------------------- contexts


class ContextBlock(Scenario):
    """Work inside ``async with af.async_context()``; calls made in it see the context."""

    async def run(self) -> None:
        self.tx = af.async_context("tx", name="tx")
        self.execute = af.AsyncFake(name="execute", side_effect=slow)
        async with self.tx:
            await self.execute("INSERT")
            await asyncio.sleep(0.1)

    def check(self, cancelled: bool) -> None:
        assert self.tx.entered == self.tx.exited == 1
        assert not self.tx.is_open
        record = the_call(self.tx)
        if cancelled:
            assert isinstance(self.tx.exit_exception, asyncio.CancelledError)
            assert record.outcome == "cancelled"
        else:
            assert self.tx.exit_exception is None
            assert record.outcome == "returned"
        assert the_call(self.execute).inside == (self.tx,)


class StubbedContextEnterDelay(Scenario):
    """A context-manager member stubbed to enter after a delay: cancelled while entering or inside."""

    async def run(self) -> None:
        self.api = af.fake(Api)
        af.when(self.api.session).after(0.5).enters("stubbed")
        self.context = self.api.session()
        self.body_ran = False
        async with self.context as session:
            assert session == "stubbed"
            self.body_ran = True
            await asyncio.sleep(0.1)

    def check(self, cancelled: bool) -> None:
        context = self.context
        assert not context.is_open
        # A block that was entered was exited; an entry cancelled midway opened nothing.
        assert context.entered == context.exited == (1 if self.body_ran else 0)
        record = the_call(context)
        assert record.outcome == ("cancelled" if cancelled else "returned")


# ---------------------------------------------------------------- flaky


class FlakyLatency(Scenario):
    """`af.flaky` with latency, retried by hand until it succeeds."""

    async def run(self) -> None:
        self.op = af.flaky(ConnectionError, "ok", latency=0.2)
        for _ in range(3):
            try:
                await self.op()
            except ConnectionError:
                await asyncio.sleep(0.1)
            else:
                return

    def check(self, cancelled: bool) -> None:
        records = af.calls(self.op)
        assert self.op.attempts == len(records)
        assert [r.outcome for r in records[:-1]] == ["raised"] * (len(records) - 1)
        last = records[-1].outcome
        assert last in (("cancelled", "raised") if cancelled else ("returned",))
        assert len(self.op.attempt_times) == len(records)


# ---------------------------------------------------------------- pools


class PoolWaitAndWork(Scenario):
    """A pool of one, held by another task: wait for the slot, then work on the connection."""

    async def run(self) -> None:
        self.db = self.sandbox.pool(size=1, name="db")
        self.holder = asyncio.create_task(self.hold())
        await asyncio.sleep(0)  # the holder takes the only connection
        async with self.db.acquire() as conn:
            af.when(conn.fetch).after(0.2).returns([1])
            await conn.fetch("SELECT 1")

    async def hold(self) -> None:
        async with self.db.acquire():
            await asyncio.sleep(0.3)

    async def settle(self) -> None:
        await self.holder

    def check(self, cancelled: bool) -> None:
        assert self.holder.done()
        assert self.db.in_use == 0
        self.db.assert_all_released()
        assert self.db.get_idle_size() == len(self.db.connections) == 1
        assert self.db.acquired == (1 if cancelled and self.db.acquired == 1 else 2)


class PoolShortcut(Scenario):
    """`pool.fetch()`: acquire, run, release in one await, with a slow connection."""

    async def run(self) -> None:
        self.db = self.sandbox.pool(size=2, name="db")
        first = await self.db.acquire()
        af.when(first.fetch).runs(lambda query: slow([query]))
        await self.db.release(first)
        self.rows = await self.db.fetch("SELECT 1")

    def check(self, cancelled: bool) -> None:
        assert self.db.in_use == 0
        self.db.assert_all_released()
        assert self.db.get_idle_size() == len(self.db.connections)


class PoolAcquireTimeout(Scenario):
    """An exhausted pool with an acquire timeout: the waiter leaves the queue however it ends."""

    async def run(self) -> None:
        self.db = self.sandbox.pool(size=1, acquire_timeout=0.5, name="db")
        conn = await self.db.acquire()
        try:
            with contextlib.suppress(asyncio.TimeoutError):  # not the builtin on 3.10
                await self.db.acquire()
        finally:
            await self.db.release(conn)

    def check(self, cancelled: bool) -> None:
        assert self.db.in_use == 0
        self.db.assert_all_released()
        assert self.db.acquired == 1
        assert self.db.get_idle_size() == 1


# -------------------------------------------------------------- patches


class Service:
    async def work(self) -> str:
        await asyncio.sleep(0.1)
        return "real"


ORIGINAL_WORK = Service.__dict__["work"]


def service_is_unpatched() -> None:
    assert Service.__dict__["work"] is ORIGINAL_WORK
    assert af.journal() is not None


class PatchContext(Scenario):
    """``with af.patch.object(...)`` around awaits of the replacement."""

    async def run(self) -> None:
        with af.patch.object(Service, "work") as work:
            self.work = work
            af.when(work).after(0.2).returns("fake")
            assert await Service().work() == "fake"

    def check(self, cancelled: bool) -> None:
        service_is_unpatched()
        ended_as(the_call(self.work), cancelled, "fake")


class PatchDecorator(Scenario):
    """An async function decorated with ``@af.patch.object(...)``."""

    async def run(self) -> None:
        async def slow_work() -> object:
            return await slow("fake")

        @af.patch.object(Service, "work", new=af.AsyncFake(name="work", side_effect=slow_work))
        async def body() -> None:
            await Service().work()

        await body()

    def check(self, cancelled: bool) -> None:
        service_is_unpatched()


class PatchTaskScope(Scenario):
    """A task-scoped patch: seen by the task (and its children), undone when it is cancelled."""

    async def run(self) -> None:
        with af.patch.object(Service, "work", scope="task") as work:
            self.work = work
            af.when(work).runs(lambda: slow("task"))
            assert await asyncio.create_task(Service().work()) == "task"

    def check(self, cancelled: bool) -> None:
        service_is_unpatched()
        assert [r.outcome for r in af.calls(self.work)] == [
            "cancelled" if cancelled else "returned"
        ]


class SpyOnCoroutine(Scenario):
    """A spy on a real coroutine method: the real one runs, the spy records how it ended."""

    async def run(self) -> None:
        self.spy = af.spy(Service, "work")
        try:
            assert await Service().work() == "real"
        finally:
            self.spy.stop()

    def check(self, cancelled: bool) -> None:
        service_is_unpatched()
        ended_as(the_call(self.spy), cancelled, "real")


class SandboxPatches(Scenario):
    """An inner ``async with af.Sandbox()``: its patches are undone and its journal deactivated."""

    async def run(self) -> None:
        outer = af.journal()
        async with af.Sandbox() as inner:
            self.inner = inner
            work = inner.patch.object(Service, "work")
            af.when(work).after(0.3).returns("sandboxed")
            await Service().work()
        assert af.journal() is outer

    def check(self, cancelled: bool) -> None:
        service_is_unpatched()
        assert not self.inner.is_open
        assert af.journal() is self.sandbox.journal


SCENARIOS: list[type[Scenario]] = [
    AsyncFakeSideEffect,
    AsyncFakeAfter,
    AsyncFakeHangs,
    SpecdMemberRuns,
    ConcurrentCalls,
    CallCancelledBeforeItRuns,
    IterConsumed,
    IterAbandoned,
    StreamStalls,
    HttpxStreamedBody,
    AiohttpStreamedBody,
    ContextBlock,
    StubbedContextEnterDelay,
    FlakyLatency,
    PoolWaitAndWork,
    PoolShortcut,
    PoolAcquireTimeout,
    PatchContext,
    PatchDecorator,
    PatchTaskScope,
    SpyOnCoroutine,
    SandboxPatches,
]


async def run_scenario(kind: type[Scenario], point: int) -> tuple[int, bool]:
    """Run a fresh `kind`, cancelling it at suspension `point`; check it; return (suspensions, cancelled)."""
    async with af.Sandbox() as sandbox:
        scenario = kind(sandbox)
        driver = CancelAt(scenario.run(), point)

        async def drive() -> None:
            await driver

        task = asyncio.create_task(drive())
        cancelled = False
        try:
            await task
        except asyncio.CancelledError:
            if not task.cancelled():
                raise  # the test itself was cancelled
            cancelled = True
        # Let the loop finish what the cancellation started (callbacks, closing generators).
        for _ in range(3):
            await asyncio.sleep(0)
        await scenario.settle()
        scenario.check(cancelled)
    return driver.suspensions, cancelled


@pytest.mark.parametrize("kind", SCENARIOS, ids=[kind.__name__ for kind in SCENARIOS])
async def test_cancelling_at_every_await_point_leaves_everything_consistent(
    kind: type[Scenario],
) -> None:
    """It runs the scenario to the end, then cancels a fresh run at each suspension point in turn."""
    async with af.virtual_time():
        suspensions, cancelled = await run_scenario(kind, 0)
        assert not cancelled
        assert suspensions >= 1
        for point in range(1, suspensions + 1):
            _, cancelled = await run_scenario(kind, point)
            assert cancelled, f"{kind.__name__}: not cancelled at point {point} of {suspensions}"


async def test_a_cancelled_entry_is_not_counted_as_entered() -> None:
    """It counts an entry only once the block is entered: a cancelled entry leaves entered == exited."""

    class Db:
        @contextlib.asynccontextmanager
        async def connect(self) -> AsyncIterator[str]:
            yield "real"

    db = af.fake(Db)
    af.when(db.connect).hangs()
    context = db.connect()

    async def use() -> None:
        async with context:
            pass

    with pytest.raises(asyncio.TimeoutError):  # not the builtin on 3.10
        await asyncio.wait_for(use(), 0.01)
    assert not context.is_open
    assert (context.entered, context.exited) == (0, 0)


def test_the_matrix_covers_every_builder_and_asyncfake() -> None:
    """Every builder of the public API, AsyncFake, patching and the sandbox have a scenario."""
    covered = {
        "AsyncFake": AsyncFakeSideEffect,
        "fake": SpecdMemberRuns,
        "when": AsyncFakeAfter,
        "async_iter": IterConsumed,
        "stream": StreamStalls,
        "httpx_response": HttpxStreamedBody,
        "aiohttp_response": AiohttpStreamedBody,
        "async_context": ContextBlock,
        "flaky": FlakyLatency,
        "pool": PoolWaitAndWork,
        "patch": PatchContext,
        "spy": SpyOnCoroutine,
        "Sandbox": SandboxPatches,
    }
    assert set(covered.values()) <= set(SCENARIOS)
    assert all(callable(getattr(af, name)) for name in covered)
    builders: set[str] = {
        "async_iter",
        "async_context",
        "stream",
        "httpx_response",
        "aiohttp_response",
        "flaky",
        "pool",
    }
    assert builders <= set(covered)


_: Callable[..., Any] = slow
