"""Small real classes that the stubbing tests fake (test_when.py, test_stubbing_strength.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


class Response:
    def __init__(self, status: int = 200) -> None:
        self.status = status


class _RequestContext:
    """aiohttp's shape: awaitable, and an async context manager entering a Response."""

    def __await__(self) -> Any:
        raise NotImplementedError

    async def __aenter__(self) -> Response:
        raise NotImplementedError

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class Api:
    async def get(self, url: str, *, timeout: float = 5.0) -> Response:
        raise NotImplementedError

    def key(self, user_id: int) -> str:
        raise NotImplementedError

    def untyped(self, value):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    async def events(self, topic: str) -> AsyncIterator[int]:
        yield 0

    @asynccontextmanager
    async def stream(self, url: str) -> AsyncIterator[Response]:
        yield Response()

    def request(self, url: str) -> _RequestContext:
        raise NotImplementedError
