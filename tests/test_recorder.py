"""The call-recording core: CallRecord, Journal, calls, max_concurrency, wait_for_calls, inside."""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any
from unittest.mock import AsyncMock

import pytest

import asyncfakes as af
from asyncfakes import _recorder
from asyncfakes._recorder import (
    Deferred,
    Journal,
    Track,
    activate,
    begin_await,
    deactivate,
    enter_context,
    exit_context,
    fail,
    finish,
    get_track,
    new_record,
    run_awaited,
)

HERE = os.path.relpath(__file__)


def line(offset: int = 0) -> int:
    """The caller's current line number plus `offset`."""
    frame = inspect.currentframe()
    assert frame is not None
    assert frame.f_back is not None
    return frame.f_back.f_lineno + offset


@pytest.fixture
def private_journal() -> Iterator[Journal]:
    """A fresh journal that is the active one for the test."""
    journal = Journal()
    activate(journal)
    yield journal
    deactivate(journal)


def gate() -> tuple[asyncio.Event, Any]:
    """A side effect that waits until the returned event is set, then returns "done"."""
    event = asyncio.Event()

    async def wait(*args: object, **kwargs: object) -> str:
        await event.wait()
        return "done"

    return event, wait


class Echo:
    """A minimal resolver for driving the core directly: returns the call's first argument."""

    def resolve_call(self, raw: list[Any]) -> Any:
        args = raw[_recorder.ARGS]
        if args and isinstance(args[0], BaseException):
            raise args[0]
        if args and inspect.isawaitable(args[0]):
            return Deferred(args[0])
        return args[0] if args else None


def core_call(track: Track, *args: Any) -> tuple[list[Any], Any]:
    """Make a call through the core the way a fake does; return its raw record and awaitable."""
    frame = inspect.currentframe()
    assert frame is not None
    assert frame.f_back is not None
    raw = new_record(track, "target", args, {}, frame.f_back)
    raw[_recorder.AWAITABLE] = awaitable = run_awaited(raw, Echo())
    return raw, awaitable


# --- CallRecord fields ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_an_awaited_call_records_every_field() -> None:
    """It records target, dotted name, arguments, task, site and the returned outcome."""
    client = af.AsyncFake(name="client")
    client.get.return_value = {"id": 1}
    loop = asyncio.get_running_loop()
    before = loop.time()
    at = line(1)
    result = await client.get("https://a", timeout=5)
    after = loop.time()
    (record,) = af.calls(client.get)
    assert result == {"id": 1}
    assert record.target is client.get
    assert record.name == "client.get"
    assert record.args == ("https://a",)
    assert record.kwargs == {"timeout": 5}
    assert record.bound is None
    assert record.task_name == asyncio.current_task().get_name()  # type: ignore[union-attr]
    assert before <= record.started_at <= after
    assert record.ended_at is not None
    assert record.started_at <= record.ended_at <= after
    assert record.awaited is True
    assert record.outcome == "returned"
    assert record.result == {"id": 1}
    assert record.exception is None
    assert record.inside == ()
    assert record.filename == __file__
    assert record.lineno == at
    assert record.site == f"{HERE}:{at}"
    assert record.describe() == "client.get('https://a', timeout=5)"


@pytest.mark.asyncio
async def test_seq_increases_across_fakes_in_call_order() -> None:
    """It numbers calls of different fakes in the order they were made, process-wide."""
    first, second = af.AsyncFake(name="first"), af.MagicFake(name="second")
    await first(1)
    second(2)
    await first(3)
    seqs = [r.seq for r in af.calls(first)] + [r.seq for r in af.calls(second)]
    assert seqs[0] < seqs[2] < seqs[1]
    other = af.MagicFake()
    other()
    assert af.calls(other)[0].seq > seqs[1]


@pytest.mark.asyncio
async def test_task_name_is_the_task_that_made_the_call() -> None:
    """It names the task that called the fake, not the one that awaited it."""
    fetch = af.AsyncFake(name="fetch", return_value=1)

    async def make() -> Any:
        return fetch("x")

    coroutine = await asyncio.create_task(make(), name="caller")
    await asyncio.create_task(coroutine, name="awaiter")
    (record,) = af.calls(fetch)
    assert record.task_name == "caller"
    assert record.outcome == "returned"


