"""af.sse(): server-sent events encoded into chunks, read by real SSE clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping

import httpx
import httpx_sse
import pytest

import asyncfakes as af


async def text_of(body: AsyncIterator[bytes]) -> str:
    return b"".join([chunk async for chunk in body]).decode()


async def test_a_string_is_a_data_event() -> None:
    """A plain string is one event with that data."""
    assert await text_of(af.sse(["hello"])) == "data: hello\n\n"


async def test_every_field_is_encoded() -> None:
    """comment, event, id, retry and data are encoded in that order, ending with a blank line."""
    body = af.sse([{"data": "x", "id": "7", "event": "update", "retry": 3000, "comment": "hi"}])
    assert await text_of(body) == ": hi\nevent: update\nid: 7\nretry: 3000\ndata: x\n\n"


async def test_multi_line_data_and_comments_get_one_line_each() -> None:
    """Data and comments spanning lines (\\n, \\r\\n, \\r) become one field line per line."""
    body = af.sse([{"data": "a\nb\r\nc\rd", "comment": "one\ntwo"}])
    assert await text_of(body) == ": one\n: two\ndata: a\ndata: b\ndata: c\ndata: d\n\n"


async def test_data_that_is_not_a_string_is_sent_as_json() -> None:
    """A non-string data value is sent as JSON."""
    body = af.sse([{"data": {"token": "Hi", "n": 1}}])
    assert await text_of(body) == 'data: {"token": "Hi", "n": 1}\n\n'


async def test_a_comment_only_event_is_a_keep_alive() -> None:
    """An event with only a comment encodes as a comment (clients dispatch nothing)."""
    assert await text_of(af.sse([{"comment": "keep-alive"}])) == ": keep-alive\n\n"


async def test_each_event_is_one_chunk() -> None:
    """Each event is one bytes chunk of the stream."""
    chunks = [chunk async for chunk in af.sse(["a", "b"])]
    assert chunks == [b"data: a\n\n", b"data: b\n\n"]


async def test_a_real_sse_client_decodes_what_it_encodes() -> None:
    """httpx-sse, reading an httpx response with an sse() body, decodes the events given."""
    events: list[str | Mapping[str, object]] = [
        "plain",
        {"comment": "keep-alive"},  # before any id: httpx-sse dispatches blocks once an id is set
        {"event": "update", "id": "1", "data": "line 1\nline 2"},
        {"data": "", "retry": 1500},
        {"event": "done", "id": "2", "data": {"ok": True}},
    ]
    response = af.httpx_response(chunks=af.sse(events))
    assert response.headers["content-type"] == "text/event-stream"
    decoded = [
        (event.event, event.data, event.id, event.retry)
        async for event in httpx_sse.EventSource(response).aiter_sse()
    ]
    assert decoded == [
        ("message", "plain", "", None),
        ("update", "line 1\nline 2", "1", None),
        ("message", "", "1", 1500),
        ("done", '{"ok": true}', "2", None),
    ]


async def test_events_from_a_generator_are_encoded_lazily() -> None:
    """Events from a generator are encoded as they are read."""
    produced: list[int] = []

    def events() -> Iterator[str]:
        for number in range(3):
            produced.append(number)
            yield str(number)

    body = af.sse(events())
    reader = body.__aiter__()
    assert await reader.__anext__() == b"data: 0\n\n"
    assert produced == [0]
    await reader.aclose()


async def test_delays_and_failures_combine() -> None:
    """An sse() body takes a delay and a failure like any stream."""
    body = af.sse(["a", "b", "c"], delay=0.01).fails_after(2, httpx.ReadError("reset"))
    loop = asyncio.get_running_loop()
    start = loop.time()
    got: list[bytes] = []
    with pytest.raises(httpx.ReadError):
        await drain(body, got)
    assert got == [b"data: a\n\n", b"data: b\n\n"]
    assert loop.time() - start >= 0.02


async def drain(body: AsyncIterator[bytes], into: list[bytes]) -> None:
    async for chunk in body:
        into.append(chunk)


# --------------------------------------------------------- an LLM token stream


def openai_style(tokens: list[str]) -> list[str | Mapping[str, object]]:
    """Chat-completion chunks as an OpenAI-style API streams them."""
    events: list[str | Mapping[str, object]] = [
        {"data": {"choices": [{"delta": {"content": token}}]}} for token in tokens
    ]
    events.append("[DONE]")
    return events


async def complete(client: httpx.AsyncClient, prompt: str, on_token: Callable[[str], None]) -> str:
    """Code under test: stream a completion, reporting each token, until [DONE]."""
    text: list[str] = []
    async with httpx_sse.aconnect_sse(
        client, "POST", "https://llm.example/v1/chat/completions", json={"prompt": prompt}
    ) as source:
        async for event in source.aiter_sse():
            if event.data == "[DONE]":
                break
            token = json.loads(event.data)["choices"][0]["delta"].get("content", "")
            on_token(token)
            text.append(token)
    return "".join(text)


def llm_client(body: af.FakeStream[bytes], seen: list[httpx.Request]) -> httpx.AsyncClient:
    """A real httpx client whose transport answers with `body`."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return af.httpx_response(chunks=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


