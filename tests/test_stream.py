"""af.stream(): chunks, delays, failing, disconnecting and stalling bodies, memory, messages."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator

import pytest

import asyncfakes as af


async def collect(body: AsyncIterator[bytes]) -> list[bytes]:
    """Every chunk of `body`."""
    return [chunk async for chunk in body]


async def test_yields_the_chunks() -> None:
    """It yields bytes or str chunks in order and counts them."""
    body = af.stream([b"he", b"llo"])
    assert await collect(body) == [b"he", b"llo"]
    text = af.stream(["a", "b"])
    assert [chunk async for chunk in text] == ["a", "b"]
    assert (body.consumed, body.closed, body.iterations) == (2, False, 1)


async def test_each_read_is_a_call_whose_result_is_the_chunk_count() -> None:
    """Each iteration is a recorded call whose result is how many chunks it delivered."""
    body = af.stream([b"a", b"b", b"c"], name="download")
    await collect(body)
    (record,) = af.calls(body)
    assert (record.name, record.outcome, record.result) == ("download", "returned", 3)


async def test_reading_again_starts_over() -> None:
    """A stream over a list can be read again from the start."""
    body = af.stream([b"x"])
    assert await collect(body) == await collect(body) == [b"x"]


async def test_delay_is_slept_before_every_chunk() -> None:
    """It sleeps `delay` seconds of loop time before every chunk."""
    loop = asyncio.get_running_loop()
    body = af.stream([b"a", b"b"], delay=0.02)
    start = loop.time()
    await collect(body)
    assert loop.time() - start >= 0.04


async def test_fails_after_raises_after_n_chunks() -> None:
    """`fails_after(n, exc)` delivers n chunks, then raises exc; the call is raised."""
    error = ConnectionResetError("reset by peer")
    body = af.stream([b"a", b"b", b"c"]).fails_after(2, error)
    got: list[bytes] = []
    with pytest.raises(ConnectionResetError, match=r"^reset by peer$"):
        await drain(body, got)
    assert got == [b"a", b"b"]
    (record,) = af.calls(body)
    assert (record.outcome, record.exception, record.result) == ("raised", error, 2)
    assert (body.consumed, body.closed) == (2, False)


@pytest.mark.parametrize("n", [0, 3])
async def test_fails_after_works_at_both_ends(n: int) -> None:
    """`fails_after(0, ...)` fails before the first chunk, `fails_after(len, ...)` after the last."""
    body = af.stream([b"a", b"b", b"c"]).fails_after(n, EOFError)
    got: list[bytes] = []
    with pytest.raises(EOFError):
        await drain(body, got)
    assert len(got) == n


async def test_disconnects_after_ends_without_error() -> None:
    """`disconnects_after(n)` ends the body after n chunks, as a peer closing early."""
    body = af.stream([b"a", b"b", b"c"]).disconnects_after(1)
    assert await collect(body) == [b"a"]
    assert af.calls(body)[0].outcome == "returned"


async def test_stalls_after_hangs_until_cancelled() -> None:
    """`stalls_after(n)` delivers n chunks then hangs until the reader is cancelled."""
    body = af.stream([b"a", b"b"]).stalls_after(1)
    got: list[bytes] = []
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(drain(body, got), timeout=0.05)
    assert got == [b"a"]
    (record,) = af.calls(body)
    assert record.outcome == "cancelled"
    assert isinstance(record.exception, asyncio.CancelledError)
    assert body.closed is True


async def test_a_stall_does_not_move_virtual_time_by_itself() -> None:
    """Under virtual time a stall lasts exactly until the reader's timeout, instantly."""
    body = af.stream([b"a"]).stalls_after(0)
    loop = asyncio.get_running_loop()
    wall = time.monotonic()
    async with af.virtual_time():
        start = loop.time()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(collect(body), timeout=30)
        assert loop.time() - start == pytest.approx(30)
    assert time.monotonic() - wall < 5


async def test_the_latest_ending_wins() -> None:
    """Configuring the end again replaces the previous ending; `raises` ends at the last chunk."""
    body = af.stream([b"a", b"b"]).stalls_after(0).disconnects_after(1)
    assert await collect(body) == [b"a"]
    body.raises(KeyError)
    with pytest.raises(KeyError):
        await collect(body)
    body.fails_after(1, ValueError)
    with pytest.raises(ValueError):
        await collect(body)


async def test_a_generator_is_consumed_lazily_and_memory_stays_flat() -> None:
    """Chunks from a generator are pulled one at a time: 100,000 of them cost no more memory."""

    def produce(count: int) -> Iterator[bytes]:
        for _ in range(count):
            yield bytes(100)

    async def peak(count: int) -> int:
        body = af.stream(produce(count))
        tracemalloc.start()
        try:
            async for _ in body:
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = await peak(10), await peak(100_000)
    # 100,000 chunks of 100 bytes would be 13 MB as a list.
    assert large < small + 64_000


async def test_aclose_closes_a_read_in_progress() -> None:
    """`aclose()` ends an iteration that is being read, recorded as cancelled."""
    body = af.stream([b"a", b"b", b"c"])
    reader = body.__aiter__()
    assert await reader.__anext__() == b"a"
    await body.aclose()
    assert body.closed is True
    (record,) = af.calls(body)
    assert (record.outcome, record.result) == ("cancelled", 1)


