"""Type tests for af.fake(): checked by mypy --strict and pyright strict, not run.

A fake is typed as what it imitates: an instance of a class (a Protocol or an
abstract class included), the same callable type for a function.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Protocol

import aiohttp
import httpx
import redis.asyncio as redis
from sqlalchemy.ext.asyncio import AsyncSession
from typing_extensions import assert_type

import asyncfakes as af


class Api:
    async def get(self, url: str, *, timeout: float = 5.0) -> bytes:
        return b""

    def key(self, user_id: int) -> str:
        return str(user_id)

    async def events(self, topic: str) -> AsyncIterator[int]:
        yield 0


class Repository(Protocol):
    async def save(self, user_id: int, name: str) -> None: ...


class Worker(abc.ABC):
    @abc.abstractmethod
    async def run(self) -> int: ...


async def fetch(url: str) -> bytes:
    return b""


def classes() -> None:
    api = af.fake(Api)
    assert_type(api, Api)
    assert_type(af.fake(Api, strict=True, typecheck=True, name="api"), Api)
    assert_type(af.fake(Repository), Repository)
    assert_type(af.fake(Worker), Worker)
    assert_type(af.fake(Api()), Api)


async def members() -> None:
    api = af.fake(Api)
    assert_type(await api.get("https://a"), bytes)
    assert_type(api.key(1), str)
    async for event in api.events("t"):
        assert_type(event, int)


Fetch = Callable[[str], Coroutine[Any, Any, bytes]]


def functions(typed: Fetch) -> None:
    assert_type(af.fake(typed), Fetch)
    same: Fetch = af.fake(fetch)
    del same


def real_libraries() -> None:
    assert_type(af.fake(httpx.AsyncClient), httpx.AsyncClient)
    assert_type(af.fake(httpx.Response), httpx.Response)
    assert_type(af.fake(aiohttp.ClientSession), aiohttp.ClientSession)
    assert_type(af.fake(redis.Redis), redis.Redis)
    assert_type(af.fake(AsyncSession), AsyncSession)


async def rejected() -> None:
    api = af.fake(Api)
    api.gett  # type: ignore[attr-defined]
    await api.get(42)  # type: ignore[arg-type]
    await api.get("https://a", tmeout=1)  # type: ignore[call-arg]
    af.fake(Api, strict="yes")  # type: ignore[call-overload]
    client = af.fake(httpx.AsyncClient)
    await client.get("https://a", timeout="soon")  # type: ignore[arg-type]
