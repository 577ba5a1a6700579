"""The profile service, tested against fakes of httpx, redis and asyncpg."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
import pytest

import asyncfakes as af
from profiles import Profile, ProfileNotFoundError, ProfileService, ProfileUnavailableError
from profiles.service import UPSERT

ALICE = Profile(user_id=1, name="Alice", email="alice@example.org")


def response(status_code: int, user_id: int = 1) -> httpx.Response:
    """A real httpx response, as the users API sends it."""
    request = httpx.Request("GET", f"https://users.example/users/{user_id}")
    if status_code != 200:
        return httpx.Response(status_code, request=request)
    body = {"id": user_id, "name": "Alice", "email": "alice@example.org"}
    if user_id != 1:
        body.update(name=f"user {user_id}", email=f"u{user_id}@example.org")
    return httpx.Response(200, json=body, request=request)


@pytest.mark.asyncio
async def test_a_cached_profile_is_served_from_redis(
    service: ProfileService, http: Any, cache: Any, conn: Any
) -> None:
    """A cache hit is returned without calling the API or the database."""
    cache.get.return_value = ALICE.to_json().encode()

    assert await service.get_profile(1) == ALICE

    af.verify(cache.get).awaited_once_with("profile:1")
    af.verify(http.get).not_awaited()
    af.verify(conn.execute).not_awaited()


@pytest.mark.asyncio
async def test_a_miss_fetches_writes_through_and_caches(
    service: ProfileService, http: Any, cache: Any, conn: Any
) -> None:
    """A cache miss fetches the profile, upserts it in a transaction, then caches it."""
    http.get.return_value = response(200)

    assert await service.get_profile(1) == ALICE

    af.verify(http.get).awaited_once_with("/users/1")
    af.verify(conn.execute).awaited_once_with(UPSERT, 1, "Alice", "alice@example.org")
    af.verify(conn.execute).awaited_inside(conn.transaction.return_value)
    af.verify(cache.set).awaited_once_with("profile:1", ALICE.to_json(), ex=300)
    af.assert_in_order(cache.get, http.get, conn.execute, cache.set)


@pytest.mark.asyncio
async def test_transient_failures_are_retried_with_backoff(
    service: ProfileService, http: Any
) -> None:
    """A connection error and a 503 are retried, 10 ms then 20 ms later."""
    http.get.side_effect = [httpx.ConnectError("connection refused"), response(503), response(200)]

    assert await service.get_profile(1) == ALICE

    attempts = af.calls(http.get)
    assert [record.outcome for record in attempts] == ["raised", "returned", "returned"]
    starts = [record.started_at for record in attempts]
    waits = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert waits[0] >= 0.01
    assert waits[1] >= 0.02


@pytest.mark.asyncio
async def test_the_service_gives_up_after_the_last_attempt(
    service: ProfileService, http: Any, cache: Any, conn: Any
) -> None:
    """After three 503s the caller gets ProfileUnavailableError and nothing is stored."""
    http.get.return_value = response(503)

    with pytest.raises(
        ProfileUnavailableError, match=r"^users API failed 3 times for user 1$"
    ) as info:
        await service.get_profile(1)

    assert isinstance(info.value.__cause__, httpx.HTTPStatusError)
    af.verify(http.get).awaited(times=3)
    af.verify(conn.execute).not_awaited()
    af.verify(cache.set).not_awaited()


@pytest.mark.asyncio
async def test_an_unknown_user_is_not_retried(service: ProfileService, http: Any) -> None:
    """A 404 is final: one attempt, then ProfileNotFoundError."""
    http.get.return_value = response(404)

    with pytest.raises(ProfileNotFoundError):
        await service.get_profile(1)

    af.verify(http.get).awaited(times=1)


@pytest.mark.asyncio
async def test_many_profiles_are_fetched_at_most_four_at_a_time(
    service: ProfileService, http: Any
) -> None:
    """get_profiles overlaps the API calls, but never more than max_concurrency of them."""

    async def slow_api(path: str) -> httpx.Response:
        await asyncio.sleep(0.01)
        return response(200, user_id=int(path.rsplit("/", 1)[1]))

    http.get.side_effect = slow_api

    profiles = await service.get_profiles(range(1, 11))

    assert [profile.user_id for profile in profiles] == list(range(1, 11))
    assert af.max_concurrency(http.get) == 4
