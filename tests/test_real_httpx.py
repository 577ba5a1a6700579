"""Spec'd fakes of httpx.AsyncClient and httpx.Response driving real client code."""

from __future__ import annotations

import inspect
import os
from typing import Any

import httpx
import pytest

import asyncfakes as af


class GitHub:
    """Client code as it is written against httpx."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def user(self, login: str) -> dict[str, Any]:
        response = await self.client.get(f"https://api.github.com/users/{login}", timeout=5.0)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def open_issue(self, repo: str, title: str) -> int:
        response = await self.client.post(
            f"https://api.github.com/repos/{repo}/issues", json={"title": title}
        )
        if response.status_code != 201:
            raise RuntimeError(f"not created: {response.status_code}")
        number: int = response.json()["number"]
        return number

    async def download(self, url: str) -> tuple[bytes, list[int]]:
        progress: list[int] = []
        body = b""
        async with self.client.stream("GET", url) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                body += chunk
                progress.append(len(body))
        return body, progress


async def test_get_json_through_a_spec_d_client() -> None:
    """A stubbed get() returns a real httpx.Response; its request is the call's."""
    client = af.fake(httpx.AsyncClient)
    af.when(client.get).called_with("https://api.github.com/users/octocat", timeout=5.0).returns(
        af.httpx_response(200, json={"login": "octocat"})
    )
    assert await GitHub(client).user("octocat") == {"login": "octocat"}
    af.verify(client.get).awaited_once_with(url="https://api.github.com/users/octocat", timeout=5.0)


async def test_a_404_raises_httpx_s_own_error() -> None:
    """raise_for_status() of the stubbed response raises httpx.HTTPStatusError."""
    client = af.fake(httpx.AsyncClient)
    af.when(client.get).returns(af.httpx_response(404))
    with pytest.raises(httpx.HTTPStatusError, match="404 Not Found"):
        await GitHub(client).user("ghost")


async def test_a_connection_error_is_raised_from_the_await() -> None:
    """raises(httpx.ConnectError(...)) fails the awaited call with httpx's error."""
    client = af.fake(httpx.AsyncClient)
    af.when(client.get).raises(httpx.ConnectError("connection refused"))
    with pytest.raises(httpx.ConnectError, match="connection refused"):
        await GitHub(client).user("octocat")
    (record,) = af.calls(client.get)
    assert record.outcome == "raised"


async def test_post_with_a_fake_response() -> None:
    """A fake(httpx.Response) has the real response's attributes, settable and stubbable."""
    client = af.fake(httpx.AsyncClient)
    response = af.fake(httpx.Response)
    response.status_code = 201
    af.when(response.json).returns({"number": 7})
    af.when(client.post).returns(response)
    assert await GitHub(client).open_issue("o/r", "bug") == 7
    af.verify(client.post).awaited_once_with(
        "https://api.github.com/repos/o/r/issues", json={"title": "bug"}
    )


async def test_streaming_download_with_progress() -> None:
    """client.stream() is an async context manager; enters() hands out a streamed response."""
    client = af.fake(httpx.AsyncClient)
    af.when(client.stream).enters(af.httpx_response(200, chunks=[b"ab", b"cd", b"e"]))
    body, progress = await GitHub(client).download("https://files/x")
    assert body == b"abcde"
    assert progress == [2, 4, 5]
    af.verify(client.stream).called_once_with("GET", "https://files/x")


async def test_unstubbed_calls_return_spec_d_responses() -> None:
    """Without stubs, get() gives a fake spec'd to httpx.Response, not a bare mock."""
    client = af.fake(httpx.AsyncClient)
    response = await client.get("https://a")
    assert isinstance(response, httpx.Response)
    with pytest.raises(AttributeError, match=r"Did you mean 'status_code'\?$"):
        response.status


async def test_typos_in_client_code_are_caught() -> None:
    """A misspelled keyword fails like httpx would, naming the real signature."""
    client = af.fake(httpx.AsyncClient)
    with pytest.raises(TypeError) as caught:
        await client.get("https://a", tiemout=5)
    assert str(caught.value).splitlines()[0] == (
        "AsyncClient.get() got an unexpected keyword argument 'tiemout'. Did you mean 'timeout'?"
    )
    assert str(caught.value).splitlines()[2] == (
        "  signature: AsyncClient.get(url, *, params=..., headers=..., cookies=..., auth=..., "
        "follow_redirects=..., timeout=..., extensions=...)"
    )


async def test_the_client_as_a_context_manager() -> None:
    """`async with fake(httpx.AsyncClient) as client` gives the fake, stubs included."""
    client = af.fake(httpx.AsyncClient)
    af.when(client.get).returns(af.httpx_response(200, json={"login": "a"}))
    async with client as entered:
        assert await GitHub(entered).user("a") == {"login": "a"}
    client.is_closed = True  # a property is a settable value
    assert client.is_closed is True


async def test_a_stream_read_through_httpx_is_recorded_at_the_reading_line() -> None:
    """An iteration httpx drives is recorded (and reported as leaked) at the test's line."""
    client = af.fake(httpx.AsyncClient)
    body = af.stream([b"a\n", b"b\n"], name="body")
    af.when(client.get).returns(af.httpx_response(chunks=body))
    sandbox = af.Sandbox().__enter__()
    response = await client.get("https://api.example/lines")
    lines = response.aiter_lines()
    line = inspect.currentframe().f_lineno  # type: ignore[union-attr]
    assert await anext(lines) == "a"  # line + 1
    with pytest.raises(af.LeakError) as leak:
        sandbox.close()
    site = f"{os.path.relpath(__file__)}:{line + 1}"
    assert af.calls(body)[0].site == site
    assert str(leak.value).splitlines()[1] == (
        f"  1. body: the iteration started at {site} was neither exhausted nor closed. "
        "Iterate it to the end, or close it (`await it.aclose()`, "
        "`async with contextlib.aclosing(it)`)."
    )
    await lines.aclose()