def test_a_call_outside_a_loop_has_no_task_and_monotonic_times() -> None:
    """It records a sync call made outside any event loop with task None and monotonic times."""
    ping = af.MagicFake(name="ping", return_value="pong")
    before = time.monotonic()
    assert ping() == "pong"
    after = time.monotonic()
    (record,) = af.calls(ping)
    assert record.task_name is None
    assert before <= record.started_at <= after
    assert record.ended_at is not None
    assert record.started_at <= record.ended_at <= after
    assert record.awaited is False
    assert record.outcome == "returned"
    assert record.result == "pong"


@pytest.mark.asyncio
async def test_a_pending_call_has_no_end_until_it_finishes() -> None:
    """It shows a started call as awaited and pending, then stamps its end in loop time."""
    release, wait = gate()
    slow = af.AsyncFake(name="slow", side_effect=wait)
    task = asyncio.create_task(slow())
    await asyncio.sleep(0)
    (record,) = af.calls(slow)
    assert record.awaited is True
    assert record.outcome == "pending"
    assert record.ended_at is None
    assert record.result is None
    await asyncio.sleep(0.02)
    released_at = asyncio.get_running_loop().time()
    release.set()
    assert await task == "done"
    assert af.calls(slow)[0] is record
    assert af.calls(slow)[0].outcome == "returned"
    assert record.result == "done"
    assert record.ended_at is not None
    assert record.ended_at >= released_at >= record.started_at + 0.019


@pytest.mark.asyncio
async def test_a_call_not_awaited_yet_is_pending_and_unawaited() -> None:
    """It records a call whose coroutine is held but not awaited as not awaited and pending."""
    fetch = af.AsyncFake(name="fetch", return_value=1)
    coroutine = fetch()
    (record,) = af.calls(fetch)
    assert record.awaited is False
    assert record.outcome == "pending"
    assert await coroutine == 1
    assert record.awaited is True
    assert record.outcome == "returned"


@pytest.mark.asyncio
async def test_a_closed_coroutine_is_cancelled_without_being_awaited() -> None:
    """It records a call whose coroutine was closed unstarted as cancelled, never awaited."""
    fetch = af.AsyncFake(name="fetch", return_value=1)
    fetch().close()
    (record,) = af.calls(fetch)
    assert record.awaited is False
    assert record.outcome == "cancelled"
    assert record.exception is None
    assert record.ended_at is None
    assert af.max_concurrency(fetch) == 0
    assert get_track(fetch).in_flight == 0  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_a_task_cancelled_before_it_ran_cancels_the_call() -> None:
    """It records a call whose task was cancelled before it ran as cancelled, not awaited."""
    fetch = af.AsyncFake(name="fetch", return_value=1)
    task = asyncio.create_task(fetch())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (record,) = af.calls(fetch)
    assert record.awaited is False
    assert record.outcome == "cancelled"
    assert af.max_concurrency(fetch) == 0
    assert get_track(fetch).in_flight == 0  # type: ignore[union-attr]
    assert record not in af.journal().unawaited()


@pytest.mark.asyncio
async def test_a_side_effect_exception_is_recorded_as_raised() -> None:
    """It records the exception a call raised, with no result."""
    error = ValueError("boom")
    fetch = af.AsyncFake(name="fetch", side_effect=error)
    with pytest.raises(ValueError, match=r"^boom$"):
        await fetch()
    (record,) = af.calls(fetch)
    assert record.awaited is True
    assert record.outcome == "raised"
    assert record.exception is error
    assert record.result is None
    assert record.ended_at is not None
    assert record.ended_at >= record.started_at


@pytest.mark.asyncio
async def test_cancelling_the_awaiting_task_records_cancelled() -> None:
    """It records a call cancelled while its side effect slept as cancelled with the error."""
    _, wait = gate()
    slow = af.AsyncFake(name="slow", side_effect=wait)
    task = asyncio.create_task(slow())
    await asyncio.sleep(0)
    assert get_track(slow).in_flight == 1  # type: ignore[union-attr]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (record,) = af.calls(slow)
    assert record.awaited is True
    assert record.outcome == "cancelled"
    assert isinstance(record.exception, asyncio.CancelledError)
    assert record.ended_at is not None
    assert get_track(slow).in_flight == 0  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_closing_a_started_coroutine_records_cancelled_generator_exit() -> None:
    """It records a started call whose coroutine is closed as cancelled with GeneratorExit."""
    _, wait = gate()
    slow = af.AsyncFake(name="slow", side_effect=wait)
    coroutine = slow()
    coroutine.send(None)
    coroutine.close()
    (record,) = af.calls(slow)
    assert record.awaited is True
    assert record.outcome == "cancelled"
    assert isinstance(record.exception, GeneratorExit)
    assert af.max_concurrency(slow) == 1
    assert get_track(slow).in_flight == 0  # type: ignore[union-attr]


