"""af.aiohttp_response(): aiohttp's response and reader over a fake body, checked against a
real aiohttp server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import asyncfakes as af

# ------------------------------------------------------------- the response


async def test_it_is_an_aiohttp_response_with_a_real_stream_reader() -> None:
    """It is an `aiohttp.ClientResponse` whose `content` is an `aiohttp.StreamReader`."""
    response = af.aiohttp_response(201, chunks=[b"a"], headers={"X-Id": "7"})
    assert isinstance(response, aiohttp.ClientResponse)
    assert isinstance(response.content, aiohttp.StreamReader)
    assert (response.status, response.reason, response.ok) == (201, "Created", True)
    assert response.headers["x-id"] == "7"
    assert (response.method, str(response.url)) == ("GET", "https://asyncfakes.invalid/")
    assert af.aiohttp_response(299).reason == ""
    assert af.aiohttp_response(200, reason="Fine").reason == "Fine"


async def test_async_with_reads_and_releases() -> None:
    """`async with response` reads the body and releases it on exit; the stream is closed."""
    body = af.stream([b"he", b"llo"])
    response = af.aiohttp_response(chunks=body)
    async with response:
        assert await response.read() == b"hello"
    assert response.closed is True
    assert (body.consumed, body.closed) == (2, True)
    assert af.calls(body)[0].outcome == "returned"


async def test_iter_chunked_follows_the_chunks_as_they_arrive() -> None:
    """`iter_chunked(n)` gives at most n bytes of what has arrived, as on a network."""
    response = af.aiohttp_response(chunks=[b"abcde", b"fg"])
    assert [chunk async for chunk in response.content.iter_chunked(3)] == [b"abc", b"de", b"fg"]


async def test_iter_any_gives_each_chunk() -> None:
    """`iter_any()` gives the data of each chunk as it arrives."""
    response = af.aiohttp_response(chunks=[b"ab", b"c"])
    assert [chunk async for chunk in response.content.iter_any()] == [b"ab", b"c"]


async def test_readline_and_async_for_read_lines_across_chunks() -> None:
    """`readline()` and `async for line in content` join lines split across chunks."""
    response = af.aiohttp_response(chunks=[b"one\ntw", b"o\nthr", b"ee"])
    assert await response.content.readline() == b"one\n"
    assert [line async for line in response.content] == [b"two\n", b"three"]
    assert await response.content.readline() == b""
    assert response.content.at_eof()


async def test_read_n_and_readexactly() -> None:
    """`read(n)` and `readexactly(n)` behave as aiohttp's."""
    response = af.aiohttp_response(chunks=[b"ab", b"cd", b"e"])
    assert await response.content.read(1) == b"a"
    assert await response.content.readexactly(3) == b"bcd"
    with pytest.raises(asyncio.IncompleteReadError):
        await response.content.readexactly(5)


async def test_json_text_and_the_content_type_check() -> None:
    """`.json()` and `.text()` work as aiohttp's, including its Content-Type check."""
    assert await af.aiohttp_response(json={"id": 1}).json() == {"id": 1}
    assert await af.aiohttp_response(text="hé").text() == "hé"
    latin = af.aiohttp_response(
        chunks=["café".encode("latin-1")], headers={"Content-Type": "text/plain; charset=latin-1"}
    )
    assert await latin.text() == "café"
    with pytest.raises(aiohttp.ContentTypeError) as caught:
        await af.aiohttp_response(text="{}").json()
    assert caught.value.message == (
        "Attempt to decode JSON with unexpected mimetype: text/plain; charset=utf-8"
    )
    assert await af.aiohttp_response(text="[1]").json(content_type=None) == [1]


async def test_raise_for_status_raises_client_response_error() -> None:
    """`raise_for_status()` raises aiohttp's `ClientResponseError` for 4xx/5xx."""
    response = af.aiohttp_response(404)
    with pytest.raises(aiohttp.ClientResponseError) as caught:
        response.raise_for_status()
    assert (caught.value.status, caught.value.message) == (404, "Not Found")
    assert str(caught.value) == "404, message='Not Found', url='https://asyncfakes.invalid/'"
    assert response.closed is True  # released, as aiohttp does outside `async with`
    af.aiohttp_response(204).raise_for_status()


