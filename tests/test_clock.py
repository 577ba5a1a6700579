"""af.virtual_time(): loop time that jumps to the next timer when every task is idle."""

from __future__ import annotations

import asyncio
import math
import os
import socket
import sys
import threading
import time
import unittest
from typing import Any

import pytest

import asyncfakes as af

requires_311 = pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.timeout is 3.11+")


def _hooks(loop: asyncio.AbstractEventLoop) -> dict[str, object]:
    """What virtual time replaces on the loop object (None: the class attribute is used).

    A loop may already carry instance attributes of its own (looptime's pytest
    plugin patches every pytest-asyncio loop's selector): they must come back.
    """
    selector: Any = getattr(loop, "_selector")
    return {
        "time": vars(loop).get("time"),
        "run_in_executor": vars(loop).get("run_in_executor"),
        "select": vars(selector).get("select"),
    }


def _site(offset: int = 0) -> str:
    """The caller's file:line (plus `offset` lines), as the library renders call sites."""
    frame = sys._getframe(1)
    return f"{os.path.relpath(frame.f_code.co_filename)}:{frame.f_lineno + offset}"


# ------------------------------------------------------------------ timers


@pytest.mark.asyncio
async def test_sleep_takes_no_wall_time() -> None:
    """An hour of asyncio.sleep passes in well under a second of wall time."""
    started = time.perf_counter()
    async with af.virtual_time() as clock:
        assert clock.now() == 0.0
        await asyncio.sleep(3600)
        assert clock.now() == 3600.0
    assert time.perf_counter() - started < 1.0  # generous: shared CI machines stall


@pytest.mark.asyncio
async def test_loop_time_is_the_clock() -> None:
    """loop.time() and clock.now() agree inside virtual time."""
    loop = asyncio.get_running_loop()
    async with af.virtual_time() as clock:
        await asyncio.sleep(2.5)
        assert loop.time() == clock.now() == 2.5


@pytest.mark.asyncio
async def test_concurrent_sleeps_wake_in_time_order() -> None:
    """Concurrent sleepers wake in order of their deadlines, each at its deadline."""
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        woke.append((name, asyncio.get_running_loop().time()))

    async with af.virtual_time():
        await asyncio.gather(sleeper("c", 3), sleeper("a", 1), sleeper("b", 2))
    assert woke == [("a", 1.0), ("b", 2.0), ("c", 3.0)]


@pytest.mark.asyncio
async def test_wait_for_times_out_at_its_timeout() -> None:
    """asyncio.wait_for raises TimeoutError exactly when its virtual timeout expires."""
    async with af.virtual_time() as clock:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.Event().wait(), timeout=30)
        assert clock.now() == 30.0


@pytest.mark.asyncio
async def test_wait_for_returns_when_the_work_is_faster() -> None:
    """asyncio.wait_for returns the result when the work finishes before the timeout."""

    async def work() -> str:
        await asyncio.sleep(4)
        return "done"

    async with af.virtual_time() as clock:
        assert await asyncio.wait_for(work(), timeout=5) == "done"
        assert clock.now() == 4.0
        await asyncio.sleep(10)  # the cancelled timeout timer does not fire later
        assert clock.now() == 14.0


@requires_311
@pytest.mark.asyncio
async def test_asyncio_timeout_expires_in_virtual_time() -> None:
    """asyncio.timeout() cancels the block at its virtual deadline."""
    async with af.virtual_time() as clock:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(5):
                await asyncio.sleep(100)
        assert clock.now() == 5.0


@pytest.mark.asyncio
async def test_call_later_and_call_at_fire_in_order() -> None:
    """call_later and call_at callbacks fire in time order at their virtual times."""
    loop = asyncio.get_running_loop()
    fired: list[tuple[str, float]] = []
    async with af.virtual_time():
        done = loop.create_future()
        loop.call_later(2, lambda: fired.append(("later", loop.time())))
        loop.call_at(1, lambda: fired.append(("at", loop.time())))
        loop.call_at(3, done.set_result, None)
        await done
    assert fired == [("at", 1.0), ("later", 2.0)]


@pytest.mark.asyncio
async def test_timers_set_before_entry_keep_their_remaining_delay() -> None:
    """A timer scheduled in real time before entry fires after its remaining delay, virtually."""
    loop = asyncio.get_running_loop()
    fired: list[float] = []
    loop.call_later(100, lambda: fired.append(loop.time()))
    async with af.virtual_time():
        await asyncio.sleep(99)
        assert fired == []
        await asyncio.sleep(2)
    assert len(fired) == 1
    assert 99.9 < fired[0] <= 100.0


