"""af.Sandbox: one journal, ownership of patches and spies, undo on exit, then the exit checks."""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import asyncfakes as af
from _sites import here


class Mailer:
    """The code under test talks to this."""

    async def send(self, to: str) -> str:
        return f"sent to {to}"

    def sign(self, text: str) -> str:
        return f"{text} --"


UNAWAITED_TAIL = (
    "Await each call (or pass it to asyncio.create_task); "
    "the never-awaited coroutines have been closed."
)


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    af.patch.stopall()


def test_the_journal_is_active_while_entered() -> None:
    """It makes its journal the active one while entered, and records there."""
    outside = af.journal()
    with af.Sandbox() as sb:
        assert af.journal() is sb.journal
        ping = af.MagicFake(name="ping")
        ping()
    assert af.journal() is outside
    assert [record.describe() for record in sb.journal.calls] == ["ping()"]


def test_patches_and_spies_made_through_it_are_undone_on_exit() -> None:
    """It returns started replacements (like mocker.patch) and undoes everything on exit."""
    settings = {"mode": "prod"}
    original_send, original_sign = vars(Mailer)["send"], vars(Mailer)["sign"]
    with af.Sandbox() as sb:
        send = sb.patch.object(Mailer, "send")
        assert Mailer.send is send
        assert isinstance(send, af.AsyncFake)
        dumps = sb.patch("json.dumps", new=repr)
        assert json.dumps is dumps is repr
        assert sb.patch.dict(settings, mode="test") is settings
        sign = sb.spy(Mailer, "sign")
        assert Mailer().sign("hi") == "hi --"
        assert settings == {"mode": "test"}
    assert vars(Mailer)["send"] is original_send
    assert vars(Mailer)["sign"] is original_sign
    assert json.dumps([1]) == "[1]"
    assert settings == {"mode": "prod"}
    af.verify(sign).called_once_with("hi")


async def test_fake_makes_a_spec_d_fake_whose_calls_are_checked_on_exit() -> None:
    """It builds af.fake() fakes; a call of one never awaited fails the exit."""

    def forget() -> None:
        with af.Sandbox() as sb:
            mailer = sb.fake(Mailer)
            af.when(mailer.send).returns("queued")
            mailer.send("ada")

    with pytest.raises(af.VerificationError, match=r"Mailer.send\('ada'\)  at "):
        forget()


def test_stopall_leaves_the_sandbox_s_patches_alone() -> None:
    """It owns its patches: af.patch.stopall() does not undo them."""
    with af.Sandbox() as sb:
        send = sb.patch.object(Mailer, "send")
        af.patch.stopall()
        assert Mailer.send is send
    assert Mailer.send is not send


async def test_a_never_awaited_call_fails_the_exit_with_its_site() -> None:
    """It raises VerificationError naming the forgotten call and its file:line, and closes it."""
    sites: list[str] = []

    def forget() -> None:
        with af.Sandbox() as sb:
            sb.patch.object(Mailer, "send")
            sites.append(here(1))
            Mailer().send("ada@example.com")

    with pytest.raises(af.VerificationError) as info:
        forget()
    assert str(info.value) == (
        "1 call to an async fake was never awaited (a missing `await`?):\n"
        f"  1. Mailer.send('ada@example.com')  at {sites[0]}\n" + UNAWAITED_TAIL
    )


async def test_a_coroutine_closed_before_it_started_is_not_reported() -> None:
    """It does not report a call whose coroutine was discarded (a task cancelled before it ran)."""
    async with af.Sandbox() as sb:
        send = sb.patch.object(Mailer, "send")
        task = asyncio.create_task(Mailer().send("ada@example.com"))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert af.calls(send)[0].outcome == "cancelled"


