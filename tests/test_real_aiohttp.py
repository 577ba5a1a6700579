"""Spec'd fakes of aiohttp.ClientSession driving real client code."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

import asyncfakes as af


class Weather:
    """Client code as it is written against aiohttp."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def forecast(self, city: str) -> dict[str, Any]:
        async with self.session.get("https://weather/forecast", params={"city": city}) as response:
            response.raise_for_status()
            data: dict[str, Any] = await response.json()
            return data

    async def report(self, city: str, reading: float) -> int:
        response = await self.session.post(
            "https://weather/readings", json={"city": city, "reading": reading}
        )
        status: int = response.status
        return status

    async def lines(self, url: str) -> list[bytes]:
        async with self.session.get(url) as response:
            return [line async for line in response.content]


async def test_get_is_entered_as_a_context_manager() -> None:
    """session.get() is awaitable and a context manager: enters() serves `async with`."""
    session = af.fake(aiohttp.ClientSession)
    af.when(session.get).enters(
        af.aiohttp_response(
            200, chunks=[b'{"temp": 21}'], headers={"Content-Type": "application/json"}
        )
    )
    assert await Weather(session).forecast("Oslo") == {"temp": 21}
    af.verify(session.get).called_once_with("https://weather/forecast", params={"city": "Oslo"})


async def test_post_is_awaited() -> None:
    """The same stub serves `await session.post(...)`."""
    session = af.fake(aiohttp.ClientSession)
    af.when(session.post).enters(af.aiohttp_response(201))
    assert await Weather(session).report("Oslo", 21.5) == 201
    (call,) = af.calls(session.post)
    assert call.bound is not None
    assert call.bound.arguments["kwargs"] == {"json": {"city": "Oslo", "reading": 21.5}}


async def test_errors_are_aiohttp_s_own() -> None:
    """A 500 raises aiohttp.ClientResponseError; a stubbed failure raises on entry."""
    session = af.fake(aiohttp.ClientSession)
    af.when(session.get).called_with("https://weather/forecast", params={"city": "X"}).enters(
        af.aiohttp_response(500)
    )
    af.when(session.get).called_with("https://weather/forecast", params={"city": "Y"}).raises(
        aiohttp.ClientConnectionError("reset")
    )
    with pytest.raises(aiohttp.ClientResponseError):
        await Weather(session).forecast("X")
    with pytest.raises(aiohttp.ClientConnectionError, match="reset"):
        await Weather(session).forecast("Y")


async def test_reading_lines_of_a_streamed_body() -> None:
    """`async for line in response.content` reads the entered response's stream."""
    session = af.fake(aiohttp.ClientSession)
    af.when(session.get).enters(af.aiohttp_response(200, chunks=[b"a\nb", b"\nc\n"]))
    assert await Weather(session).lines("https://log") == [b"a\n", b"b\n", b"c\n"]


async def test_unstubbed_requests_enter_a_spec_d_response() -> None:
    """Without a stub, the entered (or awaited) value is spec'd to ClientResponse."""
    session = af.fake(aiohttp.ClientSession)
    async with session.get("https://a") as response:
        assert isinstance(response, aiohttp.ClientResponse)
    assert await session.get("https://a") is response


async def test_closing_the_session() -> None:
    """close() is a coroutine method; `closed` a property."""
    session = af.fake(aiohttp.ClientSession)
    await session.close()
    af.verify(session.close).awaited_once_with()
    session.closed = True
    assert session.closed is True
    with pytest.raises(TypeError, match=r"^ClientSession.close\(\) takes 0 positional"):
        await session.close(1)


async def test_a_response_from_runs_can_be_awaited_and_entered() -> None:
    """A runs()/returns() response of session.get works both ways, as the real call's result."""

    async def status_of(session: aiohttp.ClientSession, url: str) -> int:
        response = await session.get(url)
        try:
            return response.status
        finally:
            response.release()

    async def body_of(session: aiohttp.ClientSession, url: str) -> bytes:
        async with session.get(url) as response:
            return await response.read()

    session = af.fake(aiohttp.ClientSession)
    af.when(session.get).runs(lambda *args, **kwargs: af.aiohttp_response(204, chunks=[b"ok"]))
    assert await status_of(session, "https://api.example/a") == 204
    assert await body_of(session, "https://api.example/b") == b"ok"
    af.when(session.get).returns(af.aiohttp_response(201))
    assert await status_of(session, "https://api.example/c") == 201
    assert repr(session.get("https://api.example/d")).startswith(
        "<stubbed context of <ClientResponse(https://api.example/d) [201 Created]>"
    )