async def test_an_llm_token_consumer_assembles_the_tokens() -> None:
    """A real SSE consumer streams tokens through a real httpx client, then the stream closes."""
    body = af.sse(openai_style(["Hel", "lo", "!"]), delay=0.01)
    requests: list[httpx.Request] = []
    tokens: list[str] = []
    async with llm_client(body, requests) as client:
        assert await complete(client, "greet", tokens.append) == "Hello!"
    assert tokens == ["Hel", "lo", "!"]
    assert json.loads(requests[0].content) == {"prompt": "greet"}
    assert requests[0].headers["accept"] == "text/event-stream"
    assert body.closed is True  # the client closed the response when the block exited
    assert body.consumed == 4


async def test_an_llm_stream_that_breaks_mid_way() -> None:
    """A stream cut after two tokens reaches the consumer as httpx's own error."""
    cut = httpx.RemoteProtocolError("peer closed connection without sending complete message body")
    body = af.sse(openai_style(["a", "b", "c"])).fails_after(2, cut)
    tokens: list[str] = []
    async with llm_client(body, []) as client:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await complete(client, "x", tokens.append)
    assert tokens == ["a", "b"]
    assert caught.value.request.url == "https://llm.example/v1/chat/completions"
    assert af.calls(body)[0].outcome == "raised"


async def test_cancelling_an_llm_stream_closes_it() -> None:
    """A consumer cancelled while waiting for the next token leaves the stream closed."""
    body = af.sse(openai_style(["a", "b", "c"]), delay=10)
    tokens: list[str] = []
    async with llm_client(body, []) as client:
        task = asyncio.create_task(complete(client, "x", tokens.append))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert (tokens, body.closed) == ([], True)
    (record,) = af.calls(body)
    assert record.outcome == "cancelled"
    assert isinstance(record.exception, asyncio.CancelledError)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("events", "error", "message"),
    [
        (
            "data",
            TypeError,
            "af.sse(): events must be an iterable of events (a list, a generator...), "
            "got str 'data'; wrap a single event in a list.",
        ),
        (
            [42],
            TypeError,
            "af.sse(): event 0 is int 42; an event is a data string or a mapping with data, "
            "event, id, retry, comment.",
        ),
        (
            ["ok", {"token": "x"}],
            ValueError,
            "af.sse(): event 1 has unknown field 'token'; the fields are data, event, id, "
            "retry, comment (put a JSON payload under data).",
        ),
        (
            [{"event": "a\nb"}],
            ValueError,
            "af.sse(): event 0 has event='a\\nb'; event must be a single line.",
        ),
        ([{"id": 5}], TypeError, "af.sse(): event 0 has id=int 5; id must be a str."),
        (
            [{"id": "a\0b"}],
            ValueError,
            "af.sse(): event 0 has id='a\\x00b'; an id cannot contain NUL (clients ignore it).",
        ),
        (
            [{"retry": -1}],
            ValueError,
            "af.sse(): event 0 has retry=-1; retry must be an int of milliseconds, 0 or more.",
        ),
        (
            [{"retry": "10"}],
            ValueError,
            "af.sse(): event 0 has retry='10'; retry must be an int of milliseconds, 0 or more.",
        ),
        (
            [{"comment": 1}],
            TypeError,
            "af.sse(): event 0 has comment=int 1; comment must be a str.",
        ),
    ],
)
def test_bad_events_are_refused(events: object, error: type[Exception], message: str) -> None:
    """Bad events or fields are refused at once for a list, naming the event and the field."""
    with pytest.raises(error) as caught:
        af.sse(events)  # type: ignore[arg-type]
    assert str(caught.value) == message


async def test_a_bad_event_from_a_generator_fails_when_read() -> None:
    """A bad event from a generator is refused when the body reaches it."""
    body = af.sse(iter(["ok", {"retry": True}]))
    with pytest.raises(ValueError) as caught:
        await text_of(body)
    assert str(caught.value) == (
        "af.sse(): event 1 has retry=True; retry must be an int of milliseconds, 0 or more."
    )


def test_delay_must_not_be_negative() -> None:
    """A negative delay is refused, naming the builder and the argument."""
    with pytest.raises(ValueError) as caught:
        af.sse(["a"], delay=-1)
    assert str(caught.value) == "af.sse(): delay must be 0 or more seconds (0 for none), got -1."
