"""A sleep-heavy async test suite in the style of the async testing guide.

Timeouts, context managers that sleep, retries (hand-written, tenacity,
backoff), heartbeats, polling, queues, rate limits, debouncing, circuit
breakers, TTL caches and graceful shutdown: about 18 seconds of sleeping in
real time. Every test passes in real time, under looptime and under
asyncfakes' virtual time; none asserts an exact time, only what the guide's
tests assert (results, counts, order, "faster than").
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import AsyncIterator
from typing import Any

import backoff
import pytest
from tenacity import AsyncRetrying, stop_after_attempt, wait_exponential

import asyncfakes as af

pytestmark = pytest.mark.asyncio


# ------------------------------------------------------------- the services


async def fetch_user_data(user_id: int) -> dict[str, Any]:
    await asyncio.sleep(0.5)  # network delay
    return {"id": user_id, "name": f"User {user_id}"}


class AsyncResource:
    def __init__(self, name: str, delay: float = 0.25) -> None:
        self.name = name
        self.delay = delay
        self.initialized = False

    async def __aenter__(self) -> AsyncResource:
        await asyncio.sleep(self.delay)
        self.initialized = True
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.sleep(self.delay)
        self.initialized = False

    async def process(self, data: str) -> str:
        if not self.initialized:
            raise RuntimeError("Resource not initialized")
        return f"processed: {data}"


class Heartbeat:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.beats = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.beats += 1

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass


async def poll_until(check: Any, *, interval: float, deadline: float) -> int:
    """Poll `check()` every `interval` seconds; return how many polls it took."""
    polls = 0
    async with asyncio.timeout(deadline) if sys.version_info >= (3, 11) else _deadline(deadline):
        while True:
            await asyncio.sleep(interval)
            polls += 1
            if check():
                return polls


class _deadline:  # asyncio.timeout for 3.10
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        self._handle = loop.call_later(self.seconds, task.cancel)

    async def __aexit__(self, exc_type: object, *rest: object) -> None:
        self._handle.cancel()
        if exc_type is asyncio.CancelledError:
            raise TimeoutError


class RateLimiter:
    def __init__(self, min_interval: float) -> None:
        self.min_interval = min_interval
        self._last: float | None = None

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        if self._last is not None:
            delay = self._last + self.min_interval - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        self._last = loop.time()


class CircuitBreaker:
    def __init__(self, threshold: int, cooldown: float) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if asyncio.get_running_loop().time() - self.opened_at >= self.cooldown:
            return "half-open"
        return "open"

    async def call(self, operation: Any) -> Any:
        if self.state == "open":
            raise RuntimeError("circuit open")
        try:
            result = await operation()
        except ConnectionError:
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = asyncio.get_running_loop().time()
            raise
        self.failures = 0
        self.opened_at = None
        return result


class TTLCache:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._data: dict[str, tuple[float, object]] = {}

    def set(self, key: str, value: object) -> None:
        self._data[key] = (asyncio.get_running_loop().time() + self.ttl, value)

    def get(self, key: str) -> object | None:
        entry = self._data.get(key)
        if entry is None or entry[0] <= asyncio.get_running_loop().time():
            return None
        return entry[1]


# ------------------------------------------------------------------ basics


async def test_fetch_user_data() -> None:
    """A fetch with a network delay returns the user."""
    assert await fetch_user_data(123) == {"id": 123, "name": "User 123"}


async def test_fetch_multiple_users_concurrently() -> None:
    """Five concurrent fetches take about as long as one."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    results = await asyncio.gather(*(fetch_user_data(i) for i in range(5)))
    assert [user["id"] for user in results] == [0, 1, 2, 3, 4]
    assert loop.time() - started < 0.5 * 2


# ---------------------------------------------------------------- timeouts


async def test_slow_operation_times_out() -> None:
    """wait_for gives up on an operation slower than its timeout."""
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.sleep(2.0), timeout=1.0)


async def test_operation_within_timeout() -> None:
    """wait_for returns the result of an operation faster than its timeout."""

    async def fast_operation() -> str:
        await asyncio.sleep(0.3)
        return "completed"

    assert await asyncio.wait_for(fast_operation(), timeout=1.0) == "completed"


async def test_timeout_block_cancels_the_body() -> None:
    """A timeout block cancels a body that sleeps too long."""
    finished = False

    async def body() -> None:
        nonlocal finished
        await asyncio.sleep(5)
        finished = True

    with pytest.raises((asyncio.TimeoutError, TimeoutError)):
        await asyncio.wait_for(body(), timeout=0.5)
    assert finished is False