async def test_an_unreleased_pool_connection_fails_the_exit() -> None:
    """It runs the pool's leak check: LeakError naming the connection and where it was acquired."""

    async def leak() -> af.FakePool[Any]:
        async with af.Sandbox() as sb:
            pool = sb.pool(size=2, name="db")
            await pool.acquire()
        return pool

    with pytest.raises(af.LeakError) as info:
        await leak()
    held = str(info.value).splitlines()
    assert held[0] == "1 resource was not released, closed or finished when the sandbox exited:"
    assert held[1] == "  1. db: 1 connection acquired and never released:"
    assert held[2].startswith(f"       1. connection #1 acquired at {os.path.relpath(__file__)}:")
    assert held[3] == (
        "     Release each one with `await db.release(conn)`, or acquire it with "
        "`async with db.acquire() as conn:`."
    )


async def test_a_resource_made_elsewhere_but_used_inside_is_checked_too() -> None:
    """It checks every target of a call recorded in its journal, not only what it built."""
    events = af.async_iter([1, 2], name="shared")
    iterator = aiter(events)
    with pytest.raises(af.LeakError, match=r"shared: the iteration started at "):
        async with af.Sandbox():
            await anext(iterator)
    await iterator.aclose()


async def test_an_iterator_started_and_left_open_fails_the_exit() -> None:
    """It reports an iteration that started and was neither exhausted nor closed, with its site."""
    kept: list[AsyncIterator[int]] = []
    sites: list[str] = []

    async def leave_open() -> None:
        async with af.Sandbox() as sb:
            events = sb.async_iter([1, 2, 3], name="events")
            iterator = aiter(events)
            kept.append(iterator)
            sites.append(here(1))
            await anext(iterator)

    with pytest.raises(af.LeakError) as info:
        await leave_open()
    assert str(info.value) == (
        "1 resource was not released, closed or finished when the sandbox exited:\n"
        f"  1. events: the iteration started at {sites[0]} was neither exhausted nor closed. "
        "Iterate it to the end, or close it (`await it.aclose()`, "
        "`async with contextlib.aclosing(it)`)."
    )


def test_an_iteration_the_event_loop_closed_at_shutdown_still_fails_the_exit() -> None:
    """It reports an iteration left open that only the loop's shutdown closed, before the check."""
    kept: list[AsyncIterator[bytes]] = []
    sites: list[str] = []

    async def read_one(body: af.FakeStream[bytes]) -> None:
        iterator = aiter(body)
        kept.append(iterator)
        sites.append(here(1))
        await anext(iterator)

    sandbox = af.Sandbox().__enter__()
    body = sandbox.stream([b"a", b"b"], name="body")
    asyncio.run(read_one(body))  # closes the loop: its shutdown closes the iteration
    assert body.closed
    with pytest.raises(af.LeakError) as info:
        sandbox.close()
    assert str(info.value) == (
        "1 resource was not released, closed or finished when the sandbox exited:\n"
        f"  1. body: the iteration started at {sites[0]} was neither exhausted nor closed "
        "(the event loop closed it as it shut down, after the test). "
        "Iterate it to the end, or close it (`await it.aclose()`, "
        "`async with contextlib.aclosing(it)`)."
    )


def test_an_iteration_closed_by_its_consumer_before_the_loop_shuts_down_passes() -> None:
    """It accepts an iteration the code closed itself, even when the loop shuts down later."""
    kept: list[AsyncIterator[int]] = []

    async def read_and_close(events: af.FakeAsyncIterator[int]) -> None:
        iterator = aiter(events)
        kept.append(iterator)
        await anext(iterator)
        await events.aclose()

    with af.Sandbox() as sb:
        asyncio.run(read_and_close(sb.async_iter([1, 2], name="events")))


async def test_iterators_exhausted_closed_or_abandoned_pass() -> None:
    """It accepts iterations that ended, were closed, or were dropped by their consumer."""
    async with af.Sandbox() as sb:
        chunks = sb.stream([b"a", b"b"])
        assert [chunk async for chunk in chunks] == [b"a", b"b"]
        events = af.async_iter([1, 2, 3])
        iterator = aiter(events)
        await anext(iterator)
        await iterator.aclose()
        async for _ in af.async_iter([1, 2]):
            break


