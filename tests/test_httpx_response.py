"""af.httpx_response(): a real httpx.Response with a fake body, driven by real httpx code."""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Callable

import httpx
import pytest

import asyncfakes as af
from asyncfakes._cm import bind_to_call

# ------------------------------------------------------------- the response


async def test_it_is_a_real_httpx_response_with_a_fake_byte_stream() -> None:
    """It returns an `httpx.Response` whose stream is an `httpx.AsyncByteStream`."""
    response = af.httpx_response(201, chunks=[b"a"], headers={"X-Id": "7"})
    assert type(response) is httpx.Response
    assert isinstance(response.stream, httpx.AsyncByteStream)
    assert (response.status_code, response.headers["x-id"]) == (201, "7")
    assert response.is_stream_consumed is False
    with pytest.raises(httpx.ResponseNotRead):
        _ = response.content


async def test_aread_reads_every_chunk_then_closes() -> None:
    """`aread()` joins the chunks; the body is then closed and consumed."""
    body = af.stream([b"he", b"llo"])
    response = af.httpx_response(chunks=body)
    assert await response.aread() == b"hello"
    assert response.content == b"hello"
    assert (response.is_closed, response.is_stream_consumed) == (True, True)
    assert (body.consumed, body.closed) == (2, True)
    assert af.calls(body)[0].outcome == "returned"


async def test_aiter_bytes_rechunks() -> None:
    """`aiter_bytes(chunk_size)` re-chunks the body as httpx does."""
    response = af.httpx_response(chunks=[b"abc", b"defg"])
    assert [chunk async for chunk in response.aiter_bytes(chunk_size=3)] == [
        b"abc",
        b"def",
        b"g",
    ]


async def test_aiter_raw_gives_the_chunks_as_sent() -> None:
    """`aiter_raw()` gives the chunks as they come."""
    response = af.httpx_response(chunks=[b"ab", b"", b"c"])
    assert [chunk async for chunk in response.aiter_raw()] == [b"ab", b"c"]
    assert response.num_bytes_downloaded == 3


async def test_aiter_text_decodes_with_the_charset() -> None:
    """`aiter_text()` decodes with the Content-Type charset, across chunk boundaries."""
    encoded = "café crème".encode("latin-1")
    response = af.httpx_response(
        chunks=[encoded[:3], encoded[3:]], headers={"Content-Type": "text/plain; charset=latin-1"}
    )
    assert "".join([text async for text in response.aiter_text()]) == "café crème"


async def test_aiter_lines_splits_lines_across_chunks() -> None:
    """`aiter_lines()` splits lines wherever the chunks break, `\\r\\n` included."""
    response = af.httpx_response(chunks=[b"one\r", b"\ntw", b"o\nthree"])
    assert [line async for line in response.aiter_lines()] == ["one", "two", "three"]


async def test_reading_twice_raises_stream_consumed() -> None:
    """Streaming a body a second time raises httpx's `StreamConsumed`."""
    response = af.httpx_response(chunks=[b"a"])
    _ = [chunk async for chunk in response.aiter_raw()]
    with pytest.raises(httpx.StreamConsumed):
        await anext(response.aiter_raw())


async def test_reading_after_aclose_raises_stream_closed() -> None:
    """Reading a closed response raises httpx's `StreamClosed`; the fake stream is closed."""
    body = af.stream([b"a"])
    response = af.httpx_response(chunks=body)
    await response.aclose()
    with pytest.raises(httpx.StreamClosed):
        await response.aread()
    assert (body.closed, af.calls(body)) == (True, [])


async def test_aclose_mid_read_closes_the_stream() -> None:
    """Closing the response while its body is being read ends the read, recorded as cancelled."""
    body = af.stream([b"a", b"b", b"c"])
    response = af.httpx_response(chunks=body)
    reader = response.aiter_raw()
    assert await anext(reader) == b"a"
    await response.aclose()
    (record,) = af.calls(body)
    assert (record.outcome, record.result, body.closed) == ("cancelled", 1, True)
    await reader.aclose()


async def test_raise_for_status_uses_the_placeholder_request() -> None:
    """`raise_for_status()` works as httpx's, against a placeholder GET request."""
    response = af.httpx_response(404, chunks=[b"missing"])
    assert (response.request.method, str(response.request.url)) == (
        "GET",
        "https://asyncfakes.invalid/",
    )
    with pytest.raises(httpx.HTTPStatusError) as caught:
        response.raise_for_status()
    assert str(caught.value) == (
        "Client error '404 Not Found' for url 'https://asyncfakes.invalid/'\n"
        "For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/404"
    )
    assert caught.value.response is response
    assert af.httpx_response(204).raise_for_status().status_code == 204


