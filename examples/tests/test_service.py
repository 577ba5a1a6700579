"""The profile service, tested against fakes of httpx, redis and asyncpg."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import httpx
import pytest
import redis.asyncio as redis

import asyncfakes as af
from profiles import Profile, ProfileNotFoundError, ProfileService, ProfileUnavailableError
from profiles.service import UPSERT

ALICE = Profile(user_id=1, name="Alice", email="alice@example.org")


def payload(user_id: int = 1) -> dict[str, object]:
    """The users API's JSON for a user."""
    if user_id == 1:
        return {"id": 1, "name": "Alice", "email": "alice@example.org"}
    return {"id": user_id, "name": f"user {user_id}", "email": f"u{user_id}@example.org"}


def the_connection(db: af.FakePool[asyncpg.Connection]) -> asyncpg.Connection:
    """The one connection the pool handed out."""
    (conn,) = db.connections
    return conn


@pytest.mark.asyncio
async def test_a_cached_profile_is_served_from_redis(
    fakes: af.Sandbox,
    service: ProfileService,
    http: httpx.AsyncClient,
    cache: redis.Redis,
    db: af.FakePool[asyncpg.Connection],
) -> None:
    """A cache hit is decoded once and returned without calling the API or the database."""
    cached = ALICE.to_json().encode()
    af.when(cache.get).called_with("profile:1").returns(cached)
    from_json = fakes.spy(Profile, "from_json")

    assert await service.get_profile(1) == ALICE

    af.verify(from_json).called_once_with(cached)
    af.verify(http.get).not_awaited()
    assert db.acquired == 0


@pytest.mark.asyncio
async def test_a_miss_fetches_writes_through_and_caches(
    service: ProfileService,
    http: httpx.AsyncClient,
    cache: redis.Redis,
    db: af.FakePool[asyncpg.Connection],
) -> None:
    """A cache miss fetches the profile, upserts it in a transaction, then caches it."""
    af.when(http.get).called_with("/users/1").returns(af.httpx_response(200, json=payload()))

    assert await service.get_profile(1) == ALICE

    conn = the_connection(db)
    af.verify(http.get).awaited_once_with("/users/1")
    af.verify(conn.transaction).called(times=1)
    af.verify(conn.execute).awaited_once_with(UPSERT, 1, "Alice", "alice@example.org")
    af.verify(conn.execute).awaited_inside(conn.transaction)  # inside the one it opened
    af.verify(cache.set).awaited_once_with("profile:1", ALICE.to_json(), ex=300)
    af.assert_in_order(cache.get, http.get, conn.execute, cache.set)
    db.assert_all_released()


@pytest.mark.asyncio
async def test_transient_failures_are_retried_with_backoff(
    clock: af.VirtualClock, service: ProfileService, http: httpx.AsyncClient
) -> None:
    """Two connection errors are retried 0.5 s then 1 s later (in no wall time)."""
    fetch = af.flaky.failing(
        2, httpx.ConnectError("connection refused"), then=af.httpx_response(200, json=payload())
    )
    http.get = fetch  # type: ignore[method-assign]

    assert await service.get_profile(1) == ALICE

    assert fetch.attempts == 3
    assert fetch.intervals == [0.5, 1.0]
    assert clock.now() == 1.5


@pytest.mark.asyncio
async def test_the_service_gives_up_after_the_last_attempt(
    clock: af.VirtualClock,
    service: ProfileService,
    http: httpx.AsyncClient,
    cache: redis.Redis,
    db: af.FakePool[asyncpg.Connection],
) -> None:
    """A 503, a timeout, a 503 again: ProfileUnavailableError, and nothing is stored."""
    stub = af.when(http.get)
    stub.returns(af.httpx_response(503)).raises(httpx.ReadTimeout("slow"))
    stub.returns(af.httpx_response(503))

    with pytest.raises(
        ProfileUnavailableError, match=r"^users API failed 3 times for user 1$"
    ) as info:
        await service.get_profile(1)

    assert isinstance(info.value.__cause__, httpx.HTTPStatusError)
    assert [call.outcome for call in af.calls(http.get)] == ["returned", "raised", "returned"]
    assert [call.started_at for call in af.calls(http.get)] == [0.0, 0.5, 1.5]
    af.verify(cache.set).not_awaited()
    assert db.acquired == 0


@pytest.mark.asyncio
async def test_an_unknown_user_is_not_retried(
    service: ProfileService, http: httpx.AsyncClient
) -> None:
    """A 404 is final: one attempt, then ProfileNotFoundError."""
    af.when(http.get).returns(af.httpx_response(404))

    with pytest.raises(ProfileNotFoundError):
        await service.get_profile(1)

    af.verify(http.get).awaited(times=1)