def test_close_now_closes_without_awaiting() -> None:
    """`close_now()` closes open iterations from synchronous code (as a release callback)."""
    body = af.stream([b"a", b"b"])

    async def start() -> AsyncIterator[bytes]:
        reader = body.__aiter__()
        await reader.__anext__()
        return reader

    loop = asyncio.new_event_loop()
    try:
        reader = loop.run_until_complete(start())
        body.close_now()
        assert af.calls(body)[0].outcome == "cancelled"
        assert body.closed is True
        del reader
    finally:
        loop.close()


async def drain(body: AsyncIterator[bytes], into: list[bytes]) -> None:
    """Read `body` into `into` until it ends or fails."""
    async for chunk in body:
        into.append(chunk)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("chunks", "message"),
    [
        (
            b"hello",
            "af.stream(): chunks must be an iterable of chunks, got a single bytes "
            "(bytes b'hello'); wrap it in a list: chunks=[...].",
        ),
        (
            "hello",
            "af.stream(): chunks must be an iterable of chunks, got a single str "
            "(str 'hello'); wrap it in a list: chunks=[...].",
        ),
        (
            42,
            "af.stream(): chunks must be an iterable of bytes or str chunks (a list, a "
            "generator...), got int 42.",
        ),
        ([b"a", 3], "af.stream(): chunk 1 is int 3; chunks must be bytes or str."),
    ],
)
def test_chunks_must_be_an_iterable_of_bytes_or_str(chunks: object, message: str) -> None:
    """Bad `chunks` are refused at once, naming the builder and the argument."""
    with pytest.raises(TypeError) as caught:
        af.stream(chunks)  # type: ignore[arg-type]
    assert str(caught.value) == message


async def test_a_bad_chunk_from_a_generator_fails_when_pulled() -> None:
    """A bad chunk from a generator is refused when it is pulled, and the call is raised."""
    body = af.stream(iter([b"a", None]))  # type: ignore[list-item]
    with pytest.raises(TypeError) as caught:
        await collect(body)
    assert (
        str(caught.value) == "af.stream(): chunk 1 is NoneType None; chunks must be bytes or str."
    )
    assert af.calls(body)[0].outcome == "raised"


@pytest.mark.parametrize(
    ("delay", "error", "message"),
    [
        (-0.5, ValueError, "af.stream(): delay must be 0 or more seconds (0 for none), got -0.5."),
        (None, TypeError, "af.stream(): delay must be a number of seconds, got NoneType None."),
    ],
)
def test_delay_must_be_a_non_negative_number(
    delay: object, error: type[Exception], message: str
) -> None:
    """A negative or non-number delay is refused, naming the builder and the argument."""
    with pytest.raises(error) as caught:
        af.stream([b"a"], delay=delay)  # type: ignore[arg-type]
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("configure", "message"),
    [
        (
            lambda body: body.fails_after(4, EOFError),
            "af.stream(...).fails_after(4, <class 'EOFError'>): n=4 is past the end of the "
            "stream's 3 chunks; pass n from 0 to 3.",
        ),
        (
            lambda body: body.disconnects_after(5),
            "af.stream(...).disconnects_after(5): n=5 is past the end of the stream's 3 chunks; "
            "pass n from 0 to 3.",
        ),
        (
            lambda body: body.stalls_after(9),
            "af.stream(...).stalls_after(9): n=9 is past the end of the stream's 3 chunks; "
            "pass n from 0 to 3.",
        ),
        (
            lambda body: body.fails_after(-1, EOFError),
            "af.stream(...).fails_after(-1, <class 'EOFError'>): n must be 0 or more chunks, "
            "got -1.",
        ),
        (
            lambda body: body.disconnects_after(1.5),
            "af.stream(...).disconnects_after(1.5): n must be a number of chunks (an int), "
            "got float 1.5.",
        ),
    ],
)
def test_the_ending_position_must_be_within_the_chunks(configure: object, message: str) -> None:
    """An ending past the end of a list, negative or not an int is refused at once."""
    body = af.stream([b"a", b"b", b"c"])
    with pytest.raises((ValueError, TypeError)) as caught:
        configure(body)  # type: ignore[operator]
    assert str(caught.value) == message


async def test_an_ending_past_the_end_of_a_generator_fails_when_reached() -> None:
    """With a generator the chunk count is unknown: running out before n is a ValueError then."""
    body = af.stream(iter([b"a", b"b"])).fails_after(5, EOFError)
    with pytest.raises(ValueError) as caught:
        await collect(body)
    assert str(caught.value) == (
        "af.stream(...).fails_after(5, <class 'EOFError'>): n=5 is past the end of the stream: "
        "its chunks ran out after 2; pass n from 0 to 2."
    )


def test_fails_after_takes_an_exception() -> None:
    """`fails_after` with something that is not an exception is refused."""
    with pytest.raises(TypeError) as caught:
        af.stream([b"a"]).fails_after(1, "boom")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "af.stream(...).fails_after(1, 'boom'): exc must be an exception instance or class, "
        "got str 'boom'."
    )


async def test_aclose_during_another_tasks_pull_ends_that_read() -> None:
    """`aclose()` while another task waits for a delayed chunk records the close at once;
    that pull then ends the body instead of delivering more."""
    body = af.stream([b"a", b"b", b"c"], delay=0.02)
    got: list[bytes] = []
    reader = asyncio.create_task(drain(body, got))
    await asyncio.sleep(0.03)  # the first chunk is in, the second is on its way
    await body.aclose()
    (record,) = af.calls(body)
    assert (record.outcome, body.closed) == ("cancelled", True)
    await reader
    assert got == [b"a"]