def test_a_sync_call_that_raises_is_recorded_as_raised() -> None:
    """It records a MagicFake call that raised, not awaited."""
    parse = af.MagicFake(name="parse", side_effect=KeyError("k"))
    with pytest.raises(KeyError):
        parse("x")
    (record,) = af.calls(parse)
    assert record.awaited is False
    assert record.outcome == "raised"
    assert isinstance(record.exception, KeyError)


def test_records_are_read_only() -> None:
    """It refuses to set or delete any attribute of a CallRecord."""
    ping = af.MagicFake(name="ping")
    ping()
    (record,) = af.calls(ping)
    with pytest.raises(AttributeError, match=r"^CallRecord is read-only: cannot set 'outcome'$"):
        setattr(record, "outcome", "raised")
    with pytest.raises(AttributeError, match=r"^CallRecord is read-only: cannot set '_raw'$"):
        setattr(record, "_raw", [])
    with pytest.raises(AttributeError, match=r"^CallRecord is read-only: cannot delete 'args'$"):
        delattr(record, "args")
    assert record.outcome == "returned"


def test_the_same_call_gives_the_same_record() -> None:
    """It returns one CallRecord object per call, however often it is read."""
    ping = af.MagicFake(name="ping")
    ping()
    assert af.calls(ping)[0] is af.calls(ping)[0]


@pytest.mark.asyncio
async def test_repr_shows_seq_call_outcome_and_site() -> None:
    """It renders a record with its number, the call, its outcome and where it was made."""
    fetch = af.AsyncFake(name="fetch", return_value=1)
    parse = af.MagicFake(name="parse", return_value=2)
    returned_at = line(1)
    await fetch("a", page=2)
    held_at = line(1)
    held = fetch("b")
    closed_at = line(1)
    fetch("c").close()
    sync_at = line(1)
    parse("d")
    records = af.calls(fetch)
    seqs = [r.seq for r in records]
    assert repr(records[0]) == (
        f"<CallRecord #{seqs[0]} fetch('a', page=2) returned at {HERE}:{returned_at}>"
    )
    assert repr(records[1]) == (
        f"<CallRecord #{seqs[1]} fetch('b') pending (never awaited) at {HERE}:{held_at}>"
    )
    assert repr(records[2]) == (
        f"<CallRecord #{seqs[2]} fetch('c') cancelled (before it started) at {HERE}:{closed_at}>"
    )
    (sync,) = af.calls(parse)
    assert repr(sync) == f"<CallRecord #{sync.seq} parse('d') returned at {HERE}:{sync_at}>"
    await held
    assert repr(records[1]) == f"<CallRecord #{seqs[1]} fetch('b') returned at {HERE}:{held_at}>"


def test_the_name_follows_a_renamed_fake() -> None:
    """It renders the fake's current dotted name, so attaching a fake renames its records."""
    parent = af.MagicFake(name="db")
    child = af.MagicFake(name="save")
    child(1)
    assert af.calls(child)[0].name == "save"
    parent.attach_mock(child, "store")
    assert af.calls(child)[0].name == "db.store"


# --- Journal -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_journal_lists_every_call_in_seq_order(private_journal: Journal) -> None:
    """It keeps every call of every fake, oldest first, until cleared."""
    client = af.AsyncFake(name="client")
    ping = af.MagicFake(name="ping")
    await client.get("a")
    ping()
    await client.post("b")
    assert af.journal() is private_journal
    assert [r.describe() for r in private_journal.calls] == [
        "client.get('a')",
        "ping()",
        "client.post('b')",
    ]
    assert [r.describe() for r in private_journal] == [r.describe() for r in private_journal.calls]
    assert len(private_journal) == 3
    assert repr(private_journal) == "<Journal of 3 calls>"
    seqs = [r.seq for r in private_journal.calls]
    assert seqs == sorted(seqs)
    private_journal.clear()
    assert private_journal.calls == []
    assert repr(private_journal) == "<Journal of 0 calls>"
    assert len(af.calls(client.get)) == 1
    ping()
    assert repr(private_journal) == "<Journal of 1 call>"