@pytest.mark.asyncio
async def test_timers_left_at_exit_keep_their_remaining_delay() -> None:
    """A timer still pending at exit is due after its remaining delay in real time."""
    loop = asyncio.get_running_loop()
    async with af.virtual_time():
        await asyncio.sleep(10)
        handle = loop.call_later(50, lambda: None)
    try:
        remaining = handle.when() - loop.time()
        assert 49.0 < remaining <= 50.0
    finally:
        handle.cancel()


# ---------------------------------------------------------- I/O and threads


@pytest.mark.asyncio
async def test_ready_io_runs_before_time_jumps() -> None:
    """Data that is already readable is read at virtual time 0, not after the next timer."""
    loop = asyncio.get_running_loop()
    left, right = socket.socketpair()
    left.setblocking(False)
    right.setblocking(False)
    try:
        async with af.virtual_time() as clock:
            sleeper = asyncio.create_task(asyncio.sleep(10))
            right.send(b"ping")
            data = await loop.sock_recv(left, 4)
            assert (data, clock.now()) == (b"ping", 0.0)
            await sleeper
            assert clock.now() == 10.0
    finally:
        left.close()
        right.close()


@pytest.mark.asyncio
async def test_a_real_tcp_round_trip_finishes_before_the_timeout() -> None:
    """A localhost TCP echo inside wait_for(..., 5) completes without moving the clock."""

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with af.virtual_time() as clock:

            async def round_trip() -> bytes:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"hello\n")
                line = await reader.readline()
                writer.close()
                await writer.wait_closed()
                return line

            assert await asyncio.wait_for(round_trip(), timeout=5) == b"hello\n"
            assert clock.now() < 1.0
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.asyncio
async def test_executor_work_is_waited_for_in_real_time() -> None:
    """While a thread works (to_thread), the clock follows real time instead of jumping."""
    async with af.virtual_time() as clock:
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.to_thread(time.sleep, 0.05), timeout=10)
        elapsed = time.perf_counter() - started
        # The clock moved by the real time the loop waited, not to the 10 s timeout.
        assert 0.0 < clock.now() <= elapsed


@pytest.mark.asyncio
async def test_executor_timeout_still_fires() -> None:
    """A timeout shorter than the thread's work fires when its real time has passed."""
    async with af.virtual_time() as clock:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.to_thread(time.sleep, 0.3), timeout=0.05)
        assert clock.now() == pytest.approx(0.05, abs=0.02)


# ------------------------------------------------------------ restoration


@pytest.mark.asyncio
async def test_everything_is_restored_on_exit() -> None:
    """After exit, the loop's time, selector and executor hook are the originals again."""
    loop = asyncio.get_running_loop()
    before = _hooks(loop)
    async with af.virtual_time() as clock:
        inside = _hooks(loop)
        assert inside["time"] == clock.now
        assert all(inside[name] not in (None, before[name]) for name in inside)
        assert clock.active
        await asyncio.sleep(1000)
    assert _hooks(loop) == before
    assert not clock.active
    assert abs(loop.time() - time.monotonic()) < 1.0
    assert clock.now() == 1000.0


def test_a_plain_loop_keeps_no_instance_attributes() -> None:
    """On a loop of asyncio.run, exit removes every instance attribute it added."""

    async def main() -> dict[str, object]:
        async with af.virtual_time():
            await asyncio.sleep(1)
        return _hooks(asyncio.get_running_loop())

    assert asyncio.run(main()) == {"time": None, "run_in_executor": None, "select": None}


@pytest.mark.asyncio
async def test_everything_is_restored_when_the_body_raises() -> None:
    """An exception inside the block still restores the loop."""
    loop = asyncio.get_running_loop()
    before = _hooks(loop)

    async def body() -> None:
        async with af.virtual_time():
            await asyncio.sleep(5)
            raise KeyError("boom")

    with pytest.raises(KeyError):
        await body()
    assert _hooks(loop) == before
    assert abs(loop.time() - time.monotonic()) < 1.0


@pytest.mark.asyncio
async def test_everything_is_restored_when_the_task_is_cancelled() -> None:
    """Cancelling the task inside the block still restores the loop."""
    loop = asyncio.get_running_loop()
    before = _hooks(loop)

    async def body() -> None:
        async with af.virtual_time():
            await asyncio.Event().wait()

    task = asyncio.create_task(body())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _hooks(loop) == before