async def test_an_explicit_request_is_kept() -> None:
    """`request=` replaces the placeholder and is never rebound."""
    request = httpx.Request("DELETE", "https://api.example/users/1")
    response = af.httpx_response(500, request=request)
    get = af.MagicFake(name="AsyncClient.get")
    get("https://api.example/other")
    bind_to_call(response, af.calls(get)[0]._raw)  # type: ignore[attr-defined]
    assert response.request is request
    with pytest.raises(httpx.HTTPStatusError, match=r"^Server error '500 Internal Server Error'"):
        response.raise_for_status()


async def test_json_and_text_bodies_are_already_read() -> None:
    """With `json=` or `text=` the response is read, as `client.get()` returns it."""
    data = af.httpx_response(json={"id": 1})
    assert (data.json(), data.headers["content-type"]) == ({"id": 1}, "application/json")
    text = af.httpx_response(text="hé")
    assert (text.text, text.headers["content-type"]) == ("hé", "text/plain; charset=utf-8")
    empty = af.httpx_response(204)
    assert (empty.content, empty.is_closed) == (b"", True)
    null = af.httpx_response(json=None)
    assert (null.json(), null.headers["content-type"]) == (None, "application/json")
    assert [chunk async for chunk in data.aiter_bytes()] == [b'{"id":1}']


def test_elapsed_is_set() -> None:
    """`elapsed` is readable, as on a response a client has closed."""
    assert af.httpx_response(chunks=[b"a"]).elapsed.total_seconds() == 0


# --------------------------------------------------- learning the call it came from


async def test_a_fake_client_call_gives_the_response_its_request() -> None:
    """Entered from a fake `client.stream(...)` call, it gets that call's method and URL."""
    response = af.httpx_response(503, chunks=[b"busy"])
    client = af.MagicFake(name="client")
    client.stream.return_value = af.async_context(response)
    async with client.stream("POST", "https://api.example/jobs", params={"dry": "1"}) as entered:
        assert entered is response
        with pytest.raises(httpx.HTTPStatusError) as caught:
            entered.raise_for_status()
    assert str(caught.value).splitlines()[0] == (
        "Server error '503 Service Unavailable' for url 'https://api.example/jobs?dry=1'"
    )
    assert response.request.method == "POST"
    assert response.is_closed is True  # the block's exit closed it, as httpx's stream() does


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "method", "url"),
    [
        ("AsyncClient.get", ("https://a.example/x",), {}, "GET", "https://a.example/x"),
        ("client.post", (), {"url": "https://a.example/y"}, "POST", "https://a.example/y"),
        ("request", ("put", "https://a.example/z"), {}, "PUT", "https://a.example/z"),
        (
            "AsyncClient.stream",
            (),
            {"method": "GET", "url": "https://a.example/s", "headers": {"X-A": "1"}},
            "GET",
            "https://a.example/s",
        ),
    ],
)
def test_bind_to_call_takes_method_and_url_from_the_call(
    name: str, args: tuple[object, ...], kwargs: dict[str, object], method: str, url: str
) -> None:
    """Stubbing tells a response the call that returned it: its request follows that call."""
    client_call = af.MagicFake(name=name)
    client_call(*args, **kwargs)
    response = af.httpx_response()
    bind_to_call(response, af.calls(client_call)[0]._raw)  # type: ignore[attr-defined]
    assert (response.request.method, str(response.request.url)) == (method, url)


def test_bind_to_call_takes_the_request_of_send() -> None:
    """A response handed out by `client.send(request)` gets that request."""
    request = httpx.Request("PATCH", "https://a.example/p")
    send = af.MagicFake(name="AsyncClient.send")
    send(request)
    response = af.httpx_response()
    bind_to_call(response, af.calls(send)[0]._raw)  # type: ignore[attr-defined]
    assert response.request is request


def test_bind_to_call_keeps_the_placeholder_for_other_calls() -> None:
    """A call that is not an HTTP verb leaves the placeholder request."""
    other = af.MagicFake(name="cache.get_many")
    other(1)
    response = af.httpx_response()
    bind_to_call(response, af.calls(other)[0]._raw)  # type: ignore[attr-defined]
    assert str(response.request.url) == "https://asyncfakes.invalid/"


# ------------------------------------------------------ driving real httpx code