def test_calls_go_to_the_innermost_active_journal_as_journals_come_and_go() -> None:
    """Each call lands in the journal active when it is made, whatever was cleared or left."""
    ping = af.MagicFake(name="ping")
    outer, inner = Journal(), Journal()
    activate(outer)
    try:
        ping(1)
        activate(inner)
        try:
            ping(2)
            outer.clear()  # not the active one: recording into `inner` goes on
            ping(3)
            inner.clear()
            ping(4)
        finally:
            deactivate(inner)
        ping(5)
    finally:
        deactivate(outer)
    assert [r.args for r in inner.calls] == [(4,)]
    assert [r.args for r in outer.calls] == [(5,)]
    assert [r.args for r in af.calls(ping)] == [(1,), (2,), (3,), (4,), (5,)]


@pytest.mark.asyncio
async def test_unawaited_lists_only_held_never_awaited_calls(private_journal: Journal) -> None:
    """It lists calls whose coroutine is held unawaited, not awaited, closed or sync ones."""
    fetch = af.AsyncFake(name="fetch", return_value=1)
    ping = af.MagicFake(name="ping")
    await fetch(1)
    held = fetch(2)
    fetch(3).close()
    ping(4)
    assert [r.args for r in private_journal.unawaited()] == [(2,)]
    await held
    assert private_journal.unawaited() == []


def test_journal_returns_the_process_journal_unless_another_is_active() -> None:
    """It returns the process-wide journal, or the innermost activated one."""
    process = af.journal()
    assert isinstance(process, af.Journal)
    assert af.journal() is process
    inner = Journal()
    activate(inner)
    try:
        ping = af.MagicFake(name="ping")
        ping()
        assert af.journal() is inner
        assert [r.target for r in inner.calls] == [ping]
        assert ping not in [r.target for r in process.calls]
    finally:
        deactivate(inner)
    assert af.journal() is process


def test_deactivating_an_inactive_journal_is_an_error() -> None:
    """It refuses to deactivate a journal that is not active (the process journal included)."""
    with pytest.raises(RuntimeError, match=r"^deactivate\(\) of a journal that is not active$"):
        deactivate(Journal())
    with pytest.raises(RuntimeError, match=r"^deactivate\(\) of a journal that is not active$"):
        deactivate(af.journal())


# --- max_concurrency -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_max_concurrency_counts_calls_in_flight_together() -> None:
    """It reports how many calls were in flight at once under asyncio.gather."""

    async def slow(*args: object) -> None:
        await asyncio.sleep(0.01)

    fetch = af.AsyncFake(name="fetch", side_effect=slow)
    await asyncio.gather(fetch(1), fetch(2), fetch(3))
    assert af.max_concurrency(fetch) == 3
    await fetch(4)
    await fetch(5)
    assert af.max_concurrency(fetch) == 3


@pytest.mark.asyncio
async def test_max_concurrency_ignores_calls_never_started() -> None:
    """It counts only started calls: sequential awaits and held coroutines give 1."""

    async def slow() -> None:
        await asyncio.sleep(0)

    fetch = af.AsyncFake(name="fetch", side_effect=slow)
    held = [fetch(), fetch()]
    await fetch()
    await fetch()
    assert af.max_concurrency(fetch) == 1
    await asyncio.gather(*held)
    assert af.max_concurrency(fetch) == 2


@pytest.mark.asyncio
async def test_reset_mock_restarts_max_concurrency_from_the_calls_in_flight() -> None:
    """It forgets the old maximum on reset_mock but keeps counting calls still running."""
    release, wait = gate()
    fetch = af.AsyncFake(name="fetch", side_effect=wait)

    async def calls(count: int) -> None:
        await asyncio.gather(*(fetch() for _ in range(count)))

    running = asyncio.create_task(calls(2))
    for _ in range(3):  # the task starts, then gather's tasks start
        await asyncio.sleep(0)
    assert af.max_concurrency(fetch) == 2
    release.set()
    await running
    release.clear()
    running = asyncio.create_task(calls(1))
    for _ in range(3):
        await asyncio.sleep(0)
    fetch.reset_mock()
    assert af.calls(fetch) == []
    assert af.max_concurrency(fetch) == 1
    release.set()
    await running
    assert af.max_concurrency(fetch) == 1