@pytest.mark.asyncio
async def test_a_clock_can_be_entered_again_after_exit() -> None:
    """Re-entering a clock starts virtual time at 0.0 again."""
    clock = af.virtual_time()
    async with clock:
        await asyncio.sleep(3)
    async with clock:
        assert clock.now() == 0.0
        await asyncio.sleep(1)
        assert clock.now() == 1.0


@pytest.mark.asyncio
async def test_leaving_a_clock_never_entered_does_nothing() -> None:
    """__aexit__ without __aenter__ leaves the loop alone."""
    loop = asyncio.get_running_loop()
    before = _hooks(loop)
    await af.virtual_time().__aexit__(None, None, None)
    assert _hooks(loop) == before


def test_repr_shows_time_mode_and_state() -> None:
    """The repr shows the time, the mode and whether the clock is active."""
    assert repr(af.virtual_time(auto_advance=False)) == (
        "<VirtualClock now=0.0 auto_advance=False inactive>"
    )


# ----------------------------------------------------------------- advance


@pytest.mark.asyncio
async def test_advance_runs_due_timers_in_order_and_stops_at_the_target() -> None:
    """With auto-advance off, advance() fires every timer up to the target, in order."""
    beats: list[float] = []

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(10)
            beats.append(asyncio.get_running_loop().time())

    async with af.virtual_time(auto_advance=False) as clock:
        task = asyncio.create_task(heartbeat())
        await clock.advance(35)
        assert (beats, clock.now()) == ([10.0, 20.0, 30.0], 35.0)
        await clock.advance(5)
        assert (beats, clock.now()) == ([10.0, 20.0, 30.0, 40.0], 40.0)
        task.cancel()


@pytest.mark.asyncio
async def test_without_auto_advance_time_stands_still() -> None:
    """With auto-advance off, a sleeper stays asleep until advance() reaches its deadline."""
    async with af.virtual_time(auto_advance=False) as clock:
        sleeper = asyncio.create_task(asyncio.sleep(1))
        for _ in range(10):
            await asyncio.sleep(0)
        assert not sleeper.done()
        await clock.advance(0.5)
        assert not sleeper.done()
        await clock.advance(0.5)
        assert sleeper.done()
        assert clock.now() == 1.0


@pytest.mark.asyncio
async def test_advance_with_auto_advance_on_does_not_pass_its_target() -> None:
    """advance(5) stops at 5 even though auto-advance could jump to a later timer."""
    async with af.virtual_time() as clock:
        sleeper = asyncio.create_task(asyncio.sleep(10))
        await clock.advance(5)
        assert (clock.now(), sleeper.done()) == (5.0, False)
        await sleeper
        assert clock.now() == 10.0


@pytest.mark.asyncio
async def test_advance_zero_lets_due_work_settle() -> None:
    """advance(0) returns once every task woken now is waiting again; time does not move."""
    steps: list[str] = []

    async def worker() -> None:
        steps.append("started")
        await asyncio.sleep(0)
        steps.append("finished")

    async with af.virtual_time(auto_advance=False) as clock:
        task = asyncio.create_task(worker())
        await clock.advance(0)
        assert task.done()
        assert (steps, clock.now()) == (["started", "finished"], 0.0)


@pytest.mark.asyncio
async def test_auto_advance_can_be_switched_while_running() -> None:
    """Setting auto_advance on a running clock changes how time moves from then on."""
    async with af.virtual_time(auto_advance=False) as clock:
        assert clock.auto_advance is False
        clock.auto_advance = True
        await asyncio.sleep(7)
        assert clock.now() == 7.0


@pytest.mark.asyncio
async def test_concurrent_advances_each_return_at_their_own_target() -> None:
    """Two advance() calls in flight return at their own targets, the nearer first."""
    returned: list[tuple[str, float]] = []
    async with af.virtual_time(auto_advance=False) as clock:

        async def advance(name: str, seconds: float) -> None:
            await clock.advance(seconds)
            returned.append((name, clock.now()))

        await asyncio.gather(advance("far", 10), advance("near", 5))
    assert returned == [("near", 5.0), ("far", 10.0)]


@pytest.mark.asyncio
async def test_an_advance_still_waiting_at_exit_returns() -> None:
    """Leaving the clock wakes a task still waiting in advance()."""
    clock = af.virtual_time(auto_advance=False)
    async with clock:
        waiter = asyncio.create_task(clock.advance(100))
        await asyncio.sleep(0)
    await asyncio.wait_for(waiter, timeout=1)
    assert clock.now() == 0.0