async def test_hanging_dependency_times_out() -> None:
    """A dependency that never answers is cut off by the caller's timeout."""
    query = af.flaky.hanging(name="db.query")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(query("SELECT 1"), timeout=0.5)
    assert af.calls(query)[0].outcome == "cancelled"


# ---------------------------------------------------------- context managers


async def test_async_context_manager() -> None:
    """The resource is initialized inside the block and cleaned up after."""
    resource = AsyncResource("test")
    async with resource as r:
        assert r.initialized is True
        assert await r.process("test data") == "processed: test data"
    assert resource.initialized is False


async def test_nested_async_context_managers() -> None:
    """Nested resources are entered and exited in order."""
    async with AsyncResource("outer") as outer:
        async with AsyncResource("inner") as inner:
            assert inner.initialized
            assert outer.initialized
        assert inner.initialized is False
        assert outer.initialized is True
    assert outer.initialized is False


async def test_cleanup_on_exception() -> None:
    """Cleanup (which sleeps) still runs when the block raises."""
    resource = AsyncResource("test", delay=0.15)
    with pytest.raises(ValueError):
        async with resource:
            raise ValueError("Test exception")
    assert resource.initialized is False


# ----------------------------------------------------------------- retries


async def test_retry_logic_with_backoff() -> None:
    """A hand-written retry loop with doubling sleeps succeeds on the third attempt."""
    attempts = 0

    async def flaky_operation() -> str:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0.05)
        if attempts < 3:
            raise ConnectionError("Temporary failure")
        return "success"

    delay = 0.2
    for _ in range(4):
        try:
            result = await flaky_operation()
            break
        except ConnectionError:
            await asyncio.sleep(delay)
            delay *= 2
    assert result == "success"
    assert attempts == 3


async def test_tenacity_exponential_backoff() -> None:
    """tenacity retries a flaky dependency with exponential waits until it answers."""
    fetch = af.flaky.failing(4, ConnectionError, then="ok")
    async for attempt in AsyncRetrying(
        wait=wait_exponential(multiplier=0.1), stop=stop_after_attempt(5)
    ):
        with attempt:
            result = await fetch()
    assert result == "ok"
    assert fetch.attempts == 5
    assert fetch.intervals == sorted(fetch.intervals)


async def test_backoff_expo() -> None:
    """backoff retries with doubling waits and gives the result."""
    fetch = af.flaky.failing(3, ConnectionError, then="ok")
    fetch_with_retry = backoff.on_exception(
        backoff.expo, ConnectionError, factor=0.1, max_tries=4, jitter=None
    )(fetch)
    assert await fetch_with_retry() == "ok"
    assert fetch.attempts == 4


async def test_retry_gives_up_after_attempts() -> None:
    """A dependency that never recovers exhausts the retries."""
    fetch = af.flaky(ConnectionError("down"), latency=0.1)

    async def fetch_with_retry() -> None:
        async for attempt in AsyncRetrying(
            wait=wait_exponential(multiplier=0.1), stop=stop_after_attempt(4), reraise=True
        ):
            with attempt:
                await fetch()

    with pytest.raises(ConnectionError):
        await fetch_with_retry()
    assert fetch.attempts == 4


# -------------------------------------------------------------- heartbeats


async def test_heartbeat_beats_every_interval() -> None:
    """A heartbeat every 0.2 s beats five times in 1.1 s."""
    heartbeat = Heartbeat(0.2)
    heartbeat.start()
    await asyncio.sleep(1.1)
    await heartbeat.stop()
    assert heartbeat.beats == 5


async def test_heartbeat_stops_when_cancelled() -> None:
    """No beat happens after the heartbeat is stopped."""
    heartbeat = Heartbeat(0.1)
    heartbeat.start()
    await asyncio.sleep(0.25)
    await heartbeat.stop()
    beats = heartbeat.beats
    await asyncio.sleep(0.3)
    assert heartbeat.beats == beats == 2


# ----------------------------------------------------------------- polling


async def test_polling_until_ready() -> None:
    """Polling every 0.1 s notices a job finished at 0.75 s on the eighth poll."""
    done = False

    async def job() -> None:
        nonlocal done
        await asyncio.sleep(0.75)
        done = True

    task = asyncio.create_task(job())
    polls = await poll_until(lambda: done, interval=0.1, deadline=5)
    await task
    assert polls == 8