# --- wait_for_calls ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_wait_for_calls_returns_at_once_when_already_satisfied() -> None:
    """It returns the first `count` calls when they have already arrived."""
    notify = af.MagicFake(name="notify")
    notify(1)
    notify(2)
    notify(3)
    records = await af.wait_for_calls(notify, 2)
    assert [r.args for r in records] == [(1,), (2,)]
    records = await af.wait_for_calls(notify)
    assert [r.args for r in records] == [(1,)]


@pytest.mark.asyncio
async def test_wait_for_calls_wakes_when_another_task_calls() -> None:
    """It waits until another task has made the calls, then returns them."""
    notify = af.AsyncFake(name="notify", return_value=None)

    async def producer() -> None:
        for index in range(3):
            await asyncio.sleep(0.001)
            await notify(index)

    waiter = asyncio.create_task(af.wait_for_calls(notify, 3, timeout=5))
    early = asyncio.create_task(af.wait_for_calls(notify, 1))
    await asyncio.sleep(0)
    assert not waiter.done()
    await producer()
    records = await waiter
    assert [r.args for r in records] == [(0,), (1,), (2,)]
    assert [r.args for r in await early] == [(0,)]
    assert get_track(notify).waiters is None  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_wait_for_calls_timeout_lists_the_calls_that_arrived() -> None:
    """It raises TimeoutError naming the fake and listing each call that did arrive."""
    notify = af.AsyncFake(name="notify", return_value=None)
    first = line(1)
    await notify("a")
    second = line(1)
    await notify("b", urgent=True)
    with pytest.raises(TimeoutError) as info:
        await af.wait_for_calls(notify, 3, timeout=0.01)
    assert str(info.value) == (
        "wait_for_calls(notify, count=3) timed out after 0.01 s: 2 of 3 calls arrived.\n"
        f"  1. notify('a')  at {HERE}:{first}\n"
        f"  2. notify('b', urgent=True)  at {HERE}:{second}"
    )
    assert get_track(notify).waiters is None  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_wait_for_calls_timeout_with_no_call() -> None:
    """It says that none of the calls arrived when the fake was never called."""
    notify = af.AsyncFake(name="notify")
    with pytest.raises(TimeoutError) as info:
        await af.wait_for_calls(notify, timeout=0)
    assert str(info.value) == (
        "wait_for_calls(notify, count=1) timed out after 0 s: 0 of 1 call arrived."
    )


@pytest.mark.asyncio
async def test_wait_for_calls_rejects_a_bad_count_or_timeout() -> None:
    """It raises ValueError for a count below 1 and for a negative timeout."""
    notify = af.AsyncFake(name="notify")
    with pytest.raises(
        ValueError, match=r"^wait_for_calls\(notify, count=0\): count must be at least 1$"
    ):
        await af.wait_for_calls(notify, 0)
    with pytest.raises(
        ValueError,
        match=r"^wait_for_calls\(notify, timeout=-1\): timeout must not be negative$",
    ):
        await af.wait_for_calls(notify, 1, timeout=-1)


@pytest.mark.asyncio
async def test_wait_for_calls_is_woken_by_calls_from_another_thread() -> None:
    """It wakes the waiting task when the calls are recorded from another thread."""
    notify = af.MagicFake(name="notify")
    waiter = asyncio.create_task(af.wait_for_calls(notify, 2, timeout=5))
    await asyncio.sleep(0)

    def produce() -> None:
        notify(1)
        time.sleep(0.01)
        notify(2)

    thread = threading.Thread(target=produce)
    thread.start()
    records = await waiter
    thread.join()
    assert [r.args for r in records] == [(1,), (2,)]
    assert all(r.task_name is None for r in records)


@pytest.mark.asyncio
async def test_a_cancelled_waiter_leaves_nothing_behind() -> None:
    """It removes the waiter of a cancelled wait_for_calls, and later calls still record."""
    notify = af.AsyncFake(name="notify", return_value=None)
    waiter = asyncio.create_task(af.wait_for_calls(notify, 1))
    other = asyncio.create_task(af.wait_for_calls(notify, 2))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert [count for count, _ in get_track(notify).waiters] == [2]  # type: ignore[union-attr]
    await notify()
    await notify()
    assert len(await other) == 2
    assert get_track(notify).waiters is None  # type: ignore[union-attr]


