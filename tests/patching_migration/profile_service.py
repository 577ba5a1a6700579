"""The code under test in the migration guide: it has three bugs, marked below."""

from __future__ import annotations


class UserApi:
    """The HTTP API client; its real methods need the network."""

    async def fetch_user(self, user_id: int) -> dict[str, str]:
        raise ConnectionError("the API is not reachable from tests")


class Cache:
    """The redis-backed cache; its real methods need redis."""

    async def set(self, key: str, value: str, *, ttl: int) -> None:
        raise ConnectionError("redis is not reachable from tests")

    async def delete_key(self, key: str) -> None:
        raise ConnectionError("redis is not reachable from tests")


async def refresh_profile(api: UserApi, cache: Cache, user_id: int) -> str:
    """Fetch a user, cache the name, drop the stale entry; return the name."""
    user = await api.fetch_user(user_id, timeout=5)  # bug 1: fetch_user() takes no timeout
    cache.set(f"user:{user_id}", user["name"], ttl=60)  # bug 2: the write is never awaited
    await cache.delete(f"stale:{user_id}")  # bug 3: the method is delete_key()
    return user["name"]