@pytest.mark.asyncio
async def test_a_timer_at_infinity_does_not_make_time_infinite() -> None:
    """A sleep(inf) in the background never becomes the time the clock jumps to."""
    async with af.virtual_time() as clock:
        forever = asyncio.create_task(asyncio.sleep(math.inf))
        await asyncio.sleep(0)
        await clock.advance(5)
        assert clock.now() == 5.0
        forever.cancel()


@pytest.mark.asyncio
async def test_without_auto_advance_the_loop_still_wakes_for_threads() -> None:
    """With auto-advance off and nothing to advance, a thread's call_soon_threadsafe wakes the loop."""
    loop = asyncio.get_running_loop()
    async with af.virtual_time(auto_advance=False) as clock:
        sleeper = asyncio.create_task(asyncio.sleep(1))
        woken = asyncio.Event()
        timer = threading.Timer(0.05, loop.call_soon_threadsafe, args=(woken.set,))
        timer.start()
        await woken.wait()
        assert (clock.now(), sleeper.done()) == (0.0, False)
        sleeper.cancel()
    timer.join()


# ------------------------------------------------------------ other runners


def test_works_under_asyncio_run() -> None:
    """virtual_time works in a coroutine run by asyncio.run."""

    async def main() -> float:
        async with af.virtual_time() as clock:
            await asyncio.sleep(42)
            return clock.now()

    assert asyncio.run(main()) == 42.0


class _VirtualTimeCase(unittest.IsolatedAsyncioTestCase):
    """An IsolatedAsyncioTestCase whose test body runs under virtual time."""

    __test__ = False  # run by the tests below, through unittest itself

    async def test_sleep(self) -> None:
        async with af.virtual_time() as clock:
            await asyncio.sleep(600)
            assert clock.now() == 600.0


class _VirtualTimeFromSetUpCase(unittest.IsolatedAsyncioTestCase):
    """Virtual time entered in asyncSetUp with enterAsyncContext (3.11+)."""

    __test__ = False  # run by the tests below, through unittest itself

    async def asyncSetUp(self) -> None:
        self.clock = await self.enterAsyncContext(af.virtual_time())

    async def test_sleep(self) -> None:
        await asyncio.wait_for(asyncio.sleep(30), timeout=60)
        assert self.clock.now() == 30.0


def _run_case(case: type[unittest.TestCase]) -> unittest.TestResult:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    result = unittest.TestResult()
    suite.run(result)
    return result


def test_works_in_isolated_asyncio_test_case() -> None:
    """virtual_time works inside an IsolatedAsyncioTestCase test."""
    result = _run_case(_VirtualTimeCase)
    assert (result.testsRun, result.errors, result.failures) == (1, [], [])


@requires_311
def test_works_from_async_set_up_with_enter_async_context() -> None:
    """virtual_time entered in asyncSetUp (enterAsyncContext) covers the test body."""
    result = _run_case(_VirtualTimeFromSetUpCase)
    assert (result.testsRun, result.errors, result.failures) == (1, [], [])


@pytest.mark.asyncio(loop_scope="module")
async def test_module_scoped_loop_first() -> None:
    """Under a module-scoped pytest-asyncio loop, virtual time starts at 0.0."""
    async with af.virtual_time() as clock:
        await asyncio.sleep(500)
        assert clock.now() == 500.0


@pytest.mark.asyncio(loop_scope="module")
async def test_module_scoped_loop_second() -> None:
    """The shared loop is back on real time and a new clock starts at 0.0 again."""
    loop = asyncio.get_running_loop()
    assert abs(loop.time() - time.monotonic()) < 1.0
    async with af.virtual_time() as clock:
        assert clock.now() == 0.0
        await asyncio.sleep(1)
        assert clock.now() == 1.0


# -------------------------------------------------------------- bad input


def test_outside_a_running_loop_is_an_error() -> None:
    """Entering without a running event loop raises RuntimeError saying where to enter."""
    entering = af.virtual_time().__aenter__()
    with pytest.raises(RuntimeError) as caught:
        entering.send(None)
    assert str(caught.value) == (
        "af.virtual_time() must be entered inside a running asyncio event loop: "
        "use `async with af.virtual_time() as clock:` in a coroutine run by "
        "asyncio.run(), pytest-asyncio or IsolatedAsyncioTestCase "
        "(under trio, use trio.testing.MockClock(autojump_threshold=0))"
    )