async def test_reading_after_release_fails_as_aiohttp_does() -> None:
    """After `release()`, reading raises aiohttp's "Connection closed" error."""
    body = af.stream([b"a", b"b"])
    response = af.aiohttp_response(chunks=body)
    assert await response.content.read(1) == b"a"
    response.release()
    with pytest.raises(aiohttp.ClientConnectionError, match=r"^Connection closed$"):
        await response.read()
    (record,) = af.calls(body)
    assert (record.outcome, body.closed) == ("cancelled", True)


async def test_a_failing_body_raises_the_payload_error_on_every_read() -> None:
    """A body failing with `ClientPayloadError` raises it, and again on the next read."""
    error = aiohttp.ClientPayloadError("Response payload is not completed")
    response = af.aiohttp_response(chunks=af.stream([b"a\n", b"b"]).fails_after(1, error))
    assert await response.content.readline() == b"a\n"
    with pytest.raises(aiohttp.ClientPayloadError):
        await response.content.readline()
    assert response.content.exception() is error
    with pytest.raises(aiohttp.ClientPayloadError):
        await response.content.read()


async def test_a_stalled_body_times_out_and_then_reads_as_closed() -> None:
    """A stalled body times out in the reader; what is left of it is gone, as on a dropped link."""
    body = af.stream([b"a\n", b"b\n"]).stalls_after(1)
    response = af.aiohttp_response(chunks=body)
    assert await response.content.readline() == b"a\n"
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(response.content.readline(), timeout=0.05)
    assert af.calls(body)[0].outcome == "cancelled"
    with pytest.raises(aiohttp.ClientConnectionError, match=r"^Connection closed$"):
        await response.content.readline()


async def test_two_concurrent_reads_are_refused() -> None:
    """Two coroutines reading at once get aiohttp's RuntimeError."""
    response = af.aiohttp_response(chunks=af.stream([b"a\n"], delay=0.05))
    first = asyncio.create_task(response.content.readline())
    await asyncio.sleep(0.01)
    with pytest.raises(RuntimeError) as caught:
        await response.content.readline()
    assert str(caught.value) == (
        "readuntil() called while another coroutine is already waiting for incoming data"
    )
    assert await first == b"a\n"


async def test_awaited_and_entered_like_session_get() -> None:
    """As what a fake `session.get()` gives: awaited, or entered and released on exit."""
    awaited = af.aiohttp_response(json={"n": 1})
    request = af.async_context(awaited, awaitable=True)
    response = await request
    assert await response.json() == {"n": 1}
    response.release()
    entered = af.aiohttp_response(chunks=af.stream([b"x", b"y"]))
    async with af.async_context(entered, awaitable=True) as response:
        assert await response.content.read(1) == b"x"
    assert entered.closed is True


async def test_a_fake_session_call_gives_the_response_its_url() -> None:
    """Entered from a fake `session.get(url)` call, it gets that call's method and URL."""
    response = af.aiohttp_response(500)
    session = af.MagicFake(name="session")
    session.post.return_value = af.async_context(response, awaitable=True)
    async with session.post("https://api.example/jobs", json={}) as entered:
        with pytest.raises(aiohttp.ClientResponseError) as caught:
            entered.raise_for_status()
    assert str(caught.value) == (
        "500, message='Internal Server Error', url='https://api.example/jobs'"
    )
    assert (response.method, response.request_info.method) == ("POST", "POST")


