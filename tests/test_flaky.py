"""af.flaky: scripted outcomes, latency, spec checking, recorded attempts and bad input."""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import random
import sys
import time
import traceback
from typing import Any

import pytest

import asyncfakes as af


@pytest.fixture(autouse=True)
def _clean_journal() -> Any:
    af.journal().clear()
    yield
    af.journal().clear()


async def outcome_of(call: Any) -> object:
    """What awaiting `call` gives: its result, or the name of the exception it raised."""
    try:
        return await call
    except Exception as error:
        return type(error).__name__


async def fetch_user(user_id: int, *, timeout: float = 5.0) -> dict[str, Any]:
    """The real function the spec'd flakies stand in for."""
    raise NotImplementedError


# ---------------------------------------------------------------- outcomes


@pytest.mark.asyncio
async def test_outcomes_are_walked_in_order_and_the_last_repeats() -> None:
    """Exceptions are raised, values returned, one per call; the last outcome repeats."""
    fn = af.flaky(ConnectionError, ValueError("bad"), "ok")
    assert [await outcome_of(fn()) for _ in range(5)] == [
        "ConnectionError",
        "ValueError",
        "ok",
        "ok",
        "ok",
    ]


@pytest.mark.asyncio
async def test_a_raised_instance_is_the_given_instance() -> None:
    """An exception instance outcome is raised as is, message included."""
    error = ConnectionResetError("peer reset")
    fn = af.flaky(error)
    with pytest.raises(ConnectionResetError) as caught:
        await fn()
    assert caught.value is error
    assert str(caught.value) == "peer reset"


@pytest.mark.asyncio
async def test_raising_one_instance_again_does_not_grow_its_traceback() -> None:
    """Each raise of a repeated instance starts a fresh traceback."""
    fn = af.flaky(ConnectionError("down"))
    depths = []
    for _ in range(3):
        try:
            await fn()
        except ConnectionError as error:
            depths.append(len(traceback.extract_tb(error.__traceback__)))
    assert depths[0] == depths[1] == depths[2]


@pytest.mark.asyncio
async def test_each_call_is_recorded_with_its_outcome() -> None:
    """af.calls shows every attempt with its arguments and outcome."""
    fn = af.flaky(ConnectionError, "ok")
    await outcome_of(fn(1, key="a"))
    await fn(2)
    records = af.calls(fn)
    assert [(r.args, r.kwargs, r.outcome, r.awaited) for r in records] == [
        ((1,), {"key": "a"}, "raised", True),
        ((2,), {}, "returned", True),
    ]
    assert isinstance(records[0].exception, ConnectionError)
    assert records[1].result == "ok"
    af.verify(fn).awaited(times=2)


@pytest.mark.asyncio
async def test_failing_fails_then_returns() -> None:
    """failing(n, error, then=v) fails n calls, then returns v forever."""
    fn = af.flaky.failing(2, TimeoutError, then={"id": 1})
    assert [await outcome_of(fn()) for _ in range(4)] == [
        "TimeoutError",
        "TimeoutError",
        {"id": 1},
        {"id": 1},
    ]


@pytest.mark.asyncio
async def test_failing_zero_times_returns_at_once_and_then_defaults_to_none() -> None:
    """failing(0, ...) never fails; without then= it returns None."""
    assert await af.flaky.failing(0, OSError, then="up")() == "up"
    assert await af.flaky.failing(0, OSError)() is None


@pytest.mark.asyncio
async def test_then_is_returned_even_when_it_is_an_exception() -> None:
    """then= is a value: an exception given there is returned, not raised."""
    error = ValueError("as a value")
    assert await af.flaky.failing(0, OSError, then=error)() is error


@pytest.mark.asyncio
async def test_random_follows_its_seed_exactly() -> None:
    """random(rate, seed=s) fails exactly when random.Random(s).random() < rate."""
    rng = random.Random(42)
    expected = ["OSError" if rng.random() < 0.3 else "up" for _ in range(200)]
    fn = af.flaky.random(0.3, OSError, then="up", seed=42)
    assert [await outcome_of(fn()) for _ in range(200)] == expected
    assert 40 < expected.count("OSError") < 80


@pytest.mark.asyncio
async def test_random_is_reproducible_and_seeds_differ() -> None:
    """Two flakies with the same seed agree; a different seed gives another sequence."""

    async def run(seed: int) -> list[object]:
        fn = af.flaky.random(0.5, OSError, then=1, seed=seed)
        return [await outcome_of(fn()) for _ in range(30)]

    assert await run(7) == await run(7)
    assert await run(7) != await run(8)


