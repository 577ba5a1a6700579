"""Type tests for af.verify(): checked by mypy --strict and pyright strict, not run.

`Verifier` is generic in the verified fake's type: the ``*_with`` checks take
the real parameters, and ``awaited_with`` needs an awaitable member.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from typing_extensions import assert_type

import asyncfakes as af

Fetch = Callable[[str], Coroutine[Any, Any, bytes]]
Key = Callable[[int], str]


def checks(fetch: Fetch, key: Key) -> None:
    assert_type(af.verify(fetch), af.Verifier[Fetch])
    assert_type(af.verify(fetch).awaited_once_with("https://a"), None)
    af.verify(fetch).awaited_with("https://a")
    af.verify(fetch).awaited(times=2)
    af.verify(fetch).not_awaited()
    af.verify(key).called_with(1)
    af.verify(key).called_once_with(1)
    af.verify(key).called(times=1)
    af.verify(key).not_called()


class Api:
    async def get(self, url: str, *, timeout: float = 5.0) -> bytes:
        return b""

    def key(self, user_id: int) -> str:
        return str(user_id)


def members() -> None:
    api = af.fake(Api)
    af.verify(api.get).awaited_once_with("https://a", timeout=1.0)
    af.verify(api.key).called_with(user_id=1)
    af.verify(api).not_called()
    plain = af.AsyncFake()
    af.verify(plain).awaited_with(1, anything="goes")
    client = af.fake(httpx.AsyncClient)
    af.verify(client.get).awaited_once_with("https://a", params={"q": "x"})


def rejected(fetch: Fetch, key: Key) -> None:
    af.verify(fetch).awaited_with(42)  # type: ignore[arg-type]
    af.verify(key).called_with("1")  # type: ignore[arg-type]
    af.verify(key).awaited_with(1)  # type: ignore[misc]
    api = af.fake(Api)
    af.verify(api.get).awaited_once_with("https://a", tmeout=1)  # type: ignore[call-arg]
    af.verify(api).called_with()  # type: ignore[misc]
    client = af.fake(httpx.AsyncClient)
    af.verify(client.get).awaited_with(42)  # type: ignore[arg-type]