async def test_a_task_left_pending_fails_the_exit_when_asked_and_is_cancelled() -> None:
    """It reports (check_tasks=True) a task the block started and left running, and cancels it."""
    started: list[asyncio.Task[None]] = []

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(3600)

    async def leave_running() -> None:
        async with af.Sandbox(check_tasks=True):
            started.append(asyncio.create_task(heartbeat(), name="heartbeat"))
            await asyncio.sleep(0)

    with pytest.raises(af.LeakError) as info:
        await leave_running()
    line = inspect.getsourcelines(heartbeat)[1] + 2
    assert str(info.value) == (
        "1 resource was not released, closed or finished when the sandbox exited:\n"
        "  1. task 'heartbeat' running test_a_task_left_pending_fails_the_exit_when_asked_and_is"
        "_cancelled.<locals>.heartbeat() (waiting at "
        f"{os.path.relpath(__file__)}:{line}) was still pending (the sandbox cancelled it). "
        "Await or cancel every task the test starts."
    )
    assert started[0].cancelled()


async def test_tasks_that_existed_before_or_finished_are_not_reported() -> None:
    """It reports only tasks started inside it and still pending."""
    before = asyncio.create_task(asyncio.sleep(3600))
    async with af.Sandbox(check_tasks=True):
        await asyncio.create_task(asyncio.sleep(0))
    before.cancel()


def test_the_task_check_needs_a_running_loop() -> None:
    """It refuses check_tasks=True outside a running event loop."""
    with pytest.raises(RuntimeError) as info, af.Sandbox(check_tasks=True):
        pass
    assert str(info.value) == (
        "Sandbox(check_tasks=True) needs a running asyncio event loop: enter it with "
        "`async with af.Sandbox(check_tasks=True):` inside the async test."
    )


async def test_leaks_and_forgotten_awaits_are_reported_together() -> None:
    """It lists leaks and, below them, the never-awaited calls, in one LeakError."""

    async def both() -> None:
        async with af.Sandbox() as sb:
            sb.patch.object(Mailer, "send")
            pool = sb.pool(name="db")
            await pool.acquire()
            Mailer().send("x")

    with pytest.raises(af.LeakError) as info:
        await both()
    text = str(info.value)
    assert "db: 1 connection acquired and never released" in text
    assert text.endswith(UNAWAITED_TAIL)
    assert "1 call to an async fake was never awaited" in text


def test_an_exception_in_the_block_undoes_everything_and_skips_the_checks() -> None:
    """It undoes the patches and closes forgotten coroutines, and lets the exception through."""
    fakes: list[af.AsyncFake] = []

    def fail_with_a_forgotten_await() -> None:
        with af.Sandbox() as sb:
            fakes.append(sb.patch.object(Mailer, "send"))
            Mailer().send("never awaited")
            raise KeyError("boom")

    with pytest.raises(KeyError, match=r"^'boom'$"):
        fail_with_a_forgotten_await()
    (send,) = fakes
    assert Mailer.send is not send
    assert af.calls(send)[0].awaited is False


def test_close_without_checks() -> None:
    """It undoes and closes without checking when asked (the fixture does after a failed test)."""
    sb = af.Sandbox().__enter__()
    sb.patch.object(Mailer, "send")
    Mailer().send("never awaited")
    sb.close(check=False)
    assert not sb.is_open
    assert inspect.iscoroutinefunction(Mailer.send)


def test_the_exit_check_reads_its_own_journal_when_another_sandbox_is_open() -> None:
    """It checks its own calls even when a sandbox entered after it is still open."""
    outer = af.Sandbox().__enter__()
    send = outer.patch.object(Mailer, "send")
    Mailer().send("outer")
    inner = af.Sandbox().__enter__()
    with pytest.raises(af.VerificationError, match=r"Mailer.send\('outer'\)"):
        outer.close()
    assert af.journal() is inner.journal
    inner.close()
    assert af.calls(send)[0].awaited is False