@pytest.mark.asyncio
async def test_random_rate_zero_never_fails_and_one_always_fails() -> None:
    """rate=0 never fails and rate=1 always fails."""
    never = af.flaky.random(0, OSError, then="up")
    always = af.flaky.random(1, OSError, then="up")
    assert {await outcome_of(never()) for _ in range(50)} == {"up"}
    assert {await outcome_of(always()) for _ in range(50)} == {"OSError"}


@pytest.mark.asyncio
async def test_random_leaves_the_global_random_generator_alone() -> None:
    """A flaky's draws come from its own generator, not the random module's."""
    random.seed(5)
    expected = random.random()
    random.seed(5)
    fn = af.flaky.random(0.5, OSError, seed=1)
    for _ in range(10):
        await outcome_of(fn())
    assert random.random() == expected


@pytest.mark.asyncio
async def test_concurrent_calls_take_outcomes_in_await_order() -> None:
    """Concurrent calls each take the next outcome and overlap while latency runs."""
    fn = af.flaky(ConnectionError, "a", "b", latency=1)
    async with af.virtual_time():
        results = await asyncio.gather(*(outcome_of(fn()) for _ in range(3)))
    assert results == ["ConnectionError", "a", "b"]
    assert af.max_concurrency(fn) == 3


# ----------------------------------------------------------------- latency


@pytest.mark.asyncio
async def test_latency_delays_every_outcome_and_records_times() -> None:
    """latency=n delays each outcome by n seconds of loop time; the records show it."""
    fn = af.flaky(ConnectionError, "ok", latency=0.5)
    async with af.virtual_time() as clock:
        await outcome_of(fn())
        await fn()
        assert clock.now() == 1.0
    assert [(r.started_at, r.ended_at) for r in af.calls(fn)] == [(0.0, 0.5), (0.5, 1.0)]
    assert fn.attempt_times == [0.0, 0.5]
    assert fn.intervals == [0.5]


@pytest.mark.asyncio
async def test_latency_sequence_is_per_attempt_and_its_last_repeats() -> None:
    """latency=[a, b] delays attempt 1 by a, then every later attempt by b."""
    fn = af.flaky("x", latency=[0.1, 0.2])
    async with af.virtual_time():
        for _ in range(4):
            await fn()
    assert [round(r.ended_at - r.started_at, 9) for r in af.calls(fn)] == [0.1, 0.2, 0.2, 0.2]
    assert fn.attempt_times == [0.0, 0.1, 0.3, 0.5]
    assert fn.intervals == [0.1, 0.2, 0.2]


@pytest.mark.asyncio
async def test_a_slow_attempt_times_out_and_the_next_is_fast() -> None:
    """Per-attempt latency makes a timeout-then-success schedule: the slow call is cancelled."""
    fn = af.flaky("slow", "fast", latency=[10, 0.1])
    async with af.virtual_time() as clock:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(fn(), timeout=2)
        assert await asyncio.wait_for(fn(), timeout=2) == "fast"
        assert clock.now() == 2.1
    assert [r.outcome for r in af.calls(fn)] == ["cancelled", "returned"]


@pytest.mark.asyncio
async def test_latency_in_real_time_really_waits() -> None:
    """Without virtual time, latency is real loop time."""
    fn = af.flaky("ok", latency=0.05)
    started = time.perf_counter()
    assert await fn() == "ok"
    assert time.perf_counter() - started >= 0.04


@pytest.mark.asyncio
async def test_attempts_count_calls() -> None:
    """attempts counts calls; attempt_times and intervals follow them."""
    fn = af.flaky.failing(1, OSError, then=1)
    assert (fn.attempts, fn.attempt_times, fn.intervals) == (0, [], [])
    await outcome_of(fn())
    await fn()
    assert fn.attempts == 2
    assert len(fn.attempt_times) == 2
    assert len(fn.intervals) == 1


# ----------------------------------------------------------------- hanging


@pytest.mark.asyncio
async def test_hanging_under_wait_for_30_takes_milliseconds_of_wall_time() -> None:
    """asyncio.wait_for(hanging(), 30) times out at virtual 30 s in a few ms of wall time."""
    stuck = af.flaky.hanging()
    started = time.perf_counter()
    async with af.virtual_time() as clock:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(stuck(), 30)
        assert clock.now() == 30.0
    assert time.perf_counter() - started < 1.0  # 30 s of loop time; generous for busy CI
    (record,) = af.calls(stuck)
    assert (record.outcome, record.started_at, record.ended_at) == ("cancelled", 0.0, 30.0)


