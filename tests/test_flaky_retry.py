"""Real retry libraries (tenacity, stamina, backoff) driven by af.flaky under virtual time.

Each test asserts the library's documented schedule exactly, through the
flaky's `intervals`, and that the whole schedule took almost no wall time.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from typing import Any

import backoff
import pytest
import stamina
import tenacity
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_fixed,
)

import asyncfakes as af

WALL_LIMIT = 1.0  # seconds of real time any of these schedules may take (busy CI included)


@pytest.fixture
def wall() -> Iterator[None]:
    """Fail the test if it took more than WALL_LIMIT seconds of real time."""
    started = time.perf_counter()
    yield
    assert time.perf_counter() - started < WALL_LIMIT


@pytest.fixture(autouse=True)
def _stamina_really_waits() -> Iterator[None]:
    """stamina's testing mode (no waits) is off, as in production."""
    with stamina.set_testing(False):
        yield


# ---------------------------------------------------------------- tenacity


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_tenacity_wait_exponential_doubles_each_wait() -> None:
    """AsyncRetrying + wait_exponential(multiplier=1) waits 1, 2, 4, 8 s before succeeding."""
    fetch = af.flaky.failing(4, ConnectionError, then="ok")
    async with af.virtual_time() as clock:
        async for attempt in AsyncRetrying(
            wait=wait_exponential(multiplier=1, max=60),
            stop=stop_after_attempt(5),
            retry=retry_if_exception_type(ConnectionError),
        ):
            with attempt:
                result = await fetch()
        assert clock.now() == 15.0
    assert result == "ok"
    assert fetch.attempts == 5
    assert fetch.attempt_times == [0.0, 1.0, 3.0, 7.0, 15.0]
    assert fetch.intervals == [1.0, 2.0, 4.0, 8.0]


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_tenacity_stop_after_attempt_gives_up_and_reraises() -> None:
    """stop_after_attempt(4) makes four attempts, then re-raises the last error."""
    fetch = af.flaky(ConnectionError("down"))

    async def fetch_with_retry() -> None:
        async for attempt in AsyncRetrying(
            wait=wait_exponential(multiplier=1), stop=stop_after_attempt(4), reraise=True
        ):
            with attempt:
                await fetch()

    async with af.virtual_time():
        with pytest.raises(ConnectionError, match=r"^down$"):
            await fetch_with_retry()
    assert fetch.intervals == [1.0, 2.0, 4.0]
    assert [record.outcome for record in af.calls(fetch)] == ["raised"] * 4


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_tenacity_retry_decorator_sees_a_coroutine_function() -> None:
    """@tenacity.retry wraps a flaky as async; wait_exponential's max caps the waits."""
    fetch = af.flaky.failing(5, TimeoutError, then={"id": 1})
    fetch_with_retry = tenacity.retry(
        wait=wait_exponential(multiplier=0.5, max=3),
        stop=stop_after_attempt(6),
    )(fetch)
    async with af.virtual_time():
        assert await fetch_with_retry(1) == {"id": 1}
    assert fetch.intervals == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert [record.args for record in af.calls(fetch)] == [(1,)] * 6


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_tenacity_retries_attempts_that_time_out() -> None:
    """A per-attempt wait_for timeout is retried: two slow attempts, then a fast one."""
    fetch = af.flaky("slow", "slow", "fast", latency=[10, 10, 0.5])
    async with af.virtual_time() as clock:
        async for attempt in AsyncRetrying(
            wait=wait_fixed(1),
            stop=stop_after_attempt(3),
            retry=retry_if_exception_type(asyncio.TimeoutError),
        ):
            with attempt:
                result = await asyncio.wait_for(fetch(), timeout=2)
        assert clock.now() == 6.5
    assert result == "fast"
    assert fetch.attempt_times == [0.0, 3.0, 6.0]
    assert [record.outcome for record in af.calls(fetch)] == ["cancelled", "cancelled", "returned"]


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_tenacity_gives_up_on_a_hanging_dependency() -> None:
    """Three 5 s timeouts with 2 s waits between them end at 19 s of virtual time."""
    query = af.flaky.hanging(name="db.query")

    async def query_with_retry() -> None:
        async for attempt in AsyncRetrying(
            wait=wait_fixed(2), stop=stop_after_attempt(3), reraise=True
        ):
            with attempt:
                await asyncio.wait_for(query(), timeout=5)

    async with af.virtual_time() as clock:
        with pytest.raises(asyncio.TimeoutError):
            await query_with_retry()
        assert clock.now() == 19.0
    assert query.attempt_times == [0.0, 7.0, 14.0]