def test_own_checks_objects_that_follow_the_leak_protocol() -> None:
    """It asks owned objects' `_af_leak_check()` and includes what they report."""

    class Lock:
        held = True

        def _af_leak_check(self) -> None:
            if self.held:
                raise af.LeakError("lock 'jobs' acquired at app.py:3 and never released")

    lock = Lock()
    with pytest.raises(af.LeakError) as info, af.Sandbox() as sb:
        assert sb.own(lock) is lock
    assert str(info.value) == (
        "1 resource was not released, closed or finished when the sandbox exited:\n"
        "  1. lock 'jobs' acquired at app.py:3 and never released"
    )
    lock.held = False
    with af.Sandbox() as sb:
        sb.own(lock)


def test_fakes_in_the_journal_are_not_asked_for_leaks() -> None:
    """It never asks a mock for the leak protocol (a mock would invent the method)."""
    fake = af.MagicFake(name="ping")
    with af.Sandbox():
        fake()
    assert "_af_leak_check" not in fake._mock_children
    assert "assert_all_released" not in fake._mock_children


# -- misuse ---------------------------------------------------------------------


EXITED = (
    "this Sandbox has exited: its patches were undone and its checks ran. Make a new "
    "af.Sandbox() (in pytest, use the `fakes` fixture of the running test)."
)


@pytest.mark.parametrize(
    ("verb", "use"),
    [
        ("patch", lambda sb: sb.patch("json.dumps")),
        ("patch.object", lambda sb: sb.patch.object(json, "dumps")),
        ("patch.dict", lambda sb: sb.patch.dict({}, a=1)),
        ("spy", lambda sb: sb.spy(json, "dumps")),
        ("own", lambda sb: sb.own(object())),
        ("fake", lambda sb: sb.fake(Mailer)),
        ("pool", lambda sb: sb.pool),
        ("async_iter", lambda sb: sb.async_iter([1])),
        ("close", lambda sb: sb.close()),
        ("__enter__", lambda sb: sb.__enter__()),
    ],
)
def test_a_sandbox_used_after_exit(verb: str, use: Any) -> None:
    """It refuses every use after exit, naming what was used and what to do."""
    with af.Sandbox() as sb:
        pass
    with pytest.raises(RuntimeError) as info:
        use(sb)
    assert str(info.value) == f"Sandbox.{verb}(): {EXITED}"


def test_a_sandbox_used_before_it_is_entered() -> None:
    """It refuses to be used before `with`."""
    with pytest.raises(RuntimeError) as info:
        af.Sandbox().patch("json.dumps")
    assert str(info.value) == (
        "Sandbox.patch(): this Sandbox is not entered yet. "
        "Use it as `with af.Sandbox() as sb:` (or `async with`)."
    )


def test_a_sandbox_entered_twice() -> None:
    """It refuses to be entered while it is entered."""
    with af.Sandbox() as sb, pytest.raises(RuntimeError) as info:
        sb.__enter__()
    assert str(info.value) == (
        "Sandbox.__enter__(): this Sandbox is already entered; a sandbox is entered once."
    )


def test_repr() -> None:
    """It shows its state, how many patches and spies it will undo, and the calls recorded."""
    with af.Sandbox() as sb:
        sb.patch.object(Mailer, "sign")
        assert repr(sb) == "<Sandbox open: 1 to undo, 0 calls>"
    assert repr(sb) == "<Sandbox closed: 0 to undo, 0 calls>"


RULE_TAIL = (
    "was started but has no outcome (it would be ignored). End it with an outcome "
    "(use .returns(...) to set what awaiting it gives), or delete it."
)