def test_under_trio_is_an_error() -> None:
    """Under trio (no asyncio loop) entering raises the same RuntimeError."""
    import trio

    async def main() -> None:
        async with af.virtual_time():
            pass  # pragma: no cover - never entered

    with pytest.raises(
        RuntimeError, match=r"^af\.virtual_time\(\) must be entered inside a running"
    ):
        trio.run(main)


@pytest.mark.asyncio
async def test_nested_virtual_time_is_an_error() -> None:
    """A second virtual_time() on the same loop raises RuntimeError naming the first one's site."""
    async with af.virtual_time():
        site = _site(-1)
        with pytest.raises(RuntimeError) as caught:
            async with af.virtual_time():
                pass  # pragma: no cover - never entered
    assert str(caught.value) == (
        f"af.virtual_time() is already active on this event loop (entered at "
        f"{site}); nested virtual time is not supported: use the clock "
        "that is already running (the `clock` fixture gives it to a test)"
    )


@pytest.mark.asyncio
async def test_nested_error_leaves_the_outer_clock_running() -> None:
    """After a refused nested entry, the outer clock still works and restores on exit."""
    loop = asyncio.get_running_loop()
    before = _hooks(loop)
    async with af.virtual_time() as clock:
        with pytest.raises(RuntimeError):
            async with af.virtual_time():
                pass  # pragma: no cover - never entered
        await asyncio.sleep(3)
        assert clock.now() == 3.0
    assert _hooks(loop) == before


def test_one_clock_on_two_loops_is_an_error() -> None:
    """A clock active on one loop cannot be entered on another loop (in another thread)."""
    clock = af.virtual_time()
    entered = threading.Event()
    leave = threading.Event()

    async def hold() -> None:
        async with clock:
            entered.set()
            while not leave.is_set():
                await asyncio.to_thread(leave.wait, 0.01)

    thread = threading.Thread(target=asyncio.run, args=(hold(),))
    thread.start()
    try:
        assert entered.wait(5)

        async def enter_again() -> None:
            async with clock:
                pass  # pragma: no cover - never entered

        with pytest.raises(RuntimeError) as caught:
            asyncio.run(enter_again())
    finally:
        leave.set()
        thread.join(5)
    assert str(caught.value) == (
        "this virtual clock is already active on another event loop: "
        "create one clock per loop with af.virtual_time()"
    )


@pytest.mark.asyncio
@pytest.mark.parametrize("seconds", [-1, -0.001, float("inf"), float("nan")])
async def test_advance_by_a_negative_or_infinite_amount_is_an_error(seconds: float) -> None:
    """advance() refuses negative, infinite and NaN amounts with a ValueError."""
    async with af.virtual_time() as clock:
        with pytest.raises(ValueError) as caught:
            await clock.advance(seconds)
        assert clock.now() == 0.0
    assert str(caught.value) == (
        f"clock.advance({seconds!r}): seconds must be a finite number of at least 0"
    )


@pytest.mark.asyncio
async def test_advance_on_an_inactive_clock_is_an_error() -> None:
    """advance() outside `async with` raises RuntimeError saying where to call it."""
    clock = af.virtual_time()
    with pytest.raises(RuntimeError) as caught:
        await clock.advance(1)
    assert str(caught.value) == (
        "clock.advance() needs an active clock: call it inside "
        "`async with af.virtual_time() as clock:`"
    )


def test_uvloop_is_refused_with_an_explanation() -> None:
    """On uvloop (C timers) entering raises RuntimeError naming the loop class."""
    import uvloop

    async def main() -> None:
        async with af.virtual_time():
            pass  # pragma: no cover - never entered

    loop = uvloop.new_event_loop()
    try:
        with pytest.raises(RuntimeError) as caught:
            loop.run_until_complete(main())
    finally:
        loop.close()
    assert str(caught.value) == (
        "af.virtual_time() cannot make the time of uvloop.Loop virtual: it supports "
        "asyncio's own event loops (SelectorEventLoop, ProactorEventLoop), whose "
        "timers live in Python. Run this test on the default event loop."
    )


def test_a_looptime_loop_is_refused() -> None:
    """On a loop whose time looptime already compacts, entering raises RuntimeError."""
    import looptime

    async def main() -> None:
        async with af.virtual_time():
            pass  # pragma: no cover - never entered

    loop = looptime.new_event_loop()  # its time compaction is on

    try:
        with pytest.raises(RuntimeError) as caught:
            loop.run_until_complete(main())
    finally:
        loop.close()
    assert str(caught.value) == (
        "af.virtual_time() cannot run on this event loop: looptime is already "
        "compacting its time. Use one of them: disable looptime for this test "
        "or drop af.virtual_time()."
    )