@pytest.mark.asyncio
async def test_hanging_in_real_time_waits_until_cancelled() -> None:
    """A hanging call stays pending until its task is cancelled."""
    stuck = af.flaky.hanging(name="db.query")
    task = asyncio.create_task(stuck("SELECT 1"))
    await asyncio.sleep(0.01)
    assert not task.done()
    assert af.calls(stuck)[0].outcome == "pending"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert af.calls(stuck)[0].outcome == "cancelled"


def test_latency_and_hanging_work_under_trio() -> None:
    """Under trio (no asyncio loop) latency and hanging use trio's sleep."""
    import trio

    fn = af.flaky(ConnectionError, "ok", latency=0.01)
    stuck = af.flaky.hanging()

    async def main() -> list[object]:
        results = [await outcome_of(fn()), await outcome_of(fn())]
        with trio.move_on_after(0.01) as scope:
            await stuck()
        results.append(scope.cancelled_caught)
        return results

    assert trio.run(main) == ["ConnectionError", "ok", True]


def test_works_on_uvloop() -> None:
    """A flaky with latency works on uvloop (only virtual time needs asyncio's own loop)."""
    import uvloop

    fn = af.flaky.failing(1, OSError, then="ok", latency=0.01)

    async def main() -> list[object]:
        return [await outcome_of(fn()), await outcome_of(fn())]

    loop = uvloop.new_event_loop()
    try:
        assert loop.run_until_complete(main()) == ["OSError", "ok"]
    finally:
        loop.close()
    assert 0.005 < fn.intervals[0] < 1.0


# -------------------------------------------------------------------- spec


def test_it_passes_for_a_coroutine_function() -> None:
    """inspect and asyncio see a flaky as a coroutine function (retry decorators rely on it)."""
    fn = af.flaky("ok")
    assert inspect.iscoroutinefunction(fn)
    if sys.version_info < (3, 14):
        assert asyncio.iscoroutinefunction(fn)
    assert str(inspect.signature(fn)) == "(*args: 'Any', **kwargs: 'Any') -> 'Any'"


@pytest.mark.asyncio
async def test_spec_gives_the_real_signature_and_binds_calls() -> None:
    """With spec=, the flaky has the real signature and records bound arguments."""
    fn = af.flaky.failing(1, OSError, then={"id": 7}, spec=fetch_user)
    assert str(inspect.signature(fn)) == (
        "(user_id: int, *, timeout: float = 5.0) -> dict[str, typing.Any]"
    )
    assert fn.name == fn.__name__ == "fetch_user"
    await outcome_of(fn(7, timeout=1.0))
    bound = af.calls(fn)[0].bound
    assert bound is not None
    assert dict(bound.arguments) == {"user_id": 7, "timeout": 1.0}
    await outcome_of(fn(8))
    second = af.calls(fn)[1].bound
    assert second is not None
    assert dict(second.arguments) == {"user_id": 8, "timeout": 5.0}  # defaults applied


@pytest.mark.asyncio
async def test_a_call_the_spec_rejects_raises_type_error_with_the_real_signature() -> None:
    """A call the real function would reject raises TypeError at call time and is not recorded."""
    fn = af.flaky("ok", spec=fetch_user)
    with pytest.raises(TypeError) as caught:
        fn(1, 2)
    assert str(caught.value) == (
        "fetch_user() takes 1 positional argument but 2 were given\n"
        "  call:      fetch_user(1, 2)\n"
        "  signature: fetch_user(user_id, *, timeout=...)"
    )
    assert isinstance(caught.value, af.SpecError)
    with pytest.raises(TypeError) as caught:
        fn(timeout=3)
    assert str(caught.value) == (
        "fetch_user() missing 1 required positional argument: 'user_id'\n"
        "  call:      fetch_user(timeout=3)\n"
        "  signature: fetch_user(user_id, *, timeout=...)"
    )
    assert af.calls(fn) == []


def test_a_spec_whose_annotations_do_not_resolve_keeps_them_as_text() -> None:
    """Annotations naming what the module never imported stay as written."""

    async def lookup(key: UndefinedKey) -> None:  # type: ignore[name-defined]  # noqa: F821
        raise NotImplementedError

    fn = af.flaky(None, spec=lookup)
    assert str(inspect.signature(fn)) == "(key: 'UndefinedKey') -> 'None'"
    with pytest.raises(TypeError, match=r"^lookup\(\) missing 1 required positional argument"):
        fn()


def test_an_explicit_name_wins_over_the_spec_name() -> None:
    """name= names a spec'd flaky; a spec without a name of its own is named by its type."""
    assert af.flaky("x", spec=fetch_user, name="users.fetch").name == "users.fetch"
    assert af.flaky("x", spec=functools.partial(fetch_user, timeout=1)).name == "partial"