async def test_a_rule_left_without_an_outcome_fails_the_exit_with_its_site() -> None:
    """A rule on a fake not called again is reported on exit, site and fix included."""
    sites: list[str] = []

    async def forget() -> None:
        async with af.Sandbox():
            fetch = af.AsyncFake(name="fetch")
            sites.append(here(1))
            af.when(fetch).called_with("a")

    with pytest.raises(af.VerificationError) as info:
        await forget()
    assert str(info.value) == (
        "1 when() rule was left without an outcome when the sandbox exited:\n"
        f"  1. af.when(fetch).called_with('a') at {sites[0]} {RULE_TAIL}"
    )


async def test_a_swallowed_refusal_is_still_reported_and_the_fake_answers_afterwards() -> None:
    """The refusal the code under test caught is reported on exit; then the rules are forgotten."""
    sites: list[str] = []
    fetch = af.AsyncFake(name="fetch", return_value="plain")
    refusals: list[BaseException] = []

    async def swallow() -> None:
        async with af.Sandbox():
            sites.append(here(1))
            af.when(fetch).called_with("a")
            sites.append(here(1))
            af.when(af.AsyncFake(name="other")).called_with(1)
            gc.collect()  # a fake no longer referenced: its rule is still reported
            try:
                await fetch("b")
            except af.SpecError as refusal:  # the code under test swallows it
                refusals.append(refusal)

    with pytest.raises(af.VerificationError) as info:
        await swallow()
    assert [type(refusal).__name__ for refusal in refusals] == ["SpecTypeError"]
    assert str(info.value) == (
        "2 when() rules were left without an outcome when the sandbox exited:\n"
        f"  1. af.when(fetch).called_with('a') at {sites[0]} {RULE_TAIL}\n"
        f"  2. af.when(other).called_with(1) at {sites[1]} {RULE_TAIL}"
    )
    assert await fetch("a") == "plain"


async def test_a_failed_block_forgets_incomplete_rules_without_reporting_them() -> None:
    """When the block raised, the exception is what you see, and the fake answers again."""
    fetch = af.AsyncFake(name="fetch", return_value="plain")

    async def fail() -> None:
        async with af.Sandbox():
            af.when(fetch).called_with("a")
            raise KeyError("the test's own failure")

    with pytest.raises(KeyError):
        await fail()
    assert await fetch("a") == "plain"


async def test_incomplete_rules_are_listed_after_the_leaks() -> None:
    """With a leak too, one LeakError lists the leak, then the rules."""
    sites: list[str] = []

    async def leak() -> None:
        async with af.Sandbox() as sb:
            db = sb.pool(size=1, name="db")
            sites.append(here(1))
            await db.acquire()
            sites.append(here(1))
            af.when(af.AsyncFake(name="fetch")).called_with()

    with pytest.raises(af.LeakError) as info:
        await leak()
    text = str(info.value)
    assert text.startswith("1 resource was not released, closed or finished when the sandbox")
    assert text.endswith(
        "1 when() rule was left without an outcome when the sandbox exited:\n"
        f"  1. af.when(fetch).called_with() at {sites[1]} {RULE_TAIL}"
    )
    assert f"acquired at {sites[0]}" in text


async def test_a_rule_started_before_the_sandbox_is_not_its_to_report() -> None:
    """Only rules started inside the sandbox are reported and forgotten on its exit."""
    fetch = af.AsyncFake(name="fetch")
    outside = af.when(fetch).called_with("outside")
    async with af.Sandbox():
        pass
    with pytest.raises(af.SpecError, match=r"^fetch\('x'\): a rule of fetch was started"):
        await fetch("x")  # still refused: the rule is still there
    async with af.Sandbox() as sb:
        assert sb.is_open
    with pytest.raises(af.VerificationError, match=r"^1 when\(\) rule was left"):
        with af.Sandbox():
            af.when(fetch).called_with("inside")
    with pytest.raises(af.SpecError):
        await fetch("x")
    outside.returns("done")
    assert await fetch("outside") == "done"