# ----------------------------------------------------------------- stamina


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_stamina_without_jitter_follows_its_formula() -> None:
    """stamina waits min(wait_max, wait_initial * wait_exp_base ** (n - 1)) with jitter 0."""
    fetch = af.flaky.failing(7, ConnectionError, then="ok")
    async with af.virtual_time():
        async for attempt in stamina.retry_context(
            on=ConnectionError,
            attempts=8,
            timeout=None,
            wait_initial=0.1,
            wait_max=1.0,
            wait_jitter=0,
            wait_exp_base=2,
        ):
            with attempt:
                result = await fetch()
    assert result == "ok"
    assert fetch.intervals == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0]


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_stamina_retry_decorator_sees_a_coroutine_function() -> None:
    """@stamina.retry wraps a flaky as async and gives up after its attempts."""
    fetch = af.flaky(ConnectionError("refused"))
    fetch_with_retry = stamina.retry(
        on=ConnectionError, attempts=3, timeout=None, wait_initial=1, wait_jitter=0
    )(fetch)
    async with af.virtual_time():
        with pytest.raises(ConnectionError, match=r"^refused$"):
            await fetch_with_retry()
    assert fetch.intervals == [1.0, 2.0]


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_stamina_default_jitter_stays_within_its_documented_bounds() -> None:
    """With wait_jitter=1 each wait lies in [base, base + 1], capped at wait_max."""
    fetch = af.flaky.failing(6, ConnectionError, then="ok")
    async with af.virtual_time():
        async for attempt in stamina.retry_context(
            on=ConnectionError, attempts=7, timeout=None, wait_initial=0.5, wait_max=5.0
        ):
            with attempt:
                await fetch()
    bases = [min(5.0, 0.5 * 2 ** (n - 1)) for n in range(1, 7)]
    assert len(fetch.intervals) == 6
    for interval, base in zip(fetch.intervals, bases, strict=True):
        assert base <= interval <= min(5.0, base + 1.0)


# ----------------------------------------------------------------- backoff


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_backoff_expo_without_jitter_doubles_each_wait() -> None:
    """backoff.on_exception(backoff.expo, jitter=None) waits 1, 2, 4, 8 s."""
    fetch = af.flaky.failing(4, ConnectionError, then="ok")
    fetch_with_retry = backoff.on_exception(
        backoff.expo, ConnectionError, max_tries=5, jitter=None
    )(fetch)
    async with af.virtual_time() as clock:
        assert await fetch_with_retry() == "ok"
        assert clock.now() == 15.0
    assert fetch.intervals == [1.0, 2.0, 4.0, 8.0]


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_backoff_max_tries_gives_up() -> None:
    """After max_tries failures backoff re-raises; max_value caps the waits."""
    fetch = af.flaky(OSError("unreachable"))
    fetch_with_retry = backoff.on_exception(
        backoff.expo, OSError, max_tries=6, max_value=5, jitter=None
    )(fetch)
    async with af.virtual_time():
        with pytest.raises(OSError, match=r"^unreachable$"):
            await fetch_with_retry()
    assert fetch.intervals == [1.0, 2.0, 4.0, 5.0, 5.0]


@pytest.mark.asyncio
@pytest.mark.usefixtures("wall")
async def test_backoff_full_jitter_is_reproducible_with_a_seeded_random() -> None:
    """backoff's default full jitter draws random.uniform(0, wait): seeding random fixes it."""
    expected_rng = random.Random(3)
    expected = [round(expected_rng.uniform(0, 2**n), 9) for n in range(4)]
    fetch = af.flaky.failing(4, ConnectionError, then="ok")
    fetch_with_retry: Any = backoff.on_exception(backoff.expo, ConnectionError, max_tries=5)(fetch)
    state = random.getstate()
    random.seed(3)
    try:
        async with af.virtual_time():
            assert await fetch_with_retry() == "ok"
    finally:
        random.setstate(state)
    assert fetch.intervals == pytest.approx(expected, abs=1e-6)