def test_names_and_repr() -> None:
    """name= names the flaky in messages and its repr; the default name is 'flaky'."""
    assert af.flaky("x").name == "flaky"
    fn = af.flaky("x", name="payments.charge")
    assert fn.name == "payments.charge"
    assert repr(fn) == "<Flaky 'payments.charge' attempts=0>"
    assert repr(af.flaky) == "af.flaky"


@pytest.mark.asyncio
async def test_a_call_never_awaited_is_reported() -> None:
    """A flaky call whose coroutine is never awaited is caught by assert_all_awaited."""
    fn = af.flaky("ok", name="send")
    fn("hello")
    line = sys._getframe().f_lineno - 1
    with pytest.raises(af.VerificationError) as caught:
        af.assert_all_awaited()
    assert f"send('hello')  at {os.path.relpath(__file__)}:{line}" in str(caught.value)
    assert af.calls(fn)[0].awaited is False


# --------------------------------------------------------------- bad input


def test_no_outcomes_is_an_error() -> None:
    """af.flaky() without outcomes raises TypeError showing how to call it."""
    with pytest.raises(TypeError) as caught:
        af.flaky()
    assert str(caught.value) == (
        "af.flaky() needs at least one outcome, such as "
        "af.flaky(ConnectionError, ConnectionError, 'ok'): exceptions are "
        "raised, other values returned, and the last one repeats"
    )


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan"), True])
def test_rate_outside_zero_to_one_is_an_error(rate: float) -> None:
    """random() refuses a rate outside [0, 1] (and non-numbers) with a ValueError."""
    with pytest.raises(ValueError) as caught:
        af.flaky.random(rate, OSError)
    assert str(caught.value) == (
        f"af.flaky.random(rate={rate!r}): rate must be between 0 and 1 "
        "(the probability that a call fails)"
    )


LATENCY_MESSAGE = (
    "{builder}(latency={latency!r}): latency must be a number of seconds of at least 0, "
    "or a non-empty sequence of them (one per attempt, the last repeats)"
)


@pytest.mark.parametrize("latency", [-1, -0.5, float("nan"), float("inf"), [], [0.1, -1]])
def test_negative_or_empty_latency_is_a_value_error(latency: Any) -> None:
    """A negative, non-finite or empty latency raises ValueError naming builder and argument."""
    with pytest.raises(ValueError) as caught:
        af.flaky("ok", latency=latency)
    assert str(caught.value) == LATENCY_MESSAGE.format(builder="af.flaky", latency=latency)


@pytest.mark.parametrize("latency", ["1", None, [0.1, "x"], True])
def test_latency_of_the_wrong_type_is_a_type_error(latency: Any) -> None:
    """A latency that is not a number (or sequence of numbers) raises TypeError."""
    with pytest.raises(TypeError) as caught:
        af.flaky.failing(1, OSError, latency=latency)
    assert str(caught.value) == LATENCY_MESSAGE.format(builder="af.flaky.failing", latency=latency)


def test_random_latency_errors_name_random() -> None:
    """The latency message names the builder that was called."""
    with pytest.raises(ValueError) as caught:
        af.flaky.random(0.5, OSError, latency=-2)
    assert str(caught.value) == LATENCY_MESSAGE.format(builder="af.flaky.random", latency=-2)


@pytest.mark.parametrize("times", [-1, 1.5, True])
def test_failing_times_must_be_a_whole_number(times: Any) -> None:
    """failing() refuses a negative, fractional or boolean count."""
    with pytest.raises(ValueError) as caught:
        af.flaky.failing(times, OSError)
    assert str(caught.value) == (
        f"af.flaky.failing(times={times!r}): times must be a whole number of at least 0"
    )


@pytest.mark.parametrize("builder", ["failing", "random"])
def test_error_must_be_an_exception(builder: str) -> None:
    """failing() and random() refuse an error that is not an exception class or instance."""
    make = getattr(af.flaky, builder)
    with pytest.raises(TypeError) as caught:
        make(1, "boom")
    assert str(caught.value) == (
        f"af.flaky.{builder}(error='boom'): error must be an exception class or instance, "
        "such as ConnectionError or ConnectionError('down')"
    )


def test_spec_must_be_callable() -> None:
    """spec= refuses something that is not a function."""
    with pytest.raises(TypeError) as caught:
        af.flaky.hanging(spec=42)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "af.flaky.hanging(spec=42): spec must be the real function "
        "whose signature the calls are checked against"
    )
