"""Under trio: what a cancelled call is recorded as (trio's `Cancelled` is not asyncio's)."""

from __future__ import annotations

import trio
import trio.testing

import asyncfakes as af


def run(main: object) -> None:
    """Run `main` under trio, its sleeps jumping ahead at once."""
    trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))  # type: ignore[arg-type]


def test_an_awaited_call_cancelled_by_trio_is_recorded_as_cancelled() -> None:
    """A fake call that trio cancels ends "cancelled", with trio's Cancelled as its exception."""
    fetch = af.AsyncFake(name="fetch")
    af.when(fetch).hangs()
    flaky = af.flaky.hanging(name="flaky")

    async def main() -> None:
        with trio.move_on_after(1):
            await fetch("https://a")
        with trio.move_on_after(1):
            await flaky()

    run(main)
    for fake in (fetch, flaky):
        (call,) = af.calls(fake)
        assert call.outcome == "cancelled"
        assert isinstance(call.exception, trio.Cancelled)


def test_an_iteration_cancelled_by_trio_is_cancelled_and_closed() -> None:
    """A fake iteration that trio cancels mid-way is recorded as cancelled and closes the iterator."""
    rows = af.async_iter([1, 2, 3], delay=1, name="rows")
    seen: list[int] = []

    async def main() -> None:
        with trio.move_on_after(1.5):
            async for row in rows:
                seen.append(row)

    run(main)
    (iteration,) = af.calls(rows)
    assert (seen, iteration.outcome, iteration.result, rows.closed) == ([1], "cancelled", [1], True)


def test_a_failing_call_under_trio_is_still_raised() -> None:
    """An exception that is not a cancellation is "raised", under trio too."""
    fetch = af.AsyncFake(name="fetch", side_effect=ConnectionError("down"))

    async def main() -> None:
        try:
            await fetch()
        except ConnectionError:
            pass

    run(main)
    assert af.calls(fetch)[0].outcome == "raised"


def test_wait_for_calls_says_it_needs_asyncio() -> None:
    """wait_for_calls() under trio fails at once, saying why and what to use instead."""
    fetch = af.AsyncFake(name="fetch")
    failures: list[str] = []

    async def main() -> None:
        try:
            await af.wait_for_calls(fetch, 1, timeout=1)
        except RuntimeError as error:
            failures.append(str(error))

    run(main)
    assert failures == [
        "wait_for_calls(fetch, 1) waits in a running asyncio event loop, and there is none "
        "here (under trio, wait with a trio.Event the fake sets, for instance through its "
        "side_effect)"
    ]
