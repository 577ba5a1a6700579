"""Type tests for the iterator, context and stream builders: checked by mypy --strict and
pyright strict, not run."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Iterator

import aiohttp
import httpx
from typing_extensions import assert_type

import asyncfakes as af


def numbers() -> Iterator[int]:
    yield 1


async def iterators() -> None:
    assert_type(af.async_iter([1, 2]), af.FakeAsyncIterator[int])
    assert_type(af.async_iter(numbers()), af.FakeAsyncIterator[int])
    assert_type(af.async_iter(["a"], delay=0.1), af.FakeAsyncIterator[str])
    chained = af.async_iter([1.5]).raises(EOFError)
    assert_type(chained, af.FakeAsyncIterator[float])
    async for item in af.async_iter([1, 2]):
        assert_type(item, int)
    iterator = af.async_iter([b"x"])
    assert_type(await iterator.__anext__(), bytes)
    assert_type(await iterator.asend(None), bytes)
    assert_type(await iterator.athrow(ValueError), bytes)
    await iterator.aclose()
    assert_type(iterator.consumed, int)
    assert_type(iterator.closed, bool)
    assert_type(iterator.iterations, int)
    # It stands in for an async generator object and an async iterator.
    as_generator: AsyncGenerator[int, None] = af.async_iter([1])
    as_iterator: AsyncIterator[int] = af.async_iter([1])
    del as_generator, as_iterator


async def contexts() -> None:
    assert_type(af.async_context(), af.FakeAsyncContext[None])
    assert_type(af.async_context("conn"), af.FakeAsyncContext[str])
    assert_type(af.async_context(1, awaitable=True, suppress=KeyError), af.FakeAsyncContext[int])
    async with af.async_context(b"tx") as entered:
        assert_type(entered, bytes)
    assert_type(await af.async_context(3.0, awaitable=True), float)
    context = af.async_context("x", suppress=(KeyError, OSError), exit_raises=RuntimeError)
    assert_type(context.entered, int)
    assert_type(context.exited, int)
    assert_type(context.exit_exception, BaseException | None)


async def streams() -> None:
    assert_type(af.stream([b"a"]), af.FakeStream[bytes])
    assert_type(af.stream(["a"]), af.FakeStream[str])
    assert_type(af.stream([b"a"]).fails_after(1, EOFError), af.FakeStream[bytes])
    assert_type(af.stream([b"a"]).disconnects_after(1), af.FakeStream[bytes])
    assert_type(af.stream([b"a"]).stalls_after(0), af.FakeStream[bytes])
    assert_type(af.sse(["data", {"event": "done", "data": {"ok": True}}]), af.FakeStream[bytes])
    async for chunk in af.stream([b"a"]):
        assert_type(chunk, bytes)
    bare: af.FakeStream = af.stream([b"a"])  # the default chunk type is bytes
    assert_type(bare, af.FakeStream[bytes])


def adapters() -> None:
    assert_type(af.httpx_response(), httpx.Response)
    assert_type(af.httpx_response(404, chunks=af.stream([b"a"])), httpx.Response)
    assert_type(af.httpx_response(json={"a": 1}, headers={"X": "1"}), httpx.Response)
    assert_type(af.aiohttp_response(), aiohttp.ClientResponse)
    assert_type(af.aiohttp_response(200, chunks=af.sse(["a"])), aiohttp.ClientResponse)


def rejected() -> None:
    af.async_iter(5)  # type: ignore[arg-type]
    af.async_iter([1], delay="1")  # type: ignore[arg-type]
    af.async_iter([1]).raises("boom")  # type: ignore[arg-type]
    wrong: af.FakeAsyncIterator[str] = af.async_iter([1])  # type: ignore[list-item]
    af.async_context(suppress=5)  # type: ignore[call-overload]
    af.async_context(exit_raises="boom")  # type: ignore[call-overload]
    af.stream([1, 2])  # type: ignore[type-var]
    af.stream([b"a"]).fails_after("1", EOFError)  # type: ignore[arg-type]
    af.stream([b"a"]).fails_after(1, "boom")  # type: ignore[arg-type]
    af.httpx_response(chunks=["text"])  # type: ignore[list-item]
    af.httpx_response(chunks=af.stream(["text"]))  # type: ignore[list-item]
    af.httpx_response("200")  # type: ignore[arg-type]
    af.aiohttp_response(chunks=[1])  # type: ignore[list-item]
    af.sse([1])  # type: ignore[list-item]
    del wrong