def test_a_waiter_left_in_a_closed_loop_does_not_break_later_calls() -> None:
    """It keeps recording when a waiter was abandoned in an event loop that has since closed."""
    notify = af.AsyncFake(name="notify", return_value=None)
    abandoned: list[asyncio.Task[Any]] = []

    async def start_waiting() -> None:
        abandoned.append(asyncio.create_task(af.wait_for_calls(notify, 1)))
        await asyncio.sleep(0)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(start_waiting())
    loop.close()
    second = asyncio.new_event_loop()
    try:
        second.run_until_complete(notify("after"))
    finally:
        second.close()
    assert [r.args for r in af.calls(notify)] == [("after",)]
    assert get_track(notify).waiters is None  # type: ignore[union-attr]
    # The abandoned task is pending in a closed loop; let it go quietly.
    abandoned[0]._log_destroy_pending = False  # type: ignore[attr-defined]


# --- CallRecord.inside ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_inside_follows_enter_and_exit_context() -> None:
    """It records the contexts entered with enter_context, outermost first, until exited."""
    outer, inner = object(), object()
    ping = af.MagicFake(name="ping")
    enter_context(outer)
    ping(1)
    enter_context(inner)
    ping(2)
    exit_context(outer)  # out of order: the other stays
    ping(3)
    exit_context(object())  # never entered: nothing changes
    ping(4)
    exit_context(inner)
    ping(5)
    assert [r.inside for r in af.calls(ping)] == [
        (outer,),
        (outer, inner),
        (inner,),
        (inner,),
        (),
    ]


@pytest.mark.asyncio
async def test_a_call_inside_async_with_a_fake_is_inside_it() -> None:
    """It puts an AsyncFake used as `async with` in .inside for calls made in its body only."""
    conn = af.AsyncFake(name="conn")
    transaction = af.AsyncFake(name="transaction")
    await conn.execute("before")
    async with transaction:
        await conn.execute("in")
        async with conn:
            await conn.execute("nested")
    await conn.execute("after")
    assert [(r.args[0], r.inside) for r in af.calls(conn.execute)] == [
        ("before", ()),
        ("in", (transaction,)),
        ("nested", (transaction, conn)),
        ("after", ()),
    ]


@pytest.mark.asyncio
async def test_a_body_that_raises_still_leaves_the_context() -> None:
    """It leaves the fake context when the `async with` body raises."""
    transaction = af.AsyncFake(name="transaction")
    ping = af.MagicFake(name="ping")

    async def body() -> None:
        async with transaction:
            ping("in")
            raise KeyError("k")

    with pytest.raises(KeyError):
        await body()
    ping("after")
    assert [r.inside for r in af.calls(ping)] == [(transaction,), ()]


@pytest.mark.asyncio
async def test_concurrent_tasks_do_not_see_each_others_contexts() -> None:
    """It keeps each task's entered contexts to that task."""
    ping = af.MagicFake(name="ping")
    first, second = af.AsyncFake(name="first"), af.AsyncFake(name="second")
    ready: list[asyncio.Event] = [asyncio.Event(), asyncio.Event()]

    async def work(index: int, context: Any) -> None:
        async with context:
            ready[index].set()
            await ready[1 - index].wait()
            ping(index)
        ping(f"{index} out")

    await asyncio.gather(work(0, first), work(1, second))
    assert {r.args[0]: r.inside for r in af.calls(ping)} == {
        0: (first,),
        1: (second,),
        "0 out": (),
        "1 out": (),
    }


# --- bad input -----------------------------------------------------------------------------


def plain_function() -> None:
    """Not a fake."""


@pytest.mark.asyncio
async def test_the_core_functions_reject_what_is_not_a_fake() -> None:
    """It raises TypeError naming what was passed instead of a fake, and how to make one."""
    with pytest.raises(TypeError) as info:
        af.calls(plain_function)
    assert str(info.value) == (
        "calls() takes a fake, but got function 'plain_function'. "
        "Create one with af.fake(...), af.AsyncFake() or af.patch(...)."
    )
    with pytest.raises(TypeError) as info:
        af.max_concurrency(5)
    assert str(info.value) == (
        "max_concurrency() takes a fake, but got int 5. "
        "Create one with af.fake(...), af.AsyncFake() or af.patch(...)."
    )
    with pytest.raises(TypeError) as info:
        await af.wait_for_calls(af.Journal)
    assert str(info.value) == (
        "wait_for_calls() takes a fake, but got type 'Journal'. "
        "Create one with af.fake(...), af.AsyncFake() or af.patch(...)."
    )


