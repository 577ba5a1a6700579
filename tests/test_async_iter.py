"""af.async_iter(): items, re-iteration, laziness, delays, errors, closing and recording."""

from __future__ import annotations

import asyncio
import collections.abc
import gc
import time
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

import anyio
import pytest

import asyncfakes as af
from _sites import here
from asyncfakes._iter import describe_value

T = TypeVar("T")


async def drain(iterator: AsyncIterator[T], into: list[T] | None = None) -> None:
    """Pull every item of `iterator` (into `into`)."""
    async for item in iterator:
        if into is not None:
            into.append(item)


async def test_yields_the_items_in_order() -> None:
    """It yields the given items in order and counts what was pulled."""
    numbers = af.async_iter([1, 2, 3])
    assert [n async for n in numbers] == [1, 2, 3]
    assert (numbers.consumed, numbers.iterations, numbers.closed) == (3, 1, False)


async def test_each_async_for_starts_over() -> None:
    """It is re-iterable: every `async for` starts from the first item."""
    letters = af.async_iter("ab")
    assert [x async for x in letters] == ["a", "b"]
    assert [x async for x in letters] == ["a", "b"]
    assert (letters.iterations, letters.consumed) == (2, 4)


async def test_each_iteration_is_one_recorded_call() -> None:
    """It records each iteration as one awaited call whose result is the items yielded."""
    rows = af.async_iter([{"id": 1}, {"id": 2}], name="rows")
    line = here(1)
    async for _ in rows:  # the iteration starts here
        pass
    (record,) = af.calls(rows)
    assert record.name == "rows"
    assert record.awaited is True
    assert record.outcome == "returned"
    assert record.result == [{"id": 1}, {"id": 2}]
    assert record.site == line
    assert record.target is rows
    assert record.ended_at is not None
    assert record.ended_at >= record.started_at


async def test_iterations_land_in_the_journal() -> None:
    """Its iterations are calls of the journal, in order with other fakes' calls."""
    af.journal().clear()
    items = af.async_iter([1])
    ping = af.AsyncFake(name="ping")
    await ping()
    _ = [x async for x in items]
    assert [record.name for record in af.journal().calls] == ["ping", "async_iter"]


async def test_the_items_of_a_generator_are_pulled_lazily() -> None:
    """It pulls one item of a generator per step and never copies the generator."""
    pulled: list[int] = []

    def produce() -> Iterator[int]:
        for number in range(5):
            pulled.append(number)
            yield number

    numbers = af.async_iter(produce())
    iteration = numbers.__aiter__()
    assert await iteration.__anext__() == 0
    assert await iteration.__anext__() == 1
    assert pulled == [0, 1]
    await iteration.aclose()


async def test_a_one_shot_source_continues_in_the_next_iteration() -> None:
    """A generator source is shared: the next iteration continues where the last stopped."""
    numbers = af.async_iter(iter(range(5)))
    async for number in numbers:
        if number == 1:
            break
    assert [n async for n in numbers] == [2, 3, 4]
    assert [n async for n in numbers] == []


async def test_delay_is_slept_before_every_item_in_loop_time() -> None:
    """It sleeps `delay` seconds of loop time before every item."""
    loop = asyncio.get_running_loop()
    ticks = af.async_iter(["a", "b"], delay=0.02)
    start = loop.time()
    times = [loop.time() - start async for _ in ticks]
    assert times[0] >= 0.02
    assert times[1] >= 0.04


async def test_delays_are_instant_under_virtual_time() -> None:
    """Under virtual time its delays take no wall time and add up in loop time."""
    ticks = af.async_iter(range(3), delay=10)
    loop = asyncio.get_running_loop()
    wall = time.monotonic()
    async with af.virtual_time():
        start = loop.time()
        assert [n async for n in ticks] == [0, 1, 2]
        assert loop.time() - start == pytest.approx(30)
    assert time.monotonic() - wall < 5


async def test_raises_after_the_items() -> None:
    """`.raises(exc)` ends each iteration with `exc` after the items, recorded as raised."""
    error = ConnectionResetError("peer gone")
    events = af.async_iter(["a", "b"]).raises(error)
    seen: list[str] = []
    with pytest.raises(ConnectionResetError, match=r"^peer gone$"):
        await drain(events, seen)
    assert seen == ["a", "b"]
    (record,) = af.calls(events)
    assert (record.outcome, record.exception, record.result) == ("raised", error, ["a", "b"])
    assert events.closed is False


async def test_raises_an_exception_class_as_a_new_instance_each_time() -> None:
    """`.raises(SomeError)` raises a fresh instance in every iteration."""
    empty = af.async_iter([]).raises(EOFError)
    errors = []
    for _ in range(2):
        with pytest.raises(EOFError) as caught:
            await drain(empty)
        errors.append(caught.value)
    assert errors[0] is not errors[1]


