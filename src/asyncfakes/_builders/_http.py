"""Shaped adapters: fake bodies inside the real HTTP libraries' response types.

`af.httpx_response()` returns a real `httpx.Response` whose body is a
`FakeStream` behind an `httpx.AsyncByteStream`, so every reading method,
`raise_for_status()` and the closed/consumed checks are httpx's own code.
`af.aiohttp_response()` returns an `aiohttp.ClientResponse` (a subclass that
skips the connection set-up) whose `content` is a real `aiohttp.StreamReader`
fed from the fake stream as the reader asks for data: `readline`,
`iter_chunked`, `iter_any`, `read`, `json`, `raise_for_status` are aiohttp's
own code, with aiohttp's own errors.

Each library is imported when its adapter is first used; neither is a
dependency of asyncfakes. A response learns the call it was returned or
entered from (`set_value_hooks`): its request then has that call's method and
URL, and an `async with` block that entered it closes it on exit, as the real
clients' context managers do.
"""

from __future__ import annotations

import functools
import http
import json as jsonlib
import weakref
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final, cast

from .._cm import set_value_hooks
from .._iter import describe_value
from ._streams import FakeStream, check_chunks

if TYPE_CHECKING:
    import aiohttp
    import httpx

__all__ = ["aiohttp_response", "httpx_response"]

PLACEHOLDER_URL: Final = "https://asyncfakes.invalid/"
"""The URL of a response's request until it learns the call it came from."""


class _Missing:
    def __repr__(self) -> str:
        return "<no json>"


_MISSING: Final[Any] = _Missing()

Headers = Mapping[str, str] | Sequence[tuple[str, str]]

_VERB_METHODS: Final = frozenset({"get", "head", "options", "delete", "post", "put", "patch"})


def _import(module: str, builder: str) -> Any:
    try:
        return __import__(module)
    except ImportError as error:
        raise ModuleNotFoundError(
            f"af.{builder}() builds a real {module} response, but {module} is not "
            f"installed: pip install {module}"
        ) from error


def _body_stream(chunks: object, where: str, name: str) -> FakeStream[bytes]:
    """The chunks as a FakeStream of bytes, checked as HTTP bodies are (bytes only)."""
    body: FakeStream[bytes]
    if not isinstance(chunks, FakeStream):
        check_chunks(chunks, where)
        body = FakeStream(
            cast("Iterable[bytes]", chunks),
            name=name,
            builder=where.removesuffix("()"),
            bytes_only=True,
        )
    else:
        body = cast("FakeStream[bytes]", chunks)
        body.require_bytes(where)
    return body


def _one_body(where: str, **given: object) -> None:
    passed = [f"{name}=" for name, value in given.items() if value is not None]
    if len(passed) > 1:
        raise TypeError(
            f"{where}: pass one body, got {' and '.join(passed)}; use chunks= for a streamed "
            "body, json= or text= for a body read at once."
        )


def _ensure_status(status: object, where: str, argument: str) -> int:
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(f"{where}: {argument} must be an int, got {describe_value(status)}.")
    if not 100 <= status <= 999:
        raise ValueError(
            f"{where}: {argument} must be an HTTP status from 100 to 999, got {status}."
        )
    return status