def test_a_plain_mock_is_not_a_fake() -> None:
    """It rejects an AsyncMock: the standard mock records nothing in the core."""
    mock = AsyncMock()
    with pytest.raises(TypeError) as info:
        af.calls(mock)
    assert str(info.value) == (
        f"calls() takes a fake, but got AsyncMock {mock!r}. "
        "Create one with af.fake(...), af.AsyncFake() or af.patch(...)."
    )


class LongRepr:
    """An object with a repr too long for a message."""

    def __repr__(self) -> str:
        return "<" + "x" * 70 + ">"


def test_a_long_repr_is_shortened_in_the_message() -> None:
    """It cuts the repr of what was passed to 57 characters and an ellipsis."""
    with pytest.raises(TypeError) as info:
        af.calls(LongRepr())
    assert str(info.value) == (
        f"calls() takes a fake, but got LongRepr <{'x' * 56}.... "
        "Create one with af.fake(...), af.AsyncFake() or af.patch(...)."
    )


def test_get_track_finds_only_real_tracks() -> None:
    """It returns None for objects without a __dict__ or with something else under the track key."""

    class Impostor:
        _af_track = "not a track"

    impostor = Impostor()
    impostor.__dict__["_af_track"] = "not a track"
    assert get_track(5) is None
    assert get_track(impostor) is None
    assert get_track(object()) is None
    fake = af.MagicFake()
    assert isinstance(get_track(fake), Track)


# --- the core driven directly --------------------------------------------------------------


@pytest.mark.asyncio
async def test_run_awaited_records_result_deferred_and_exception() -> None:
    """It records what a resolver returns, awaits a Deferred, and records what it raises."""
    track = Track("direct")
    raw, awaitable = core_call(track, "plain")
    assert await awaitable == "plain"
    deferred_raw, awaitable = core_call(track, asyncio.sleep(0, "later"))
    assert await awaitable == "later"
    error = LookupError("nope")
    failed_raw, awaitable = core_call(track, error)
    with pytest.raises(LookupError):
        await awaitable
    records = [_recorder.view(r) for r in (raw, deferred_raw, failed_raw)]
    assert [(r.outcome, r.result, r.exception) for r in records] == [
        ("returned", "plain", None),
        ("returned", "later", None),
        ("raised", None, error),
    ]
    assert all(r.name == "direct" and r.target == "target" for r in records)
    assert [r.seq for r in records] == sorted(r.seq for r in records)
    assert track.in_flight == 0
    assert track.max_in_flight == 1


def test_a_track_renders_its_name_from_a_string_or_a_callable() -> None:
    """It uses a string name as is and calls a namer each time the name is needed."""
    names = iter(["first", "second"])
    track = Track(lambda: next(names))
    assert Track("fixed").name == "fixed"
    assert track.name == "first"
    assert track.name == "second"


def test_begin_finish_and_fail_keep_in_flight_balanced() -> None:
    """It counts a custom flow's calls in flight from begin_await until finish or fail."""
    track = Track("custom")
    frame = inspect.currentframe()
    assert frame is not None
    first = new_record(track, None, (), {}, frame)
    second = new_record(track, None, (), {}, frame)
    never_started = new_record(track, None, (), {}, frame)
    begin_await(first)
    begin_await(second)
    assert (track.in_flight, track.max_in_flight) == (2, 2)
    finish(first, "ok")
    fail(second, asyncio.CancelledError())
    fail(never_started, RuntimeError("x"))
    assert (track.in_flight, track.max_in_flight) == (0, 2)
    views = [_recorder.view(r) for r in (first, second, never_started)]
    assert [(v.awaited, v.outcome) for v in views] == [
        (True, "returned"),
        (True, "cancelled"),
        (False, "raised"),
    ]
    assert all(v.ended_at is not None and v.ended_at >= v.started_at for v in views)


@pytest.mark.asyncio
async def test_finish_and_fail_stamp_loop_time_inside_a_loop() -> None:
    """It stamps the end of a custom flow's call in the loop's time."""
    track = Track("custom")
    frame = inspect.currentframe()
    assert frame is not None
    loop = asyncio.get_running_loop()
    done, failed = new_record(track, None, (), {}, frame), new_record(track, None, (), {}, frame)
    before = loop.time()
    finish(done, 1)
    fail(failed, GeneratorExit())
    after = loop.time()
    assert before <= _recorder.view(done).ended_at <= after  # type: ignore[operator]
    assert _recorder.view(failed).outcome == "cancelled"