@pytest.mark.asyncio
async def test_many_profiles_are_fetched_at_most_four_at_a_time(
    fakes: af.Sandbox, clock: af.VirtualClock, service: ProfileService
) -> None:
    """get_profiles overlaps the lookups, but never more than max_concurrency of them."""
    get_profile = fakes.patch.object(ProfileService, "get_profile")

    async def lookup(user_id: int) -> Profile:
        return Profile.from_api(payload(user_id))

    af.when(get_profile).after(0.1).runs(lookup)

    profiles = await service.get_profiles(range(1, 11))

    assert [profile.user_id for profile in profiles] == list(range(1, 11))
    assert af.max_concurrency(get_profile) == 4
    assert clock.now() == pytest.approx(0.3)  # ten lookups, four at a time


@pytest.mark.asyncio
async def test_concurrent_misses_share_the_pool(
    clock: af.VirtualClock,
    fakes: af.Sandbox,
    http: httpx.AsyncClient,
    cache: redis.Redis,
) -> None:
    """Concurrent write-throughs each hold a pooled connection, and all give it back."""

    def slow_connection() -> asyncpg.Connection:
        conn = af.fake(asyncpg.Connection)
        af.when(conn.execute).after(0.05).returns("INSERT 0 1")  # a write takes 50 ms
        return conn

    db = fakes.pool(slow_connection, spec=asyncpg.Pool, size=5, name="db")
    service = ProfileService(http, cache, db)  # type: ignore[arg-type]

    def answer(path: str) -> httpx.Response:
        return af.httpx_response(200, json=payload(int(path.rsplit("/", 1)[1])))

    af.when(http.get).after(0.1).runs(answer)

    await service.get_profiles(range(1, 9))

    assert db.acquired == 8
    assert db.max_in_use == 4  # the four lookups in flight write at once
    assert len(db.connections) == 4  # and reuse those connections for the next four
    assert clock.now() == pytest.approx(0.3)  # two rounds of a 0.1 s lookup and a 0.05 s write
    db.assert_all_released()


@pytest.mark.asyncio
async def test_the_activity_feed_is_streamed(
    service: ProfileService, http: httpx.AsyncClient
) -> None:
    """Events are parsed line by line, a line split across chunks included."""
    body = af.stream([b'{"type": "login"}\n{"type": "vi', b'ew", "page": 3}\n', b"\n"])
    response = af.httpx_response(200, chunks=body)
    af.when(http.stream).called_with("GET", "/users/1/activity").enters(response)

    events = [event async for event in service.iter_activity(1)]

    assert events == [{"type": "login"}, {"type": "view", "page": 3}]
    assert body.consumed == 3
    assert response.is_closed


@pytest.mark.asyncio
async def test_a_broken_feed_raises_after_the_events_that_arrived(
    service: ProfileService, http: httpx.AsyncClient
) -> None:
    """A connection reset mid-stream reaches the caller, and the response is closed."""
    body = af.stream([b'{"type": "login"}\n', b'{"type": "logout"}\n'])
    body.fails_after(1, httpx.ReadError("connection reset"))
    response = af.httpx_response(200, chunks=body)
    af.when(http.stream).enters(response)

    events: list[dict[str, object]] = []

    async def read_all() -> None:
        async for event in service.iter_activity(1):
            events.append(event)

    with pytest.raises(httpx.ReadError):
        await read_all()

    assert events == [{"type": "login"}]
    assert response.is_closed


@pytest.mark.asyncio
async def test_a_stalled_feed_is_cut_by_the_callers_timeout(
    clock: af.VirtualClock, service: ProfileService, http: httpx.AsyncClient
) -> None:
    """A peer that stops sending holds the reader until the caller times out; the body is closed."""
    body = af.stream([b'{"type": "login"}\n']).stalls_after(1)
    af.when(http.stream).enters(af.httpx_response(200, chunks=body))

    async def read_all() -> list[dict[str, object]]:
        return [event async for event in service.iter_activity(1)]

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(read_all(), timeout=30)

    assert clock.now() == 30.0
    assert body.closed


@pytest.mark.asyncio
async def test_a_reader_that_stops_early_closes_the_feed(
    service: ProfileService, http: httpx.AsyncClient
) -> None:
    """Taking the first event and closing the generator closes the response too."""
    body = af.stream([b'{"type": "login"}\n', b'{"type": "view"}\n'])
    response = af.httpx_response(200, chunks=body)
    af.when(http.stream).enters(response)

    async with contextlib.aclosing(service.iter_activity(1)) as events:
        first = await anext(events)

    assert first == {"type": "login"}
    assert body.consumed == 1
    assert response.is_closed


@pytest.mark.asyncio
async def test_the_feed_of_an_unknown_user(
    service: ProfileService, http: httpx.AsyncClient
) -> None:
    """A 404 from the feed is ProfileNotFoundError."""
    af.when(http.stream).enters(af.httpx_response(404, chunks=[]))

    with pytest.raises(ProfileNotFoundError):
        [event async for event in service.iter_activity(7)]