# ---------------------------------------------------- against a real aiohttp server

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@contextlib.asynccontextmanager
async def real_server(handler: Handler) -> AsyncIterator[TestServer]:
    """A real aiohttp server on localhost answering every path with `handler`."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = TestServer(app)
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


def streaming(chunks: list[bytes], content_type: str) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": content_type})
        await response.prepare(request)
        for chunk in chunks:
            await response.write(chunk)
            await asyncio.sleep(0.002)
        await response.write_eof()
        return response

    return handle


async def both(
    handler: Handler, fake: aiohttp.ClientResponse, read: Callable[[aiohttp.ClientResponse], Any]
) -> tuple[object, object]:
    """What `read` gives (or raises) for the real server's response and for the fake."""

    async def outcome(response: aiohttp.ClientResponse) -> object:
        try:
            return await read(response)
        except Exception as error:
            return (type(error), str(error).replace(str(response.url), "<url>"))

    async with real_server(handler) as server, aiohttp.ClientSession() as session:
        url = server.make_url("/items")
        async with session.get(url) as real:
            from_real = await outcome(real)
    requester = af.MagicFake(name="session.get")
    requester.return_value = af.async_context(fake, awaitable=True)
    async with requester(str(url)) as entered:
        from_fake = await outcome(entered)
    return from_real, from_fake


LINES = [b"alpha\nbe", b"ta\n", b"\ngamma\ndel", b"ta"]


async def readlines(response: aiohttp.ClientResponse) -> list[bytes]:
    return [line async for line in response.content]


async def read_chunked_joined(response: aiohttp.ClientResponse) -> bytes:
    return b"".join([chunk async for chunk in response.content.iter_chunked(4)])


@pytest.mark.parametrize(
    "read",
    [
        readlines,
        read_chunked_joined,
        lambda response: response.read(),
        lambda response: response.text(),
        lambda response: response.json(),
    ],
    ids=["lines", "iter_chunked", "read", "text", "json-with-wrong-type"],
)
async def test_reading_matches_a_real_server(
    read: Callable[[aiohttp.ClientResponse], Any],
) -> None:
    """Lines, chunks, read(), text() and json()'s Content-Type error match a real server's."""
    handler = streaming(LINES, "text/plain; charset=utf-8")
    fake = af.aiohttp_response(chunks=LINES, headers={"Content-Type": "text/plain; charset=utf-8"})
    from_real, from_fake = await both(handler, fake, read)
    assert from_fake == from_real


async def test_json_matches_a_real_server() -> None:
    """A JSON body decodes the same as a real server's `json_response`."""

    async def handle(request: web.Request) -> web.StreamResponse:
        return web.json_response({"users": [1, 2]})

    fake = af.aiohttp_response(json={"users": [1, 2]})
    from_real, from_fake = await both(handle, fake, lambda response: response.json())
    assert from_fake == from_real == {"users": [1, 2]}


@pytest.mark.parametrize("status", [404, 503])
async def test_raise_for_status_matches_a_real_server(status: int) -> None:
    """`raise_for_status()` raises the same error, with the same text, as a real server's."""

    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, text="no")

    async def check(response: aiohttp.ClientResponse) -> None:
        response.raise_for_status()

    from_real, from_fake = await both(handle, af.aiohttp_response(status, text="no"), check)
    assert from_fake == from_real
    assert isinstance(from_real, tuple)
    assert from_real[0] is aiohttp.ClientResponseError


async def test_reading_after_release_matches_a_real_server() -> None:
    """Reading a released response fails the same way as on a real connection."""

    async def released(response: aiohttp.ClientResponse) -> bytes:
        response.release()
        return await response.read()

    handler = streaming([b"abc"], "text/plain")
    fake = af.aiohttp_response(chunks=[b"abc"], headers={"Content-Type": "text/plain"})
    from_real, from_fake = await both(handler, fake, released)
    assert from_fake == from_real == (aiohttp.ClientConnectionError, "Connection closed")


# ------------------------------------------------------ driving real aiohttp code


async def read_records(session: aiohttp.ClientSession, url: str) -> list[dict[str, Any]]:
    """Code under test: an NDJSON line reader that skips blank lines."""
    records = []
    async with session.get(url) as response:
        response.raise_for_status()
        async for line in response.content:
            if line.strip():
                records.append(json.loads(line))
    return records


async def test_an_ndjson_line_reader() -> None:
    """A real aiohttp-style line reader parses records split across chunks, with delays."""
    body = af.stream([b'{"id": 1}\n{"i', b'd": 2}\n', b"\n", b'{"id": 3}'], delay=0.001)
    response = af.aiohttp_response(chunks=body, headers={"Content-Type": "application/x-ndjson"})
    session = af.MagicFake(name="session", spec=aiohttp.ClientSession)
    session.get.return_value = af.async_context(response, awaitable=True)
    records = await read_records(session, "https://api.example/export")
    assert records == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert str(response.url) == "https://api.example/export"
    assert (body.consumed, body.closed, response.closed) == (4, True, True)