def test_line_of_maps_the_first_offset_of_each_line_to_that_line() -> None:
    """It maps an instruction at the very start of a line's range to that line."""

    def several_lines(value: int) -> int:
        doubled = value * 2
        tripled = value * 3
        return doubled + tripled

    code = several_lines.__code__
    ranges = [(start, line) for start, _end, line in code.co_lines() if line is not None]
    assert len({line for _start, line in ranges}) >= 3
    for start, line in ranges:
        assert _recorder._line_of(code, start) == line


def test_line_of_falls_back_to_the_first_line_for_an_unknown_offset() -> None:
    """It answers the code's first line when the offset is outside every line range."""
    code = plain_function.__code__
    assert _recorder._line_of(code, 10**6) == code.co_firstlineno


def test_records_read_in_seq_order_even_if_appended_out_of_order() -> None:
    """It lists records by seq whatever order they were appended in (threads race to append)."""
    ping = af.MagicFake(name="ping")
    ping(1)
    ping(2)
    track = get_track(ping)
    assert track is not None
    track.records.reverse()
    assert [r.args for r in af.calls(ping)] == [(1,), (2,)]
    journal = Journal()
    journal._calls = list(track.records)
    assert [r.args for r in journal.calls] == [(1,), (2,)]


# --- threads -------------------------------------------------------------------------------


def test_calls_from_eight_threads_lose_and_duplicate_nothing(private_journal: Journal) -> None:
    """It records 8 threads x 2,000 sync calls exactly once each, journal in seq order."""
    ping = af.MagicFake(name="ping", return_value=None)
    threads_count, per_thread = 8, 2_000
    start = threading.Barrier(threads_count)

    def work(thread: int) -> None:
        start.wait()
        for index in range(per_thread):
            ping(thread, index)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    total = threads_count * per_thread
    records = af.calls(ping)
    assert len(records) == total
    assert len(private_journal) == total
    assert ping.call_count == total
    assert {r.args for r in records} == {
        (t, i) for t in range(threads_count) for i in range(per_thread)
    }
    seqs = [r.seq for r in private_journal.calls]
    assert len(set(seqs)) == total
    assert seqs == sorted(seqs)
    assert [r.seq for r in records] == seqs
    for number in range(threads_count):
        mine = [r.args[1] for r in records if r.args[0] == number]
        assert mine == list(range(per_thread))


# --- waiter and journal-stack corner cases -------------------------------------------------


@pytest.mark.asyncio
async def test_a_call_racing_a_waiter_cancellation_drops_the_waiter() -> None:
    """It drops a cancelled waiter when a call arrives before the waiter's task cleans up."""
    notify = af.MagicFake(name="notify")
    waiter = asyncio.create_task(af.wait_for_calls(notify, 2))
    await asyncio.sleep(0)
    waiter.cancel()  # cancels its future now; the task cleans up on its next step
    notify(1)
    assert get_track(notify).waiters is None  # type: ignore[union-attr]
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert get_track(notify).waiters is None  # type: ignore[union-attr]


def test_notify_without_waiters_does_nothing() -> None:
    """It returns at once when another thread removed the last waiter meanwhile."""
    track = Track("quiet")
    track.notify()
    assert track.waiters is None


@pytest.mark.asyncio
async def test_a_wake_up_from_another_thread_skips_a_future_already_done() -> None:
    """It leaves a waiter's future alone when it was cancelled before the wake-up ran."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    thread = threading.Thread(target=_recorder._resolve, args=(future,))
    thread.start()
    thread.join()
    future.cancel()
    await asyncio.sleep(0)
    assert future.cancelled()


def test_a_new_maximum_is_kept_only_when_exceeded() -> None:
    """It keeps the maximum in flight when later calls run fewer at once."""
    track = Track("custom")
    frame = inspect.currentframe()
    assert frame is not None
    first, second = new_record(track, None, (), {}, frame), new_record(track, None, (), {}, frame)
    begin_await(first)
    begin_await(second)
    finish(first, None)
    finish(second, None)
    third = new_record(track, None, (), {}, frame)
    begin_await(third)
    assert (track.in_flight, track.max_in_flight) == (1, 2)
    finish(third, None)


def test_deactivating_an_outer_journal_keeps_the_inner_one_active() -> None:
    """It removes a journal from the middle of the stack and keeps the innermost active."""
    outer, inner = Journal(), Journal()
    activate(outer)
    activate(inner)
    try:
        deactivate(outer)
        assert af.journal() is inner
    finally:
        deactivate(inner)
    assert af.journal() is not inner