def _call_method_and_url(
    name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> tuple[str, Any] | None:
    """The HTTP method and URL of a client call such as ``AsyncClient.get('https://a')``."""
    member = name.rsplit(".", 1)[-1].lower()
    if member in ("stream", "request"):
        method = args[0] if args else kwargs.get("method")
        rest = args[1:]
    elif member in _VERB_METHODS:
        method = member.upper()
        rest = args
    else:
        return None
    url = rest[0] if rest else kwargs.get("url", kwargs.get("str_or_url"))
    if not isinstance(method, str) or url is None:
        return None
    return method.upper(), url


# -------------------------------------------------------------------- httpx


@functools.cache
def _httpx_body_type() -> type[Any]:
    import httpx

    class FakeHttpxStream(httpx.AsyncByteStream):
        """An httpx response body read from a `FakeStream`."""

        def __init__(self, stream: FakeStream[bytes]) -> None:
            self.fake = stream

        def __aiter__(self) -> AsyncIterator[bytes]:
            return self.fake.__aiter__()

        async def aclose(self) -> None:
            await self.fake.aclose()

        def __repr__(self) -> str:
            return f"<FakeHttpxStream {self.fake!r}>"

    return FakeHttpxStream


def _httpx_hooks(response: httpx.Response, bind_request: bool) -> None:
    import httpx

    ref = weakref.ref(response)  # hooks live as long as the response: never hold it

    def bind(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        target = ref()
        if target is None or not bind_request:
            return
        if name.rsplit(".", 1)[-1] == "send":
            request = args[0] if args else kwargs.get("request")
            if isinstance(request, httpx.Request):
                target.request = request
            return
        found = _call_method_and_url(name, args, kwargs)
        if found is None:
            return
        try:
            target.request = httpx.Request(
                found[0], found[1], params=kwargs.get("params"), headers=kwargs.get("headers")
            )
        except Exception:  # arguments httpx itself would reject: keep the placeholder
            return

    async def on_exit() -> None:
        target = ref()
        if target is not None:
            await target.aclose()

    set_value_hooks(response, bind=bind, on_exit=on_exit)


def httpx_response(
    status_code: int = 200,
    *,
    chunks: Iterable[bytes] | FakeStream[bytes] | None = None,
    headers: Headers | None = None,
    json: Any = _MISSING,
    text: str | None = None,
    request: httpx.Request | None = None,
) -> httpx.Response:
    """Build a real `httpx.Response` with a fake body.

    With `chunks=`, the body is streamed (as from `client.stream(...)`): read it
    with `aiter_bytes`/`aiter_text`/`aiter_lines`/`aiter_raw` or `aread`; it
    can be read once, and reading a closed or consumed body raises httpx's
    `StreamClosed`/`StreamConsumed`. Pass an `af.stream(...)` to add delays or
    failures (`fails_after(2, httpx.ReadError(...))`) and to check
    `consumed`/`closed` afterwards. With `json=`, `text=` or no body, the
    response is already read, as `client.get(...)` returns it.

    `response.request` is a placeholder ``GET https://asyncfakes.invalid/``
    until the response is handed out by a fake call (stubbed with
    `af.when(...)`, or the `return_value` of a fake's method that returns a
    context): then it is that call's method and URL, so
    `raise_for_status()` names the URL the code asked for. An `async with`
    block that entered it (`client.stream(...)`) closes it on exit.

    Args:
        status_code: the HTTP status.
        chunks: the streamed body: bytes chunks (a list, any iterable, or an `af.stream`).
        headers: response headers.
        json: a body encoded as JSON (with ``Content-Type: application/json``).
        text: a text body (``text/plain; charset=utf-8``).
        request: the request, instead of the placeholder or the call's.

    Returns:
        An `httpx.Response`.

    Raises:
        TypeError: a chunk is not bytes, more than one body is given, or
            `status_code` is not an int.
        ModuleNotFoundError: httpx is not installed.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> response = af.httpx_response(chunks=[b"line 1\\nli", b"ne 2\\n"])
        >>> async def lines():
        ...     return [line async for line in response.aiter_lines()]
        >>> asyncio.run(lines())
        ['line 1', 'line 2']
        >>> response.is_stream_consumed, response.is_closed
        (True, True)
    """
    where = "af.httpx_response()"
    httpx_module = _import("httpx", "httpx_response")
    status_code = _ensure_status(status_code, where, "status_code")
    headers = _ensure_headers(headers, where)
    _one_body(where, chunks=chunks, json=None if json is _MISSING else json, text=text)
    if json is None:  # a JSON null body, which httpx would take for "no body"
        json = _MISSING
        text = None
        headers = [*_header_pairs(headers), ("Content-Type", "application/json")]
        content: bytes | None = b"null"
    else:
        content = None
    if request is not None and not isinstance(request, httpx_module.Request):
        raise TypeError(
            f"{where}: request must be an httpx.Request, got {describe_value(request)}."
        )
    if chunks is not None:
        body = _body_stream(chunks, where, "httpx_response.body")
        headers = _with_content_type(headers, body)
        response = httpx_module.Response(
            status_code, headers=headers, stream=_httpx_body_type()(body), request=request
        )
    else:
        response = httpx_module.Response(
            status_code,
            headers=headers,
            content=content,
            text=text,
            json=None if json is _MISSING else json,
            request=request,
        )
    if request is None:
        response.request = httpx_module.Request("GET", PLACEHOLDER_URL)
    # A client sets it when the body is closed; code that logs it must not crash.
    response.elapsed = timedelta(0)
    _httpx_hooks(response, bind_request=request is None)
    return cast("httpx.Response", response)


def _with_content_type(headers: Headers | None, body: FakeStream[bytes]) -> Headers | None:
    """`headers`, plus the body's own Content-Type (an `af.sse` body) when they have none."""
    if body.content_type is None:
        return headers
    pairs = _header_pairs(headers)
    if any(key.lower() == "content-type" for key, _ in pairs):
        return headers
    return [*pairs, ("Content-Type", body.content_type)]


def _is_header(pair: object) -> bool:
    if not isinstance(pair, (tuple, list)):
        return False
    parts: tuple[object, ...] = tuple(cast("Iterable[object]", pair))
    return len(parts) == 2 and all(isinstance(part, str) for part in parts)


def _ensure_headers(headers: object, where: str) -> list[tuple[str, str]] | None:
    """`headers` as (name, value) pairs of str, or a TypeError naming `where`."""
    if headers is None:
        return None
    if isinstance(headers, Mapping):
        pairs: list[object] = list(cast("Mapping[object, object]", headers).items())
    elif isinstance(headers, (str, bytes)) or not isinstance(headers, Iterable):
        raise TypeError(
            f"{where}: headers must be a mapping or a list of (name, value) pairs, "
            f"got {describe_value(headers)}."
        )
    else:
        pairs = list(cast("Iterable[object]", headers))
    checked: list[tuple[str, str]] = []
    for index, pair in enumerate(pairs):
        if not _is_header(pair):
            raise TypeError(
                f"{where}: header {index} is {describe_value(pair)}; a header is a "
                "(name, value) pair of str."
            )
        name, value = cast("tuple[str, str]", pair)
        checked.append((name, value))
    return checked


def _header_pairs(headers: Headers | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)


# ------------------------------------------------------------------ aiohttp


class _Protocol:
    """What an `aiohttp.StreamReader` asks of its connection: nothing, here."""

    connected = True
    upgraded = False

    def pause_reading(self) -> None:
        """Flow control has nothing to pause: chunks are pulled on demand."""

    def resume_reading(self, resume_parser: bool = True) -> None:
        """Flow control has nothing to resume."""


class _NoLoop:
    """The reader's loop: never used, since the reader pulls instead of waiting for feeds."""

    def create_future(self) -> Any:  # pragma: no cover - every user is overridden
        raise RuntimeError("the fake aiohttp reader does not wait on its loop")

    def get_debug(self) -> bool:
        return False


@functools.cache
def _aiohttp_types() -> tuple[type[Any], type[Any]]:
    import asyncio

    import aiohttp
    from multidict import CIMultiDict, CIMultiDictProxy
    from yarl import URL

    _TimerNoop: Any = aiohttp.helpers.TimerNoop

    class FakeStreamReader(aiohttp.StreamReader):
        """A real `aiohttp.StreamReader` that pulls its data from a `FakeStream`.

        aiohttp's reader waits in `_wait()` until the connection feeds data; this
        one pulls the next chunk of the fake stream there instead, so every
        reading method keeps aiohttp's own behaviour.
        """

        __slots__ = ("_af_iterator", "_af_pulling", "_af_stream")

        def __init__(self, stream: FakeStream[bytes]) -> None:
            super().__init__(_Protocol(), 2**16, loop=_NoLoop())  # type: ignore[arg-type]
            self._af_stream = stream
            self._af_iterator: AsyncIterator[bytes] | None = None
            self._af_pulling = False

        async def _wait(self, func_name: str) -> None:
            if self._af_pulling:
                raise RuntimeError(
                    f"{func_name}() called while another coroutine is already waiting for "
                    "incoming data"
                )
            self._af_pulling = True
            try:
                iterator = self._af_iterator
                if iterator is None:
                    iterator = self._af_iterator = self._af_stream.__aiter__()
                try:
                    chunk = await iterator.__anext__()
                except StopAsyncIteration:
                    self.feed_eof()
                    return
                except asyncio.CancelledError:
                    # The stream's iteration ended with the cancellation: what
                    # is left of the body is gone, as on a dropped connection.
                    self.set_exception(aiohttp.ClientConnectionError("Connection closed"))
                    raise
                except Exception as error:
                    self.set_exception(error)
                    raise
                self.feed_data(chunk)
            finally:
                self._af_pulling = False

        async def wait_eof(self) -> None:
            while not self.is_eof():
                await self._wait("wait_eof")

    class FakeClientResponse(aiohttp.ClientResponse):
        """An `aiohttp.ClientResponse` without a connection, whose body is a fake stream.

        `ClientResponse.__init__` and `start()` need a live request and
        connection; this sets the state they would set, and leaves every
        method to aiohttp.
        """

        def __init__(  # deliberately not calling ClientResponse.__init__
            self,
            status: int,
            reason: str,
            headers: list[tuple[str, str]],
            stream: FakeStream[bytes],
        ) -> None:
            url = URL(PLACEHOLDER_URL)
            self.method = "GET"
            self._real_url = self._url = url
            self._request_info = aiohttp.RequestInfo(
                url, "GET", CIMultiDictProxy(CIMultiDict[str]()), url
            )
            self._timer = _TimerNoop()
            self._cache: dict[str, Any] = {}
            self._traces: list[Any] = []
            self._loop = cast("Any", None)
            self._session = None
            self._closed = False
            self.version = aiohttp.HttpVersion11
            self.status = status
            self.reason = reason
            self._headers = CIMultiDictProxy(CIMultiDict(headers))
            self._raw_headers = tuple((key.encode(), value.encode()) for key, value in headers)
            cookies = tuple(self._headers.getall("Set-Cookie", ()))
            if cookies:
                self._raw_cookie_headers = cookies
            self._af_stream = stream
            self.content = FakeStreamReader(stream)
            self.content.on_eof(self._response_eof)

        def bind_request(self, method: str, url: Any, headers: Any) -> None:
            real_url = URL(url)
            self.method = method
            self._real_url = real_url
            self._url = real_url.with_fragment(None)
            self._request_info = aiohttp.RequestInfo(
                self._url, method, CIMultiDictProxy(CIMultiDict(headers or {})), real_url
            )
            self._cache.clear()  # url, real_url, host, request_info... are cached (reify)

        def release(self) -> Any:
            result = super().release()
            self._af_stream.close_now()
            return result

        def close(self) -> None:
            super().close()
            self._af_stream.close_now()

    return FakeStreamReader, FakeClientResponse


def _aiohttp_hooks(response: Any) -> None:
    ref = weakref.ref(response)  # hooks live as long as the response: never hold it

    def bind(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        target = ref()
        found = _call_method_and_url(name, args, kwargs)
        if target is None or found is None:
            return
        try:
            target.bind_request(found[0], found[1], kwargs.get("headers"))
        except Exception:  # arguments aiohttp itself would reject: keep the placeholder
            return

    async def on_exit() -> None:
        # What aiohttp's request context manager does on exit.
        target = ref()
        if target is not None:
            target.release()
            await target.wait_for_close()

    set_value_hooks(response, bind=bind, on_exit=on_exit)


def aiohttp_response(
    status: int = 200,
    *,
    chunks: Iterable[bytes] | FakeStream[bytes] | None = None,
    headers: Headers | None = None,
    json: Any = _MISSING,
    text: str | None = None,
    reason: str | None = None,
) -> aiohttp.ClientResponse:
    """Build an `aiohttp.ClientResponse` with a fake body.

    `resp.content` is a real `aiohttp.StreamReader` that pulls the chunks as
    it is read: `iter_chunked(n)`, `iter_any()`, `readline()`, `read()`,
    `async for line in resp.content` behave as aiohttp's, and so do
    `resp.read()`, `.text()`, `.json()` (which checks the Content-Type like
    aiohttp), `.release()` and `.raise_for_status()` (raising
    `aiohttp.ClientResponseError`). Use it with `async with` (or as what a
    fake `session.get()` enters or returns when awaited). Pass an
    `af.stream(...)` as `chunks` for delays and failures
    (`fails_after(2, aiohttp.ClientPayloadError(...))`).

    The request (`resp.url`, `resp.request_info`) is a placeholder ``GET
    https://asyncfakes.invalid/`` until a fake call hands the response out;
    then it is that call's method and URL. An `async with` block that entered
    it releases it on exit, as aiohttp's context manager does.

    Args:
        status: the HTTP status.
        chunks: the body: bytes chunks (a list, any iterable, or an `af.stream`).
        headers: response headers.
        json: a body encoded as JSON (with ``Content-Type: application/json``).
        text: a text body (``text/plain; charset=utf-8``).
        reason: the reason phrase (default: the standard one for `status`).

    Returns:
        An `aiohttp.ClientResponse`.

    Raises:
        TypeError: a chunk is not bytes, more than one body is given, or
            `status` is not an int.
        ModuleNotFoundError: aiohttp is not installed.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> response = af.aiohttp_response(chunks=[b"a,1\\nb,", b"2\\n"])
        >>> async def rows():
        ...     async with response:
        ...         return [line async for line in response.content]
        >>> asyncio.run(rows())
        [b'a,1\\n', b'b,2\\n']
    """
    where = "af.aiohttp_response()"
    _import("aiohttp", "aiohttp_response")
    status = _ensure_status(status, where, "status")
    headers = _ensure_headers(headers, where)
    _one_body(where, chunks=chunks, json=None if json is _MISSING else json, text=text)
    pairs = _header_pairs(headers)
    names = {key.lower() for key, _ in pairs}
    body: Iterable[bytes] | FakeStream[bytes]
    if json is not _MISSING:
        body = [jsonlib.dumps(json).encode()]
        if "content-type" not in names:
            pairs.append(("Content-Type", "application/json"))
    elif text is not None:
        given = cast("object", text)
        if not isinstance(given, str):
            raise TypeError(f"{where}: text must be a str, got {describe_value(text)}.")
        body = [text.encode()]
        if "content-type" not in names:
            pairs.append(("Content-Type", "text/plain; charset=utf-8"))
    else:
        body = [] if chunks is None else chunks
    stream = _body_stream(body, where, "aiohttp_response.content")
    pairs = _header_pairs(_with_content_type(pairs, stream))
    if reason is None:
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    response = _aiohttp_types()[1](status, reason, pairs, stream)
    _aiohttp_hooks(response)
    return cast("aiohttp.ClientResponse", response)