async def test_break_closes_the_iteration_at_once() -> None:
    """An iteration left by `break` is recorded as closed right away, with what it yielded."""
    numbers = af.async_iter([1, 2, 3])
    async for number in numbers:
        if number == 2:
            break
    assert numbers.closed is True
    (record,) = af.calls(numbers)
    assert record.outcome == "cancelled"
    assert isinstance(record.exception, GeneratorExit)
    assert record.result == [1, 2]
    assert numbers.active == 0


async def test_an_exception_in_the_consumer_closes_the_iteration() -> None:
    """An iteration abandoned by an exception in the loop body is recorded as closed."""
    numbers = af.async_iter([1, 2, 3])

    async def divide() -> None:
        async for number in numbers:
            _ = number / 0

    with pytest.raises(ZeroDivisionError):
        await divide()
    assert numbers.closed is True
    assert af.calls(numbers)[0].outcome == "cancelled"


async def test_cancelling_the_consumer_during_a_delay_is_recorded() -> None:
    """A consumer cancelled while the iterator sleeps leaves a cancelled record."""
    slow = af.async_iter([1, 2], delay=10)
    seen: list[int] = []

    async def consume() -> None:
        async for number in slow:
            seen.append(number)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (record,) = af.calls(slow)
    assert record.outcome == "cancelled"
    assert isinstance(record.exception, asyncio.CancelledError)
    assert (seen, slow.closed, slow.consumed) == ([], True, 0)


async def test_cancelling_the_consumer_in_its_body_closes_the_iteration() -> None:
    """A consumer cancelled in its own body (between items) leaves the iteration closed."""
    numbers = af.async_iter([1, 2, 3])
    started = asyncio.Event()

    async def consume() -> None:
        async for _ in numbers:
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(consume())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    del task
    gc.collect()
    assert numbers.closed is True
    (record,) = af.calls(numbers)
    assert (record.outcome, record.result) == ("cancelled", [1])


def test_an_iteration_left_open_is_closed_when_the_loop_shuts_down() -> None:
    """asyncio.run() closes a suspended iteration (async generator hooks), which is recorded."""
    numbers = af.async_iter([1, 2, 3])
    kept = []

    async def main() -> None:
        iteration = numbers.__aiter__()
        kept.append(iteration)
        await iteration.__anext__()

    asyncio.run(main())
    assert numbers.closed is True
    assert af.calls(numbers)[0].outcome == "cancelled"


async def test_anext_and_asend_drive_one_round() -> None:
    """Direct `__anext__`/`asend` pulls drive one round, which ends with StopAsyncIteration."""
    numbers = af.async_iter([1, 2])
    assert await numbers.__anext__() == 1
    assert await numbers.asend(None) == 2
    with pytest.raises(StopAsyncIteration):
        await anext(numbers)
    assert [r.outcome for r in af.calls(numbers)] == ["returned"]
    assert await anext(numbers) == 1  # a new round
    assert numbers.iterations == 2


async def test_async_for_continues_a_round_started_by_anext() -> None:
    """`async for` after direct pulls continues the round, as on an async generator object."""
    numbers = af.async_iter([1, 2, 3])
    first = await anext(numbers)
    rest = [n async for n in numbers]
    assert (first, rest, numbers.iterations) == (1, [2, 3], 1)


async def test_athrow_raises_where_the_round_stands() -> None:
    """`athrow(exc)` raises `exc` at the current item and records the round as raised."""
    numbers = af.async_iter([1, 2, 3])
    await anext(numbers)
    with pytest.raises(ValueError, match=r"^stop$"):
        await numbers.athrow(ValueError("stop"))
    (record,) = af.calls(numbers)
    assert (record.outcome, record.result) == ("raised", [1])
    assert numbers.closed is False


async def test_athrow_accepts_an_exception_class() -> None:
    """`athrow(SomeError)` works like on an async generator."""
    numbers = af.async_iter([1])
    await anext(numbers)
    with pytest.raises(KeyError):
        await numbers.athrow(KeyError)


async def test_aclose_closes_the_round() -> None:
    """`aclose()` closes the current round: recorded as cancelled, `closed` is True."""
    numbers = af.async_iter([1, 2, 3])
    await anext(numbers)
    await numbers.aclose()
    assert numbers.closed is True
    (record,) = af.calls(numbers)
    assert (record.outcome, record.result) == ("cancelled", [1])
    assert isinstance(record.exception, GeneratorExit)


async def test_aclose_closes_iterations_running_elsewhere() -> None:
    """`aclose()` also closes an `async for` iteration suspended in another task."""
    numbers = af.async_iter([1, 2, 3])
    inside = asyncio.Event()

    async def consume() -> list[int]:
        seen = []
        async for number in numbers:
            seen.append(number)
            inside.set()
            await asyncio.sleep(0.01)
        return seen

    task = asyncio.create_task(consume())
    await inside.wait()
    await numbers.aclose()
    assert await task == [1]
    assert af.calls(numbers)[0].outcome == "cancelled"