async def test_an_ndjson_reader_cut_mid_stream() -> None:
    """The reader sees aiohttp's payload error when the body is cut, and the stream records it."""
    error = aiohttp.ClientPayloadError("Response payload is not completed")
    body = af.stream([b'{"id": 1}\n', b'{"id": 2}\n']).fails_after(1, error)
    response = af.aiohttp_response(chunks=body)
    session = af.MagicFake(name="session")
    session.get.return_value = af.async_context(response, awaitable=True)
    with pytest.raises(aiohttp.ClientPayloadError):
        await read_records(session, "https://api.example/export")
    assert af.calls(body)[0].outcome == "raised"
    assert response.closed is True


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"chunks": ["text"]},
            TypeError,
            "af.aiohttp_response(): chunk 0 is str 'text'; an HTTP body is made of bytes "
            "(encode it: b'...' or text.encode()).",
        ),
        (
            {"chunks": "text"},
            TypeError,
            "af.aiohttp_response(): chunks must be an iterable of chunks, got a single str "
            "(str 'text'); wrap it in a list: chunks=[...].",
        ),
        (
            {"text": "a", "json": 1},
            TypeError,
            "af.aiohttp_response(): pass one body, got json= and text=; use chunks= for a "
            "streamed body, json= or text= for a body read at once.",
        ),
        (
            {"text": b"a"},
            TypeError,
            "af.aiohttp_response(): text must be a str, got bytes b'a'.",
        ),
        (
            {"status": 200.0},
            TypeError,
            "af.aiohttp_response(): status must be an int, got float 200.0.",
        ),
        (
            {"status": 1000},
            ValueError,
            "af.aiohttp_response(): status must be an HTTP status from 100 to 999, got 1000.",
        ),
        (
            {"headers": "Content-Type: text/plain"},
            TypeError,
            "af.aiohttp_response(): headers must be a mapping or a list of (name, value) "
            "pairs, got str 'Content-Type: text/plain'.",
        ),
    ],
)
def test_bad_arguments_are_refused(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    """Bad arguments are refused at once, naming the builder and the argument."""
    with pytest.raises(error) as caught:
        af.aiohttp_response(**kwargs)  # type: ignore[arg-type]
    assert str(caught.value) == message


# ------------------------------------------------- with af.fake() and af.when()


async def test_when_session_get_enters_the_response_awaited_or_entered() -> None:
    """`af.when(session.get).enters(...)` works both awaited and as `async with`."""
    session = af.fake(aiohttp.ClientSession)
    response = af.aiohttp_response(json={"id": 1})
    af.when(session.get).enters(response)
    awaited = await session.get("https://api.example/a")
    assert (awaited is response, str(awaited.url)) == (True, "https://api.example/a")
    assert await awaited.json() == {"id": 1}
    async with session.get("https://api.example/b") as entered:
        assert str(entered.url) == "https://api.example/b"  # the latest call's URL
    assert response.closed is True


async def test_when_session_get_drives_the_line_reader() -> None:
    """The NDJSON reader runs against a spec'd session stubbed with `when`."""
    session = af.fake(aiohttp.ClientSession)
    body = af.stream([b'{"id": 1}\n', b'{"id": 2}\n'], delay=0.001)
    af.when(session.get).enters(af.aiohttp_response(chunks=body))
    assert await read_records(session, "https://api.example/export") == [{"id": 1}, {"id": 2}]
    assert body.closed is True
    af.verify(session.get).called_once_with("https://api.example/export")


def test_without_aiohttp_installed_the_builder_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without aiohttp, `af.aiohttp_response()` says that it needs it."""
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    with pytest.raises(ModuleNotFoundError) as caught:
        af.aiohttp_response()
    assert str(caught.value) == (
        "af.aiohttp_response() builds a real aiohttp response, but aiohttp is not installed: "
        "pip install aiohttp"
    )
