"""Spec'd fakes of redis.asyncio.Redis (and its pipelines) driving a real cache.

redis-py declares its commands as plain methods annotated `ResponseT`: on
`redis.asyncio.Redis` (whose `execute_command` is a coroutine function) they
are awaitable; on its `Pipeline` (which buffers) they are sync, and
`execute()` is awaited.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis.asyncio as redis

import asyncfakes as af


class Profiles:
    """A cache as it is written against redis.asyncio."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    async def get(self, user_id: int) -> dict[str, Any] | None:
        raw = await self.client.get(f"user:{user_id}")
        return None if raw is None else dict(json.loads(raw))

    async def put(self, user_id: int, profile: dict[str, Any]) -> None:
        await self.client.set(f"user:{user_id}", json.dumps(profile), ex=60)

    async def hit(self, user_id: int) -> int:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(f"hits:{user_id}")
            pipe.expire(f"hits:{user_id}", 3600)
            count, _ = await pipe.execute()
            return int(count)

    async def user_keys(self) -> list[bytes]:
        return [key async for key in self.client.scan_iter(match="user:*")]


async def test_commands_of_the_async_client_are_awaitable() -> None:
    """get() and set() are awaitable fakes bound to redis-py's signatures."""
    client = af.fake(redis.Redis)
    assert isinstance(client.get, af.AsyncFake)
    af.when(client.get).called_with("user:1").returns(b'{"name": "ada"}')
    cache = Profiles(client)
    assert await cache.get(1) == {"name": "ada"}
    await cache.put(2, {"name": "bob"})
    af.verify(client.set).awaited_once_with("user:2", '{"name": "bob"}', ex=60)


async def test_a_miss() -> None:
    """returns(None) serves a cache miss."""
    client = af.fake(redis.Redis)
    af.when(client.get).returns(None)
    assert await Profiles(client).get(1) is None


async def test_pipeline_commands_are_sync_and_execute_is_awaited() -> None:
    """pipeline() gives a fake Pipeline: commands buffer (sync), execute() is awaited."""
    client = af.fake(redis.Redis)
    pipe = client.pipeline()
    assert isinstance(pipe, redis.client.Pipeline)
    assert not isinstance(pipe.incr, af.AsyncFake)
    af.when(pipe.execute).returns([5, True])
    assert await Profiles(client).hit(1) == 5
    af.verify(client.pipeline).called_with(transaction=True)
    af.verify(pipe.incr).called_once_with("hits:1")
    af.verify(pipe.expire).called_once_with("hits:1", 3600)
    af.assert_in_order(pipe.incr, pipe.expire, pipe.execute)


async def test_scan_iter_is_an_async_generator_member() -> None:
    """scan_iter() is stubbed with yields()."""
    client = af.fake(redis.Redis)
    af.when(client.scan_iter).called_with(match="user:*").yields(b"user:1", b"user:2")
    assert await Profiles(client).user_keys() == [b"user:1", b"user:2"]


async def test_connection_errors_are_redis_s_own() -> None:
    """A stubbed redis.ConnectionError reaches the cache."""
    client = af.fake(redis.Redis)
    af.when(client.get).raises(redis.ConnectionError("down"))
    with pytest.raises(redis.ConnectionError, match="down"):
        await Profiles(client).get(1)


async def test_misspelled_commands_are_caught() -> None:
    """A typo in a command name suggests the real one."""
    client = af.fake(redis.Redis)
    with pytest.raises(AttributeError, match=r"Did you mean 'expire'"):
        client.expir