async def download(
    client: httpx.AsyncClient, url: str, into: io.BytesIO, progress: Callable[[int, int], None]
) -> int:
    """Code under test: stream a download to `into`, reporting (done, total) as it goes."""
    async with client.stream("GET", url) as response:
        response.raise_for_status()
        total = int(response.headers["Content-Length"])
        async for chunk in response.aiter_bytes():
            into.write(chunk)
            progress(response.num_bytes_downloaded, total)
    return into.tell()


def serving(*responses: httpx.Response) -> httpx.AsyncClient:
    """A real httpx client whose transport answers each request with the next response."""
    queue = list(responses)
    return httpx.AsyncClient(transport=httpx.MockTransport(lambda request: queue.pop(0)))


async def test_a_streaming_download_reports_progress() -> None:
    """A real httpx client streams the fake body to a download with a progress callback."""
    body = af.stream([b"ab", b"cde", b"f"], delay=0.001)
    response = af.httpx_response(chunks=body, headers={"Content-Length": "6"})
    progress: list[tuple[int, int]] = []
    into = io.BytesIO()
    async with serving(response) as client:
        size = await download(
            client,
            "https://files.example/a.bin",
            into,
            lambda done, total: progress.append((done, total)),
        )
    assert (size, into.getvalue()) == (6, b"abcdef")
    assert progress == [(2, 6), (5, 6), (6, 6)]
    assert str(response.request.url) == "https://files.example/a.bin"  # set by the client
    assert (body.consumed, body.closed) == (3, True)


async def test_a_download_that_fails_mid_stream_raises_httpx_read_error() -> None:
    """A body failing with `httpx.ReadError` reaches the caller as httpx raises it."""
    body = af.stream([b"ab", b"cd", b"ef"]).fails_after(2, httpx.ReadError("connection reset"))
    into = io.BytesIO()
    async with serving(af.httpx_response(chunks=body, headers={"Content-Length": "6"})) as client:
        with pytest.raises(httpx.ReadError, match=r"^connection reset$") as caught:
            await download(client, "https://files.example/b.bin", into, lambda done, total: None)
    assert into.getvalue() == b"abcd"
    assert str(caught.value.request.url) == "https://files.example/b.bin"
    (record,) = af.calls(body)
    assert (record.outcome, record.result) == ("raised", 2)
    assert body.closed is True  # the client's stream() closed the response on the way out


async def test_a_download_cancelled_mid_stream_closes_the_body() -> None:
    """A download task cancelled while waiting for a chunk leaves the body closed and cancelled."""
    body = af.stream([b"ab", b"cd"], delay=0.05)
    received: list[int] = []
    async with serving(af.httpx_response(chunks=body, headers={"Content-Length": "4"})) as client:
        task = asyncio.create_task(
            download(
                client,
                "https://files.example/c.bin",
                io.BytesIO(),
                lambda done, total: received.append(done),
            )
        )
        while not received:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert received == [2]
    (record,) = af.calls(body)
    assert (record.outcome, record.result, body.closed) == ("cancelled", 1, True)
    assert isinstance(record.exception, asyncio.CancelledError)


