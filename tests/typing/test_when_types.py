"""Type tests for af.when(): checked by mypy --strict and pyright strict, not run.

`Stub` is generic in the stubbed member's type; each verb reads what it
needs through the type of ``self``: `called_with` takes the real
parameters, `returns` the awaited (or plain) return type, `yields` the item
type, `enters` the entered type. Members whose signature mentions `Any`
(httpx's ``json: Any``, aiohttp's ``**kwargs: Any``) keep their types.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiohttp
import httpx
from typing_extensions import assert_type

import asyncfakes as af

Fetch = Callable[[str], Coroutine[Any, Any, bytes]]
Key = Callable[[int], str]
Events = Callable[[str], AsyncIterator[int]]
Connect = Callable[[], AbstractAsyncContextManager[str]]


def scripts(fetch: Fetch, key: Key, events: Events, connect: Connect) -> None:
    assert_type(af.when(fetch), af.Stub[Fetch])
    assert_type(af.when(fetch).returns(b"x"), af.Stub[Callable[[str], Awaitable[bytes]]])
    assert_type(af.when(fetch).called_with("a"), af.Stub[Fetch])
    assert_type(af.when(fetch).raises(OSError).times(2).after(0.5).hangs(), af.Stub[Fetch])
    assert_type(af.when(fetch).runs(lambda url: b"x"), af.Stub[Fetch])
    assert_type(af.when(key).returns("k"), af.Stub[Callable[[int], str]])
    assert_type(
        af.when(events).yields(1, 2).raises(EOFError),
        af.Stub[Callable[[str], AsyncIterator[int]]],
    )
    af.when(connect).enters("conn")


class Response:
    status: int = 200


class Api:
    async def get(self, url: str, *, timeout: float = 5.0) -> Response:
        return Response()

    def key(self, user_id: int) -> str:
        return str(user_id)

    async def events(self, topic: str) -> AsyncIterator[int]:
        yield 0

    def connect(self) -> AbstractAsyncContextManager[Response]:
        raise NotImplementedError


def members() -> None:
    api = af.fake(Api)
    af.when(api.get).returns(Response())
    af.when(api.get).called_with("https://a", timeout=1.0).returns(Response())
    af.when(api.get).raises(ConnectionError).times(2).returns(Response())
    af.when(api.key).called_with(1).returns("user:1")
    af.when(api.events).called_with("t").yields(1, 2, 3)
    af.when(api.connect).enters(Response())


def real_libraries() -> None:
    client = af.fake(httpx.AsyncClient)
    af.when(client.get).returns(httpx.Response(200))
    af.when(client.post).called_with("https://a", json={"a": 1}).returns(httpx.Response(201))
    af.when(client.stream).enters(httpx.Response(200))
    session = af.fake(aiohttp.ClientSession)
    response = af.fake(aiohttp.ClientResponse)
    af.when(session.get).enters(response)
    af.when(session.get).called_with("https://a", params={"q": "x"}).returns(response)


def rejected() -> None:
    api = af.fake(Api)
    af.when(api.get).returns(42)  # type: ignore[call-overload]
    af.when(api.get).called_with(42)  # type: ignore[arg-type]
    af.when(api.get).called_with("https://a", tmeout=1)  # type: ignore[call-arg]
    af.when(api.key).returns(1)  # type: ignore[arg-type]
    af.when(api.events).yields("one")  # type: ignore[arg-type]
    af.when(api.connect).enters("conn")  # type: ignore[arg-type]
    af.when(api.get).yields(Response())  # type: ignore[misc, arg-type]
    af.when(api.get).enters(Response())  # type: ignore[misc, arg-type]
    af.when(api.get).raises("boom")  # type: ignore[arg-type]
    client = af.fake(httpx.AsyncClient)
    af.when(client.post).returns(42)  # type: ignore[call-overload]
    af.when(client.post).called_with(42)  # type: ignore[arg-type]
    af.when(client.stream).enters(42)  # type: ignore[arg-type]
    session = af.fake(aiohttp.ClientSession)
    af.when(session.get).enters(42)  # type: ignore[arg-type]
