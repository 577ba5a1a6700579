"""A user-profile service: HTTP API behind a redis cache, written through to Postgres.

`ProfileService.get_profile(user_id)`:

1. reads ``profile:<id>`` from redis; a hit is returned as is;
2. on a miss, fetches ``GET /users/<id>`` from the users API, retrying
   transient failures (connection errors, timeouts, 502/503/504) with
   exponential backoff;
3. upserts the profile into Postgres inside a transaction;
4. caches it in redis with a time-to-live.

`ProfileService.get_profiles(ids)` fetches several profiles concurrently, at
most `max_concurrency` at a time.

`ProfileService.iter_activity(user_id)` streams a user's activity feed from
``GET /users/<id>/activity`` (one JSON object per line), without reading the
whole body first.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass
from typing import Any

import asyncpg
import httpx
import redis.asyncio as redis

TRANSIENT_STATUSES = frozenset({502, 503, 504})

UPSERT = """
INSERT INTO profiles (user_id, name, email) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email
"""


@dataclass(frozen=True)
class Profile:
    """A user's public profile."""

    user_id: int
    name: str
    email: str

    @classmethod
    def from_api(cls, payload: dict[str, Any]) -> Profile:
        """Build a profile from the users API's JSON."""
        return cls(user_id=int(payload["id"]), name=payload["name"], email=payload["email"])

    def to_json(self) -> str:
        """The profile as cached in redis."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Profile:
        """Read a cached profile."""
        return cls(**json.loads(text))


class ProfileNotFoundError(LookupError):
    """The users API does not know this user."""


class ProfileUnavailableError(RuntimeError):
    """The users API kept failing; the last error is the cause."""


class ProfileService:
    """Profiles from the users API, cached in redis and written through to Postgres."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        cache: redis.Redis,
        db: asyncpg.Pool,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        cache_ttl: int = 300,
        max_concurrency: int = 4,
    ) -> None:
        self._http = http
        self._cache = cache
        self._db = db
        self._attempts = attempts
        self._backoff = backoff
        self._cache_ttl = cache_ttl
        self._limit = asyncio.Semaphore(max_concurrency)

    async def get_profile(self, user_id: int) -> Profile:
        """The profile of `user_id`, from the cache when it is there."""
        key = f"profile:{user_id}"
        cached = await self._cache.get(key)
        if cached is not None:
            return Profile.from_json(cached)
        profile = await self._fetch(user_id)
        async with self._db.acquire() as conn, conn.transaction():
            await conn.execute(UPSERT, profile.user_id, profile.name, profile.email)
        await self._cache.set(key, profile.to_json(), ex=self._cache_ttl)
        return profile

    async def get_profiles(self, user_ids: Iterable[int]) -> list[Profile]:
        """Several profiles, fetched concurrently but at most `max_concurrency` at a time."""

        async def limited(user_id: int) -> Profile:
            async with self._limit:
                return await self.get_profile(user_id)

        return list(await asyncio.gather(*(limited(user_id) for user_id in user_ids)))

    async def iter_activity(self, user_id: int) -> AsyncIterator[dict[str, Any]]:
        """The user's activity events, parsed as they arrive."""
        async with self._http.stream("GET", f"/users/{user_id}/activity") as response:
            if response.status_code == 404:
                raise ProfileNotFoundError(user_id)
            response.raise_for_status()
            async for line in response.aiter_lines():
                if line.strip():
                    yield json.loads(line)

    async def _fetch(self, user_id: int) -> Profile:
        last_error: Exception | None = None
        for attempt in range(self._attempts):
            if attempt:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = await self._http.get(f"/users/{user_id}")
            except (httpx.TransportError, httpx.TimeoutException) as error:
                last_error = error
                continue
            if response.status_code in TRANSIENT_STATUSES:
                last_error = httpx.HTTPStatusError(
                    f"users API answered {response.status_code}",
                    request=response.request,
                    response=response,
                )
                continue
            if response.status_code == 404:
                raise ProfileNotFoundError(user_id)
            response.raise_for_status()
            return Profile.from_api(response.json())
        raise ProfileUnavailableError(
            f"users API failed {self._attempts} times for user {user_id}"
        ) from last_error