async def test_aclose_of_a_fresh_iterator_only_marks_it_closed() -> None:
    """`aclose()` before any iteration records nothing and sets `closed`."""
    numbers = af.async_iter([1])
    await numbers.aclose()
    assert (numbers.closed, af.calls(numbers)) == (True, [])


async def test_it_is_an_async_generator_for_isinstance() -> None:
    """It passes for `collections.abc.AsyncGenerator`, and its iterations are async generators."""
    numbers = af.async_iter([1])
    assert isinstance(numbers, collections.abc.AsyncGenerator)
    iteration = numbers.__aiter__()
    assert isinstance(iteration, collections.abc.AsyncGenerator)
    await iteration.aclose()


async def test_concurrent_iterations_are_independent() -> None:
    """Two tasks iterating at once each get every item, and both are in flight together."""
    numbers = af.async_iter([1, 2, 3], delay=0.001)

    async def collect() -> list[int]:
        return [n async for n in numbers]

    first, second = await asyncio.gather(collect(), collect())
    assert first == second == [1, 2, 3]
    assert af.max_concurrency(numbers) == 2
    assert numbers.consumed == 6


def test_delays_use_trio_sleep_under_trio() -> None:
    """Under trio (here through anyio) its delays sleep in trio's time."""
    numbers = af.async_iter([1, 2], delay=0.001)

    async def main() -> list[int]:
        return [n async for n in numbers]

    assert anyio.run(main, backend="trio") == [1, 2]
    assert af.calls(numbers)[0].outcome == "returned"


def test_repr_shows_the_state() -> None:
    """Its repr shows the name, what was consumed and whether it was closed."""
    numbers = af.async_iter([1], name="numbers")
    assert repr(numbers) == "<FakeAsyncIterator numbers: consumed 0, iterations 0, closed=False>"


# ----------------------------------------------------------------- bad input


def test_items_must_be_iterable() -> None:
    """A non-iterable `items` is a TypeError naming the builder and the argument."""
    with pytest.raises(
        TypeError,
        match=r"^af\.async_iter\(\): items must be an iterable \(a list, a generator\.\.\.\), "
        r"got int 5\.$",
    ):
        af.async_iter(5)  # type: ignore[call-overload, arg-type]


async def test_an_async_source_gets_a_hint() -> None:
    """An async iterable as `items` is refused with a hint."""

    async def source() -> collections.abc.AsyncIterator[int]:
        yield 1

    generator = source()
    with pytest.raises(TypeError) as caught:
        af.async_iter(generator)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"af.async_iter(): items must be an iterable (a list, a generator...), got "
        f"{describe_value(generator)}. It is an async iterable: pass the items "
        "themselves, not an async source."
    )


@pytest.mark.parametrize(
    ("delay", "error", "message"),
    [
        (-1, ValueError, "af.async_iter(): delay must be 0 or more seconds (0 for none), got -1."),
        (
            float("nan"),
            ValueError,
            "af.async_iter(): delay must be 0 or more seconds (0 for none), got nan.",
        ),
        ("1", TypeError, "af.async_iter(): delay must be a number of seconds, got str '1'."),
        (True, TypeError, "af.async_iter(): delay must be a number of seconds, got bool True."),
    ],
)
def test_delay_must_be_a_non_negative_number(
    delay: object, error: type[Exception], message: str
) -> None:
    """A negative, NaN or non-number delay is refused, naming the builder and the argument."""
    with pytest.raises(error) as caught:
        af.async_iter([1], delay=delay)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_raises_takes_an_exception() -> None:
    """`.raises()` with something that is not an exception is a TypeError."""
    with pytest.raises(TypeError) as caught:
        af.async_iter([1]).raises("boom")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "async_iter.raises(): error must be an exception instance or class, got str 'boom'."
    )


@pytest.mark.parametrize(
    ("build", "builder"),
    [
        (lambda: af.async_iter([1], name=42), "af.async_iter()"),  # type: ignore[arg-type]
        (lambda: af.async_context(name=42), "af.async_context()"),  # type: ignore[call-overload]
        (lambda: af.stream([b"a"], name=42), "af.stream()"),  # type: ignore[arg-type]
        (lambda: af.sse(["a"], name=42), "af.sse()"),  # type: ignore[arg-type]
    ],
)
def test_a_builder_name_must_be_text(build: object, builder: str) -> None:
    """A builder's `name` must be a str: it is shown in every message."""
    with pytest.raises(TypeError) as caught:
        build()  # type: ignore[operator]
    assert str(caught.value) == f"{builder}: name must be a str, got int 42."