async def test_an_error_status_is_raised_before_reading() -> None:
    """`raise_for_status()` in a real client flow raises with the request's URL."""
    response = af.httpx_response(403, chunks=[b"no"])
    async with serving(response) as client:
        with pytest.raises(httpx.HTTPStatusError) as caught:
            await download(client, "https://files.example/d.bin", io.BytesIO(), print)
    assert caught.value.request.url == "https://files.example/d.bin"


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"chunks": [b"a", "b"]},
            TypeError,
            "af.httpx_response(): chunk 1 is str 'b'; an HTTP body is made of bytes "
            "(encode it: b'...' or text.encode()).",
        ),
        (
            {"chunks": [b"a", 7]},
            TypeError,
            "af.httpx_response(): chunk 1 is int 7; an HTTP body is made of bytes.",
        ),
        (
            {"chunks": b"abc"},
            TypeError,
            "af.httpx_response(): chunks must be an iterable of chunks, got a single bytes "
            "(bytes b'abc'); wrap it in a list: chunks=[...].",
        ),
        (
            {"chunks": [b"a"], "json": {"a": 1}},
            TypeError,
            "af.httpx_response(): pass one body, got chunks= and json=; use chunks= for a "
            "streamed body, json= or text= for a body read at once.",
        ),
        (
            {"status_code": "200"},
            TypeError,
            "af.httpx_response(): status_code must be an int, got str '200'.",
        ),
        (
            {"status_code": 42},
            ValueError,
            "af.httpx_response(): status_code must be an HTTP status from 100 to 999, got 42.",
        ),
        (
            {"request": "GET /"},
            TypeError,
            "af.httpx_response(): request must be an httpx.Request, got str 'GET /'.",
        ),
        (
            {"headers": 42},
            TypeError,
            "af.httpx_response(): headers must be a mapping or a list of (name, value) pairs, "
            "got int 42.",
        ),
        (
            {"headers": [("X-A", "1"), ("X-B",)]},
            TypeError,
            "af.httpx_response(): header 1 is tuple ('X-B',); a header is a (name, value) "
            "pair of str.",
        ),
        (
            {"headers": {"X-A": 1}},
            TypeError,
            "af.httpx_response(): header 0 is tuple ('X-A', 1); a header is a (name, value) "
            "pair of str.",
        ),
    ],
)
def test_bad_arguments_are_refused(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    """Bad arguments are refused at once, naming the builder and the argument."""
    with pytest.raises(error) as caught:
        af.httpx_response(**kwargs)  # type: ignore[arg-type]
    assert str(caught.value) == message


async def test_a_non_bytes_chunk_from_a_generator_fails_when_read() -> None:
    """A non-bytes chunk from a generator is refused when httpx reads it."""
    response = af.httpx_response(chunks=iter([b"a", "b"]))  # type: ignore[list-item]
    with pytest.raises(TypeError) as caught:
        await response.aread()
    assert str(caught.value) == (
        "af.httpx_response(): chunk 1 is str 'b'; an HTTP body is made of bytes "
        "(encode it: b'...' or text.encode())."
    )


def test_a_text_stream_is_refused() -> None:
    """An `af.stream` of str is refused as an httpx body, at once when its chunks are a list."""
    with pytest.raises(TypeError) as caught:
        af.httpx_response(chunks=af.stream(["a"]))  # type: ignore[arg-type]
    assert str(caught.value) == (
        "af.httpx_response(): chunk 0 is str 'a'; an HTTP body is made of bytes "
        "(encode it: b'...' or text.encode())."
    )


# ------------------------------------------------- with af.fake() and af.when()


async def test_when_client_stream_enters_the_response() -> None:
    """`af.when(client.stream).enters(...)` drives `async with client.stream(...)` code."""
    client = af.fake(httpx.AsyncClient)
    body = af.stream([b"ab", b"cd"])
    response = af.httpx_response(chunks=body, headers={"Content-Length": "4"})
    af.when(client.stream).enters(response)
    received: list[int] = []
    into = io.BytesIO()
    size = await download(
        client, "https://files.example/e.bin", into, lambda done, total: received.append(done)
    )
    assert (size, received) == (4, [2, 4])
    assert str(response.request.url) == "https://files.example/e.bin"
    assert (response.is_closed, body.closed) == (True, True)
    af.verify(client.stream).called_once_with("GET", "https://files.example/e.bin")


async def test_when_client_get_returns_the_response_with_its_request() -> None:
    """A response returned by a stubbed `client.get(url)` raises for status with that URL."""
    client = af.fake(httpx.AsyncClient)
    af.when(client.get).returns(af.httpx_response(404, json={"error": "missing"}))
    response = await client.get("https://api.example/users/9")
    assert response.json() == {"error": "missing"}
    with pytest.raises(httpx.HTTPStatusError) as caught:
        response.raise_for_status()
    assert caught.value.request.url == "https://api.example/users/9"


async def test_when_client_stream_fails_mid_way() -> None:
    """A stubbed `client.stream` whose body breaks raises httpx's error in the reading code."""
    client = af.fake(httpx.AsyncClient)
    body = af.stream([b"ab", b"cd"]).fails_after(1, httpx.ReadError("reset"))
    af.when(client.stream).enters(af.httpx_response(chunks=body, headers={"Content-Length": "4"}))
    with pytest.raises(httpx.ReadError):
        await download(client, "https://files.example/f.bin", io.BytesIO(), print)
    assert (af.calls(body)[0].outcome, body.closed) == ("raised", True)


def test_without_httpx_installed_the_builder_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without httpx, `af.httpx_response()` says that it needs it."""
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(ModuleNotFoundError) as caught:
        af.httpx_response()
    assert str(caught.value) == (
        "af.httpx_response() builds a real httpx response, but httpx is not installed: "
        "pip install httpx"
    )