async def test_polling_gives_up_at_the_deadline() -> None:
    """Polling a condition that never holds ends with a timeout at the deadline."""
    with pytest.raises((asyncio.TimeoutError, TimeoutError)):
        await poll_until(lambda: False, interval=0.1, deadline=1.0)


# -------------------------------------------------------------- coordination


async def test_queue_producer_consumer() -> None:
    """A consumer with a get() timeout collects everything a slow producer sends."""
    queue: asyncio.Queue[int] = asyncio.Queue()

    async def producer() -> None:
        for i in range(5):
            await queue.put(i)
            await asyncio.sleep(0.1)

    async def consumer() -> list[int]:
        items = []
        while True:
            try:
                items.append(await asyncio.wait_for(queue.get(), timeout=0.3))
            except asyncio.TimeoutError:
                return items

    producer_task = asyncio.create_task(producer())
    items = await consumer()
    await producer_task
    assert items == [0, 1, 2, 3, 4]


async def test_event_coordination() -> None:
    """Waiters proceed once the setter (which sleeps first) sets the event."""
    event = asyncio.Event()
    results: list[str] = []

    async def waiter(name: str) -> None:
        await event.wait()
        results.append(f"{name} proceeded")

    async def setter() -> None:
        await asyncio.sleep(0.5)
        results.append("Event set")
        event.set()

    await asyncio.gather(*(waiter(f"Waiter{i}") for i in range(3)), setter())
    assert results[0] == "Event set"
    assert len(results) == 4


async def test_semaphore_limits_concurrency() -> None:
    """Six 0.2 s operations behind a semaphore of two never run more than two at once."""
    semaphore = asyncio.Semaphore(2)
    running = peak = 0

    async def limited() -> None:
        nonlocal running, peak
        async with semaphore:
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.2)
            running -= 1

    await asyncio.gather(*(limited() for _ in range(6)))
    assert peak == 2


async def test_rate_limiter_spaces_requests() -> None:
    """A limiter of one request per 0.2 s spaces five requests at least 0.2 s apart."""
    limiter = RateLimiter(0.2)
    loop = asyncio.get_running_loop()
    times = []
    for _ in range(5):
        await limiter.wait()
        times.append(loop.time())
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= 0.2 - 1e-6 for gap in gaps)


async def test_debounce_fires_once_after_quiet_period() -> None:
    """Three quick events fire the debounced action once, after 0.3 s of quiet."""
    fired: list[int] = []
    pending: asyncio.Task[None] | None = None

    async def later(value: int) -> None:
        await asyncio.sleep(0.3)
        fired.append(value)

    for value in range(3):
        if pending is not None:
            pending.cancel()
        pending = asyncio.create_task(later(value))
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    assert fired == [2]


async def test_circuit_breaker_half_opens_after_cooldown() -> None:
    """After two failures the breaker opens, then half-opens after its 1 s cooldown."""
    breaker = CircuitBreaker(threshold=2, cooldown=1.0)
    failing = af.flaky(ConnectionError, ConnectionError, "ok")
    for _ in range(2):
        with pytest.raises(ConnectionError):
            await breaker.call(failing)
    assert breaker.state == "open"
    with pytest.raises(RuntimeError, match="circuit open"):
        await breaker.call(failing)
    await asyncio.sleep(1.05)
    assert breaker.state == "half-open"
    assert await breaker.call(failing) == "ok"
    assert breaker.state == "closed"


async def test_cache_entry_expires_after_ttl() -> None:
    """A cache entry is there before its 0.5 s TTL and gone after."""
    cache = TTLCache(ttl=0.5)
    cache.set("user:1", {"id": 1})
    await asyncio.sleep(0.2)
    assert cache.get("user:1") == {"id": 1}
    await asyncio.sleep(0.4)
    assert cache.get("user:1") is None


async def test_async_iterator_with_delays() -> None:
    """An async generator that sleeps between items yields them all in order."""

    async def producer() -> AsyncIterator[int]:
        for i in range(5):
            await asyncio.sleep(0.1)
            yield i

    assert [item async for item in producer()] == [0, 1, 2, 3, 4]


async def test_graceful_shutdown_waits_for_in_flight_work() -> None:
    """Shutdown waits for in-flight requests (0.4 s) before returning."""
    finished: list[int] = []

    async def request(number: int) -> None:
        await asyncio.sleep(0.4)
        finished.append(number)

    in_flight = [asyncio.create_task(request(i)) for i in range(3)]
    await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*in_flight), timeout=2)
    assert sorted(finished) == [0, 1, 2]
