"""`af.stream()` and `af.sse()`: recorded chunked bodies that can fail, end early or stall.

A `FakeStream` is a `FakeAsyncIterator` of chunks (bytes or str) with the ways
a network body goes wrong: `fails_after(n, exc)`, `disconnects_after(n)`,
`stalls_after(n)`. Chunks are pulled lazily, so a body of a million chunks
from a generator costs the memory of one chunk; for the same reason the
record of an iteration keeps how many chunks it delivered (its `result`), not
the chunks.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Mapping, Sized
from itertools import islice
from typing import Any, cast

from typing_extensions import Self, TypeVar

from .._iter import (
    FakeAsyncIterator,
    Run,
    describe_value,
    ensure_delay,
    ensure_error,
    ensure_name,
    hang,
    make_error,
    sleep,
)

__all__ = ["FakeStream", "check_chunks", "sse", "stream"]

ChunkT = TypeVar("ChunkT", bound="bytes | str", default=bytes)

# How a stream ends early: after n chunks, "fail" (with an exception),
# "disconnect" (end without error) or "stall" (hang until cancelled).
_Ending = tuple[int, str, "BaseException | type[BaseException] | None"]

Check = tuple[type[Any], type[Any], Callable[[object, int], None]]
"""How chunks pulled from an iterator are checked: chunks of the two types pass at the
cost of two identity tests; any other goes to the function, which raises `TypeError`
for a chunk the consumer cannot take (and lets subclasses through)."""


def _is_chunk(chunk: object, index: int, where: str) -> None:
    if not isinstance(chunk, (bytes, str)):
        raise TypeError(
            f"{where}: chunk {index} is {describe_value(chunk)}; chunks must be bytes or str."
        )


def _lazy_chunk_check(where: str) -> Check:
    def check(chunk: object, index: int) -> None:
        _is_chunk(chunk, index, where)

    return (bytes, str, check)


def check_chunks(chunks: object, where: str, argument: str = "chunks") -> None:
    """Reject a lone bytes/str or a non-iterable where chunks are expected."""
    if isinstance(chunks, (bytes, str)):
        kind = type(chunks).__name__
        raise TypeError(
            f"{where}: {argument} must be an iterable of chunks, got a single {kind} "
            f"({describe_value(chunks)}); wrap it in a list: {argument}=[...]."
        )
    if not isinstance(chunks, Iterable):
        hint = (
            " It is an async iterable: pass the chunks themselves, not an async source."
            if hasattr(chunks, "__aiter__")
            else ""
        )
        raise TypeError(
            f"{where}: {argument} must be an iterable of bytes or str chunks (a list, a "
            f"generator...), got {describe_value(chunks)}.{hint}"
        )


async def _stream_body(run: Run[Any]) -> AsyncGenerator[Any, object]:
    """The body of one iteration of a `FakeStream`."""
    run.start(sys._getframe())
    owner: FakeStream[Any] = run.owner  # type: ignore[assignment]
    delay = owner._delay
    check = owner._check
    ending = owner._ending
    try:
        source: Iterator[object] = iter(owner._items)
        if ending is not None:
            source = islice(source, ending[0])
        if check is None and not delay:
            # The hot path (a list of chunks, no delay): one store per chunk.
            for count, chunk in enumerate(source, 1):
                run.count = count
                yield chunk
        else:
            for chunk in source:
                if check is not None:
                    chunk_type = type(chunk)
                    if chunk_type is not check[0] and chunk_type is not check[1]:
                        check[2](chunk, run.count)
                if delay:
                    await sleep(delay)
                    if run.ended:  # closed by aclose() while this pull slept
                        return
                run.count += 1
                yield chunk
        if ending is not None:
            after, kind, error = ending
            if run.count < after:
                raise ValueError(owner._past_the_end(kind, after, error, run.count))
            if kind == "fail":
                raise make_error(error)  # type: ignore[arg-type]
            if kind == "stall":
                await hang()
        elif owner._error is not None:
            raise make_error(owner._error)
    except BaseException as error:
        run.end_with(error)
        raise
    run.end()


class FakeStream(FakeAsyncIterator[ChunkT]):
    """A recorded chunked body; build it with `af.stream()` (or `af.sse()`).

    Iterating it yields the chunks (each `async for` starts over). Configure
    how it ends with `fails_after`, `disconnects_after` or `stalls_after`; the
    latest call wins. `consumed` counts chunks pulled, `closed` tells whether
    it was closed (`aclose()`, or the adapter's response closed) or abandoned.
    Each iteration's record has the number of chunks delivered as `result`.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> body = af.stream([b"he", b"llo"])
        >>> async def read():
        ...     return b"".join([chunk async for chunk in body])
        >>> asyncio.run(read()), body.consumed
        (b'hello', 2)
    """

    def __init__(
        self,
        chunks: Iterable[ChunkT],
        *,
        delay: float = 0,
        name: str = "stream",
        builder: str = "af.stream",
        bytes_only: bool = False,
    ) -> None:
        super().__init__(chunks, delay=delay, name=name)
        self._builder = builder
        # The Content-Type an HTTP adapter gives a response with this body
        # when the test sets none (af.sse: text/event-stream).
        self.content_type: str | None = None
        self._ending: _Ending | None = None
        self._size = len(chunks) if isinstance(chunks, Sized) else None
        self._check: Check | None = None
        where = f"{builder}()"
        if bytes_only:
            self.require_bytes(where)
        elif self._size is None:
            self._check = _lazy_chunk_check(where)
        else:
            for index, chunk in enumerate(chunks):
                _is_chunk(chunk, index, where)

    def require_bytes(self, where: str) -> None:
        """Make every chunk be bytes (an HTTP body), checked now when the chunks are a sized
        collection, else as each chunk is pulled; errors name `where`."""
        if self._size is not None:
            for index, chunk in enumerate(self._items):
                _require_bytes(chunk, index, where)
            self._check = None
            return

        def check(chunk: object, index: int) -> None:
            _require_bytes(chunk, index, where)

        self._check = (bytes, bytes, check)

    # -- endings

    def _label(self, call: str) -> str:
        return f"{self._builder}(...).{call}"

    def _ensure_position(self, n: object, call: str) -> int:
        where = self._label(call)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(
                f"{where}: n must be a number of chunks (an int), got {describe_value(n)}."
            )
        if n < 0:
            raise ValueError(f"{where}: n must be 0 or more chunks, got {n}.")
        if self._size is not None and n > self._size:
            raise ValueError(
                f"{where}: n={n} is past the end of the stream's {self._size} chunks; "
                f"pass n from 0 to {self._size}."
            )
        return n

    def _past_the_end(
        self, kind: str, after: int, error: BaseException | type[BaseException] | None, count: int
    ) -> str:
        call = {
            "fail": f"fails_after({after}, {error!r})",
            "disconnect": f"disconnects_after({after})",
            "stall": f"stalls_after({after})",
        }[kind]
        return (
            f"{self._label(call)}: n={after} is past the end of the stream: its chunks ran out "
            f"after {count}; pass n from 0 to {count}."
        )

    def fails_after(self, n: int, exc: BaseException | type[BaseException]) -> Self:
        """Raise `exc` after `n` chunks (the body breaks mid-transfer).

        Args:
            n: chunks delivered before the failure (0 fails before the first).
            exc: the exception (instance or class) the consumer gets, such as
                `httpx.ReadError("connection reset")`.

        Returns:
            This stream, for chaining.

        Raises:
            ValueError: `n` is negative or past the end of the chunks (checked
                now for a list, when the chunks run out for an iterator).

        Example:
            >>> import asyncio, asyncfakes as af
            >>> body = af.stream([b"a", b"b", b"c"]).fails_after(2, ConnectionResetError)
            >>> async def read():
            ...     got = []
            ...     try:
            ...         async for chunk in body:
            ...             got.append(chunk)
            ...     except ConnectionResetError:
            ...         got.append(b"!")
            ...     return got
            >>> asyncio.run(read())
            [b'a', b'b', b'!']
        """
        call = f"fails_after({n!r}, {exc!r})"
        ensure_error(exc, self._label(call), "exc")
        self._ending = (self._ensure_position(n, call), "fail", exc)
        self._error = None
        return self

    def disconnects_after(self, n: int) -> Self:
        """End the body without an error after `n` chunks (the peer closed early).

        Example:
            >>> import asyncio, asyncfakes as af
            >>> body = af.stream([b"a", b"b", b"c"]).disconnects_after(1)
            >>> async def read():
            ...     return [chunk async for chunk in body]
            >>> asyncio.run(read())
            [b'a']
        """
        call = f"disconnects_after({n!r})"
        self._ending = (self._ensure_position(n, call), "disconnect", None)
        self._error = None
        return self

    def stalls_after(self, n: int) -> Self:
        """Hang after `n` chunks until the consumer is cancelled (a stuck peer).

        The stall has no timer: under virtual time it never ends by itself
        either; a timeout in the consumer (`asyncio.timeout`, `wait_for`) is
        what ends it, and the iteration's record is then ``"cancelled"``.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> body = af.stream([b"a", b"b"]).stalls_after(1)
            >>> got = []
            >>> async def read():
            ...     async for chunk in body:
            ...         got.append(chunk)
            >>> async def main():
            ...     try:
            ...         await asyncio.wait_for(read(), timeout=0.05)
            ...     except asyncio.TimeoutError:
            ...         got.append("timed out")
            >>> asyncio.run(main())
            >>> got, af.calls(body)[0].outcome
            ([b'a', 'timed out'], 'cancelled')
        """
        call = f"stalls_after({n!r})"
        self._ending = (self._ensure_position(n, call), "stall", None)
        self._error = None
        return self

    def raises(self, error: BaseException | type[BaseException]) -> Self:
        """Raise `error` after the last chunk (`fails_after` at the end of the chunks)."""
        super().raises(error)
        self._ending = None
        return self

    def _body(self, run: Run[ChunkT]) -> AsyncGenerator[ChunkT, object]:
        return _stream_body(run)

    def _new_run(self) -> Run[ChunkT]:
        return Run(self, None)


def _require_bytes(chunk: object, index: int, where: str) -> None:
    if not isinstance(chunk, bytes):
        hint = " (encode it: b'...' or text.encode())" if isinstance(chunk, str) else ""
        raise TypeError(
            f"{where}: chunk {index} is {describe_value(chunk)}; an HTTP body is made of "
            f"bytes{hint}."
        )


def stream(
    chunks: Iterable[ChunkT], *, delay: float = 0, name: str | None = None
) -> FakeStream[ChunkT]:
    """Build a chunked body: an async iterator of `chunks` that can fail, end early or stall.

    Use it where code reads a body chunk by chunk, or as the `chunks=` of
    `af.httpx_response()` and `af.aiohttp_response()`.

    Args:
        chunks: the chunks, bytes or str (a list, or any iterable: consumed
            lazily, never copied).
        delay: seconds of loop time slept before every chunk.
        name: the name used in messages and `CallRecord.name` (default ``"stream"``).

    Returns:
        A `FakeStream`; configure its end with `fails_after(n, exc)`,
        `disconnects_after(n)` or `stalls_after(n)`.

    Raises:
        TypeError: `chunks` is a single bytes/str or not iterable, a chunk is
            neither bytes nor str, or `delay` is not a number.
        ValueError: `delay` is negative.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> body = af.stream([b"a", b"b", b"c"], delay=0.01).disconnects_after(2)
        >>> async def read():
        ...     return [chunk async for chunk in body]
        >>> asyncio.run(read())
        [b'a', b'b']
        >>> body.consumed, af.calls(body)[0].result
        (2, 2)
    """
    where = "af.stream()"
    check_chunks(chunks, where)
    ensure_delay(delay, where)
    ensure_name(name, where)
    return FakeStream(chunks, delay=delay, name=name or "stream", builder="af.stream")


# --------------------------------------------------------------------- SSE

_FIELDS = ("comment", "event", "id", "retry", "data")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _single_line(value: object, field: str, index: int) -> str:
    if not isinstance(value, str):
        raise TypeError(
            f"af.sse(): event {index} has {field}={describe_value(value)}; {field} must be a str."
        )
    if _LINE_BREAK.search(value):
        raise ValueError(
            f"af.sse(): event {index} has {field}={value!r}; {field} must be a single line."
        )
    return value


def encode_event(event: object, index: int) -> bytes:
    """One server-sent event as the bytes a server sends (UTF-8, ending with a blank line)."""
    if isinstance(event, str):
        event = {"data": event}
    if not isinstance(event, Mapping):
        raise TypeError(
            f"af.sse(): event {index} is {describe_value(event)}; an event is a data string "
            "or a mapping with data, event, id, retry, comment."
        )
    event = cast("Mapping[str, object]", event)
    unknown = [key for key in event if key not in _FIELDS]
    if unknown:
        raise ValueError(
            f"af.sse(): event {index} has unknown field {unknown[0]!r}; the fields are "
            "data, event, id, retry, comment (put a JSON payload under data)."
        )
    lines: list[str] = []
    comment = event.get("comment")
    if comment is not None:
        if not isinstance(comment, str):
            raise TypeError(
                f"af.sse(): event {index} has comment={describe_value(comment)}; "
                "comment must be a str."
            )
        lines.extend(f": {line}" for line in _LINE_BREAK.split(comment))
    name = event.get("event")
    if name is not None:
        lines.append(f"event: {_single_line(name, 'event', index)}")
    ident = event.get("id")
    if ident is not None:
        ident = _single_line(ident, "id", index)
        if "\0" in ident:
            raise ValueError(
                f"af.sse(): event {index} has id={ident!r}; an id cannot contain NUL "
                "(clients ignore it)."
            )
        lines.append(f"id: {ident}")
    retry = event.get("retry")
    if retry is not None:
        if isinstance(retry, bool) or not isinstance(retry, int) or retry < 0:
            raise ValueError(
                f"af.sse(): event {index} has retry={retry!r}; retry must be an int of "
                "milliseconds, 0 or more."
            )
        lines.append(f"retry: {retry}")
    if "data" in event:
        data = event["data"]
        if not isinstance(data, str):
            data = json.dumps(data)
        lines.extend(f"data: {line}" for line in _LINE_BREAK.split(data))
    return ("\n".join(lines) + "\n\n").encode()


def _encode_all(events: Iterable[object]) -> Iterator[bytes]:
    for index, event in enumerate(events):
        yield encode_event(event, index)


def sse(
    events: Iterable[str | Mapping[str, object]],
    *,
    delay: float = 0,
    name: str | None = None,
) -> FakeStream[bytes]:
    """Encode server-sent events into a chunked body, one chunk per event.

    Each event is a data string, or a mapping with any of ``data`` (a str,
    split into one ``data:`` line per line; anything else is sent as JSON),
    ``event``, ``id``, ``retry`` (milliseconds) and ``comment`` (``: ...``
    lines, such as a keep-alive). Plug the result into
    `af.httpx_response(chunks=...)` or `af.aiohttp_response(chunks=...)`; it
    is a `FakeStream`, so delays and `fails_after`/`disconnects_after`/
    `stalls_after` apply.

    Args:
        events: the events (a list is encoded and checked now; any other
            iterable lazily, as the body is read).
        delay: seconds of loop time slept before every event.
        name: the name used in messages and `CallRecord.name` (default ``"sse"``).

    Returns:
        A `FakeStream` of bytes.

    Raises:
        TypeError: an event or a field has the wrong type.
        ValueError: an unknown field, a multi-line ``event``/``id``, or a bad ``retry``.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> body = af.sse(["hello", {"event": "done", "data": {"tokens": 2}}])
        >>> async def read():
        ...     return b"".join([chunk async for chunk in body]).decode()
        >>> print(asyncio.run(read()), end="")
        data: hello
        <BLANKLINE>
        event: done
        data: {"tokens": 2}
        <BLANKLINE>
    """
    where = "af.sse()"
    given = cast("object", events)
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise TypeError(
            f"af.sse(): events must be an iterable of events (a list, a generator...), "
            f"got {describe_value(given)}; wrap a single event in a list."
        )
    ensure_delay(delay, where)
    ensure_name(name, where)
    chunks: Iterable[bytes]
    if isinstance(events, Sized):
        chunks = [encode_event(event, index) for index, event in enumerate(events)]
    else:
        chunks = _encode_all(events)
    body = FakeStream(chunks, delay=delay, name=name or "sse", builder="af.sse")
    body.content_type = "text/event-stream"
    return body
