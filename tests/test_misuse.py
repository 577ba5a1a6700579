"""Every way to misuse asyncfakes, with the exact error and the whole message each one gets.

`CASES` is the one source of truth: each case is a snippet of user code, the
error class it must raise and its full message. The test runs every snippet;
`docs/misuse.md` is rendered from the same table, and a test keeps the page in
step with it (``python tests/test_misuse.py`` rewrites the page; with
``--update`` it first rewrites, here, the messages of the cases that raise
another message now: review that diff, a message is API).

A snippet runs as the body of ``async def`` under `asyncio.run` (``runner="async"``),
as the body of a plain function (``"sync"``), or under `trio.run` (``"trio"``),
in a namespace made by `PRELUDE`, inside a fresh `af.Sandbox` whose journal
holds only the snippet's calls. Snippets are compiled as ``example.py``, so
call sites in messages read ``example.py:<line of the snippet>``.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import asyncpg
import pytest

import asyncfakes as af
from asyncfakes._errors import SpecAttributeError, SpecTypeError

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "misuse.md"

Runner = Literal["async", "sync", "trio", "pytest"]

PRELUDE = '''\
import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx

import asyncfakes as af


class Api:
    """The real class the fakes below stand for."""

    base_url: str = "https://api.example"

    async def get(self, url: str, *, timeout: float = 5.0) -> bytes: ...

    def key(self, user_id: int) -> str: ...

    async def events(self, topic: str) -> AsyncIterator[str]:
        yield topic

    @asynccontextmanager
    async def session(self) -> AsyncIterator[str]:
        yield "session"


async def fetch(url: str) -> bytes: ...


class Slots:
    __slots__ = ("value",)

    def run(self) -> None: ...
'''


@dataclass(frozen=True)
class Misuse:
    """One misuse: the code, and exactly what it raises."""

    id: str
    what: str
    code: str
    error: type[BaseException]
    message: str
    runner: Runner = "async"

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).strip("\n")


@dataclass(frozen=True)
class Area:
    """A group of misuses, one section of the page."""

    title: str
    intro: str
    cases: tuple[Misuse, ...]


def case(
    id: str,
    what: str,
    code: str,
    error: type[BaseException],
    message: str,
    runner: Runner = "async",
) -> Misuse:
    return Misuse(id, what, code, error, textwrap.dedent(message).strip("\n"), runner)


AREAS: tuple[Area, ...] = (
    Area(
        "Reading records",
        "`af.calls`, `af.max_concurrency`, `af.wait_for_calls` and `CallRecord` take fakes and stay read-only.",
        (
            case(
                "calls-of-a-non-fake",
                "records of something that is not a fake",
                """
                af.calls(fetch)
                """,
                TypeError,
                """
                calls() takes a fake, but got function 'fetch'. Create one with af.fake(...), af.AsyncFake() or af.patch(...).
                """,
            ),
            case(
                "max-concurrency-of-a-non-fake",
                "concurrency of a plain value",
                """
                af.max_concurrency(42)
                """,
                TypeError,
                """
                max_concurrency() takes a fake, but got int 42. Create one with af.fake(...), af.AsyncFake() or af.patch(...).
                """,
            ),
            case(
                "wait-for-calls-of-a-non-fake",
                "waiting for calls of a real function",
                """
                await af.wait_for_calls(fetch)
                """,
                TypeError,
                """
                wait_for_calls() takes a fake, but got function 'fetch'. Create one with af.fake(...), af.AsyncFake() or af.patch(...).
                """,
            ),
            case(
                "wait-for-zero-calls",
                "waiting for zero calls",
                """
                ping = af.AsyncFake(name="ping")
                await af.wait_for_calls(ping, 0)
                """,
                ValueError,
                "wait_for_calls(ping, count=0): count must be at least 1",
            ),
            case(
                "wait-with-a-negative-timeout",
                "a negative timeout",
                """
                ping = af.AsyncFake(name="ping")
                await af.wait_for_calls(ping, timeout=-1)
                """,
                ValueError,
                "wait_for_calls(ping, timeout=-1): timeout must not be negative",
            ),
            case(
                "wait-for-calls-that-never-come",
                "waiting for more calls than arrive",
                """
                ping = af.AsyncFake(name="ping")
                await ping("a")
                await af.wait_for_calls(ping, 2, timeout=0.01)
                """,
                TimeoutError,
                """
                wait_for_calls(ping, count=2) timed out after 0.01 s: 1 of 2 calls arrived.
                  1. ping('a')  at example.py:2
                """,
            ),
            case(
                "set-a-record-field",
                "changing a call record",
                """
                ping = af.MagicFake(name="ping")
                ping()
                af.calls(ping)[0].outcome = "raised"
                """,
                AttributeError,
                "CallRecord is read-only: cannot set 'outcome'",
            ),
            case(
                "delete-a-record-field",
                "deleting a call record's field",
                """
                ping = af.MagicFake(name="ping")
                ping()
                del af.calls(ping)[0].args
                """,
                AttributeError,
                "CallRecord is read-only: cannot delete 'args'",
            ),
            case(
                "wait-for-calls-count-text",
                "a count of calls that is not a number",
                """
                ping = af.AsyncFake(name="ping")
                await af.wait_for_calls(ping, "2")
                """,
                TypeError,
                "wait_for_calls(ping, count='2'): count must be a whole number, not str",
            ),
            case(
                "wait-for-calls-timeout-text",
                "a timeout that is not a number",
                """
                ping = af.AsyncFake(name="ping")
                await af.wait_for_calls(ping, timeout="1")
                """,
                TypeError,
                """
                wait_for_calls(ping, timeout='1'): timeout must be a number of seconds or None, not str
                """,
            ),
        ),
    ),
    Area(
        "Verification",
        "`af.verify()`, `af.assert_in_order()` and `af.assert_all_awaited()`.",
        (
            case(
                "verify-with-a-unittest-mock-name",
                "a `unittest.mock` assertion name on `af.verify()`",
                """
                fetch = af.AsyncFake(name="fetch")
                af.verify(fetch).assert_awaited_once_with("https://a")
                """,
                AttributeError,
                """
                verify(fetch) has no check 'assert_awaited_once_with'. Did you mean verify(fetch).awaited_once_with(...)? Its checks: awaited(), not_awaited(), awaited_with(), awaited_once_with(), awaited_inside(), called(), not_called(), called_with(), called_once_with(), called_inside().
                """,
            ),
            case(
                "verify-a-non-fake",
                "verifying a real function",
                """
                af.verify(fetch).awaited()
                """,
                TypeError,
                """
                verify() takes a fake, but got function 'fetch'. Create one with af.fake(...), af.AsyncFake() or af.patch(...).
                """,
            ),
            case(
                "verify-awaited-on-a-sync-fake",
                "`awaited()` on a sync fake",
                """
                api = af.fake(Api)
                api.key(1)
                af.verify(api.key).awaited()
                """,
                TypeError,
                """
                verify(Api.key).awaited(): Api.key is a sync fake and is never awaited; use verify(Api.key).called(...) instead.
                """,
            ),
            case(
                "verify-awaited-with-on-a-sync-fake",
                "`awaited_with()` on a sync fake",
                """
                key = af.MagicFake(name="key")
                af.verify(key).awaited_with(1)
                """,
                TypeError,
                """
                verify(key).awaited_with(): key is a sync fake and is never awaited; use verify(key).called_with(...) instead.
                """,
            ),
            case(
                "verify-not-awaited-on-a-sync-fake",
                "`not_awaited()` on a sync fake",
                """
                key = af.MagicFake(name="key")
                af.verify(key).not_awaited()
                """,
                TypeError,
                """
                verify(key).not_awaited(): key is a sync fake and is never awaited; use verify(key).not_called(...) instead.
                """,
            ),
            case(
                "verify-awaited-inside-on-a-sync-fake",
                "`awaited_inside()` on a sync fake",
                """
                key = af.MagicFake(name="key")
                af.verify(key).awaited_inside(af.async_context())
                """,
                TypeError,
                """
                verify(key).awaited_inside(): key is a sync fake and is never awaited; use verify(key).called_inside(...) instead.
                """,
            ),
            case(
                "verify-negative-times",
                "a negative count",
                """
                ping = af.AsyncFake(name="ping")
                af.verify(ping).awaited(times=-1)
                """,
                ValueError,
                "verify(ping).awaited(times=-1): times must be >= 0",
            ),
            case(
                "verify-called-negative-times",
                "a negative count of calls",
                """
                key = af.MagicFake(name="key")
                af.verify(key).called(times=-2)
                """,
                ValueError,
                "verify(key).called(times=-2): times must be >= 0",
            ),
            case(
                "in-order-of-nothing",
                "`assert_in_order()` without targets",
                """
                af.assert_in_order()
                """,
                TypeError,
                "assert_in_order() takes at least one fake, in the expected order.",
            ),
            case(
                "in-order-of-a-non-fake",
                "`assert_in_order()` of a real function",
                """
                ping = af.AsyncFake(name="ping")
                af.assert_in_order(ping, fetch)
                """,
                TypeError,
                """
                assert_in_order() takes a fake, but got function 'fetch'. Create one with af.fake(...), af.AsyncFake() or af.patch(...).
                """,
            ),
            case(
                "forgot-await",
                "calling an async fake without awaiting it",
                """
                api = af.fake(Api)
                api.get("https://a")  # the bug: no await
                af.assert_all_awaited()
                """,
                af.VerificationError,
                """
                1 call to an async fake was never awaited (a missing `await`?):
                  1. Api.get('https://a')  at example.py:2
                Await each call (or pass it to asyncio.create_task); the never-awaited coroutines have been closed.
                """,
            ),
            case(
                "verify-times-text",
                "a count that is not a number",
                """
                ping = af.AsyncFake(name="ping")
                af.verify(ping).awaited(times="1")
                """,
                TypeError,
                """
                verify(ping).awaited(times='1'): times must be a whole number or None, not str
                """,
            ),
        ),
    ),
    Area(
        "AsyncFake and MagicFake",
        "They are `AsyncMock` and `MagicMock`, and refuse what those refuse, with the same errors.",
        (
            case(
                "await-a-call-twice",
                "awaiting one call's awaitable twice",
                """
                op = af.AsyncFake(name="op")
                pending = op()
                await pending
                await pending
                """,
                RuntimeError,
                "cannot reuse already awaited coroutine",
            ),
            case(
                "sealed-fake",
                "a new attribute of a sealed fake",
                """
                from unittest.mock import seal
                client = af.AsyncFake(name="client")
                seal(client)
                client.get
                """,
                AttributeError,
                "client.get",
            ),
        ),
    ),
    Area(
        "Spec'd fakes",
        "`af.fake()` keeps the real attributes and signatures.",
        (
            case(
                "fake-of-a-fake",
                "faking a fake",
                """
                af.fake(af.fake(Api))
                """,
                TypeError,
                """
                fake() takes a real class, instance or function to imitate, but got the fake Api. Pass the real object it stands for.
                """,
            ),
            case(
                "fake-of-none",
                "faking None (a variable not set yet)",
                """
                client_class = None
                af.fake(client_class)
                """,
                TypeError,
                """
                fake() takes a real class, instance or function to imitate, but got None. Pass the class the code under test uses (af.fake(Client)), not a variable that is still None.
                """,
            ),
            case(
                "partialmethod-called-wrongly",
                "a partialmethod member called without the argument it leaves open",
                """
                import functools

                class Store:
                    def _run(self, query: str, timeout: float) -> list: ...

                    run_fast = functools.partialmethod(_run, timeout=1.0)

                store = af.fake(Store)
                store.run_fast()
                """,
                SpecTypeError,
                """
                Store.run_fast() missing 1 required positional argument: 'query'
                  call:      Store.run_fast()
                  signature: Store.run_fast(query, *, timeout=...)
                """,
            ),
            case(
                "read-an-unknown-attribute",
                "reading an attribute the real class lacks",
                """
                api = af.fake(Api)
                api.gett
                """,
                SpecAttributeError,
                """
                Api has no attribute 'gett': example.Api does not define it. Did you mean 'get'?
                """,
            ),
            case(
                "read-an-unknown-attribute-of-a-real-library",
                "a misspelled httpx method",
                """
                client = af.fake(httpx.AsyncClient)
                await client.fetch("https://a")
                """,
                SpecAttributeError,
                """
                AsyncClient has no attribute 'fetch': httpx.AsyncClient does not define it. Did you mean 'patch'?
                """,
            ),
            case(
                "set-an-unknown-attribute",
                "setting an attribute the real class lacks",
                """
                api = af.fake(Api)
                api.baseurl = "https://b"
                """,
                SpecAttributeError,
                """
                Cannot set Api.baseurl: example.Api has no attribute 'baseurl'. Did you mean 'base_url'?
                """,
            ),
            case(
                "unexpected-keyword",
                "a keyword the real method does not take",
                """
                api = af.fake(Api)
                await api.get("https://a", tmeout=1)
                """,
                SpecTypeError,
                """
                Api.get() got an unexpected keyword argument 'tmeout'. Did you mean 'timeout'?
                  call:      Api.get('https://a', tmeout=1)
                  signature: Api.get(url, *, timeout=...)
                """,
            ),
            case(
                "missing-argument",
                "a missing required argument",
                """
                api = af.fake(Api)
                await api.get()
                """,
                SpecTypeError,
                """
                Api.get() missing 1 required positional argument: 'url'
                  call:      Api.get()
                  signature: Api.get(url, *, timeout=...)
                """,
            ),
            case(
                "too-many-arguments",
                "too many positional arguments",
                """
                api = af.fake(Api)
                await api.get("https://a", 5)
                """,
                SpecTypeError,
                """
                Api.get() takes 1 positional argument but 2 were given
                  call:      Api.get('https://a', 5)
                  signature: Api.get(url, *, timeout=...)
                """,
            ),
            case(
                "wrong-call-of-a-faked-function",
                "a faked function called wrongly",
                """
                fake_fetch = af.fake(fetch)
                await fake_fetch("https://a", retries=3)
                """,
                SpecTypeError,
                """
                fetch() got an unexpected keyword argument 'retries'
                  call:      fetch('https://a', retries=3)
                  signature: fetch(url)
                """,
            ),
            case(
                "call-an-uncallable-instance",
                "calling a fake of an instance that is not callable",
                """
                api = af.fake(Api)
                api()
                """,
                SpecTypeError,
                "Api is not callable: example.Api has no __call__ method.",
            ),
            case(
                "typecheck-argument",
                "an argument of the wrong type (`typecheck=True`)",
                """
                api = af.fake(Api, typecheck=True)
                api.key("1")
                """,
                SpecTypeError,
                """
                Api.key() argument 'user_id' must be int, not str: '1' (typecheck=True)
                  call:      Api.key('1')
                """,
            ),
            case(
                "typecheck-attribute",
                "assigning a value of the wrong type (`typecheck=True`)",
                """
                api = af.fake(Api, typecheck=True)
                api.base_url = 42
                """,
                SpecTypeError,
                """
                Api.base_url = 42: Api.base_url is declared as str, not int (typecheck=True)
                """,
            ),
            case(
                "strict-unstubbed-call",
                "an unstubbed call on a strict fake",
                """
                api = af.fake(Api, strict=True)
                await api.get("https://a")
                """,
                af.UnstubbedCallError,
                """
                Unstubbed call on a strict fake: Api.get('https://a')
                Api.get has no stubs.
                Stub it with: af.when(Api.get).called_with('https://a').returns(...)
                """,
            ),
            case(
                "strict-call-no-stub-matches",
                "a call no stub of a strict fake matches",
                """
                api = af.fake(Api, strict=True)
                af.when(api.get).called_with("https://a").returns(b"A")
                await api.get("https://b")
                """,
                af.UnstubbedCallError,
                """
                Unstubbed call on a strict fake: Api.get('https://b')
                Stubs of Api.get (the latest added wins):
                  1. called_with('https://a'): returns(b'A')
                     this call differs: url='https://b' (the rule has 'https://a')
                Stub it with: af.when(Api.get).called_with('https://b').returns(...)
                """,
            ),
            case(
                "strict-unstubbed-iteration",
                "an unstubbed async generator member of a strict fake",
                """
                api = af.fake(Api, strict=True)
                api.events("news")
                """,
                af.UnstubbedCallError,
                """
                Unstubbed call on a strict fake: Api.events('news')
                Api.events has no stubs.
                Stub it with: af.when(Api.events).called_with('news').yields(...)
                """,
            ),
        ),
    ),
    Area(
        "Stubbing",
        "`af.when()` and its verbs refuse stubs the member could never give.",
        (
            case(
                "when-of-a-non-fake",
                "stubbing a real function",
                """
                af.when(fetch).returns(b"")
                """,
                TypeError,
                """
                when() takes a fake's method or a fake callable, but got function 'fetch'. Make a fake with af.fake(...) or af.patch(...) and pass it (or its method) instead.
                """,
            ),
            case(
                "when-of-a-fake-instance",
                "stubbing a fake instance instead of its method",
                """
                api = af.fake(Api)
                af.when(api).returns(b"")
                """,
                TypeError,
                """
                when() takes a fake's method or a fake callable, but Api is a fake instance that is not callable. Pass one of its methods: af.when(Api.<method>).
                """,
            ),
            case(
                "yields-on-a-coroutine-method",
                "`yields()` on a coroutine method",
                """
                api = af.fake(Api)
                af.when(api.get).yields(b"a")
                """,
                SpecTypeError,
                """
                af.when(Api.get).yields(b'a'): Api.get is a coroutine method (async def); yields() is for async generator members. Use .returns(...) to set what awaiting it gives.
                """,
            ),
            case(
                "enters-on-an-awaitable-async-iterable",
                "`enters()` on a member returning an awaitable async iterable (asyncpg's `cursor()`)",
                """
                conn = af.fake(asyncpg.Connection)
                af.when(conn.cursor).enters("cursor")
                """,
                SpecTypeError,
                """
                af.when(Connection.cursor).enters('cursor'): Connection.cursor is a method returning an awaitable async iterable; enters() is for members that return an async context manager. Use .yields(...) to set the items `async for` gives, or .returns(...) to set what `await` gives.
                """,
            ),
            case(
                "runs-async-on-an-awaitable-async-iterable",
                "`runs()` of an async function on asyncpg's `cursor()`",
                """
                conn = af.fake(asyncpg.Connection)

                async def open_cursor(query):
                    return query

                af.when(conn.cursor).runs(open_cursor)
                """,
                SpecTypeError,
                """
                af.when(Connection.cursor).runs(open_cursor): Connection.cursor is a method returning an awaitable async iterable; its result is made at the call, and a coroutine function's coroutine would never be awaited when the result is iterated. Use .yields(...) to set the items `async for` gives, or .returns(...) to set what `await` gives.
                """,
            ),
            case(
                "iterating-a-returns-stubbed-cursor",
                "`async for` over a `cursor()` whose stub set only what `await` gives",
                """
                conn = af.fake(asyncpg.Connection)
                af.when(conn.cursor).returns("cursor")
                async for row in conn.cursor("SELECT 1"):
                    pass
                """,
                TypeError,
                """
                `async for` over Connection.cursor('SELECT 1'), which was stubbed with returns(...): that sets what `await` gives, not the items. Stub them with af.when(Connection.cursor).called_with('SELECT 1').yields(...).
                """,
            ),
            case(
                "strict-await-of-a-yields-only-cursor",
                "`await` of a strict fake's `cursor()` that only `yields()` was stubbed for",
                """
                conn = af.fake(asyncpg.Connection, strict=True)
                af.when(conn.cursor).yields(1)
                await conn.cursor("SELECT 1")
                """,
                af.UnstubbedCallError,
                """
                Unstubbed await on a strict fake: await Connection.cursor('SELECT 1'): no stub sets what it gives
                Stubs of Connection.cursor (the latest added wins):
                  1. any arguments: yields(1)
                Stub it with: af.when(Connection.cursor).called_with('SELECT 1').returns(...)
                """,
            ),
            case(
                "returns-on-an-async-generator",
                "`returns()` of a plain value on an async generator method",
                """
                api = af.fake(Api)
                af.when(api.events).returns(["a"])
                """,
                SpecTypeError,
                """
                af.when(Api.events).returns(['a']): Api.events is an async generator method; returns() needs an async iterable, not list. Use .yields(...) to set the items it gives.
                """,
            ),
            case(
                "enters-on-a-coroutine-method",
                "`enters()` on a coroutine method",
                """
                api = af.fake(Api)
                af.when(api.get).enters(b"a")
                """,
                SpecTypeError,
                """
                af.when(Api.get).enters(b'a'): Api.get is a coroutine method (async def); enters() is for members that return an async context manager. Use .returns(...) to set what awaiting it gives.
                """,
            ),
            case(
                "returns-on-a-context-manager",
                "`returns()` of a plain value on a context-manager method",
                """
                api = af.fake(Api)
                af.when(api.session).returns("session")
                """,
                SpecTypeError,
                """
                af.when(Api.session).returns('session'): Api.session is a method returning an async context manager; returns() needs an async context manager, not str. Use .enters(...) to set what `async with` gives.
                """,
            ),
            case(
                "yields-on-a-plain-awaitable-fake",
                "`yields()` on an `AsyncFake`",
                """
                op = af.AsyncFake(name="op")
                af.when(op).yields(1, 2)
                """,
                SpecTypeError,
                """
                af.when(op).yields(1, 2): op is an awaitable fake (AsyncFake); yields() is for async generator members. Use .returns(...) to set what awaiting it gives.
                """,
            ),
            case(
                "hangs-on-a-sync-method",
                "`hangs()` on a sync method",
                """
                api = af.fake(Api)
                af.when(api.key).hangs()
                """,
                SpecTypeError,
                """
                af.when(Api.key).hangs(): Api.key is a plain (sync) method; a sync call cannot hang. Use .returns(...) to set what calling it gives.
                """,
            ),
            case(
                "after-on-a-sync-method",
                "`after()` on a sync method",
                """
                api = af.fake(Api)
                af.when(api.key).after(1)
                """,
                SpecTypeError,
                """
                af.when(Api.key).after(1): Api.key is a plain (sync) method; a sync call cannot be delayed. Use .returns(...) to set what calling it gives.
                """,
            ),
            case(
                "after-a-negative-delay",
                "a negative latency",
                """
                op = af.AsyncFake(name="op")
                af.when(op).after(-1)
                """,
                ValueError,
                "af.when(op).after(-1): seconds must be a number >= 0.",
            ),
            case(
                "times-zero",
                "`times(0)`",
                """
                op = af.AsyncFake(name="op")
                af.when(op).returns(1).times(0)
                """,
                ValueError,
                "af.when(op).times(0): count must be an int >= 1.",
            ),
            case(
                "times-before-an-outcome",
                "`times()` before any outcome",
                """
                op = af.AsyncFake(name="op")
                af.when(op).times(2)
                """,
                ValueError,
                """
                af.when(op).times(2): times() repeats the outcome before it; call it after returns(), raises(), runs(), yields(), enters() or hangs().
                """,
            ),
            case(
                "raises-a-string",
                "`raises()` of something that is not an exception",
                """
                op = af.AsyncFake(name="op")
                af.when(op).raises("boom")
                """,
                TypeError,
                """
                af.when(op).raises('boom'): raises() takes an exception instance or class.
                """,
            ),
            case(
                "runs-a-value",
                "`runs()` of something that is not callable",
                """
                op = af.AsyncFake(name="op")
                af.when(op).runs(42)
                """,
                TypeError,
                "af.when(op).runs(42): runs() takes a function (sync or async).",
            ),
            case(
                "runs-a-coroutine-function-on-a-sync-method",
                "`runs()` of an async function on a sync method",
                """
                api = af.fake(Api)

                async def compute_key(user_id):
                    return str(user_id)

                af.when(api.key).runs(compute_key)
                """,
                SpecTypeError,
                """
                af.when(Api.key).runs(compute_key): Api.key is a plain (sync) method; a sync call cannot run a coroutine function (its coroutine would never be awaited). Use .returns(...) to set what calling it gives.
                """,
            ),
            case(
                "called-with-wrong-arguments",
                "`called_with()` arguments the real signature rejects",
                """
                api = af.fake(Api)
                af.when(api.get).called_with("https://a", tmeout=1).returns(b"")
                """,
                SpecTypeError,
                """
                af.when(Api.get).called_with('https://a', tmeout=1): Api.get() got an unexpected keyword argument 'tmeout'. Did you mean 'timeout'?
                  signature: Api.get(url, *, timeout=...)
                """,
            ),
            case(
                "typecheck-returns",
                "`returns()` of the wrong type (`typecheck=True`)",
                """
                api = af.fake(Api, typecheck=True)
                af.when(api.get).returns("not bytes")
                """,
                SpecTypeError,
                """
                af.when(Api.get).returns('not bytes'): Api.get gives bytes, not str (typecheck=True)
                """,
            ),
            case(
                "typecheck-yields",
                "`yields()` of the wrong type (`typecheck=True`)",
                """
                api = af.fake(Api, typecheck=True)
                af.when(api.events).yields("a", 2)
                """,
                SpecTypeError,
                """
                af.when(Api.events).yields(2): Api.events gives str, not int (typecheck=True)
                """,
            ),
            case(
                "typecheck-runs",
                "`runs()` computing the wrong type (`typecheck=True`)",
                """
                api = af.fake(Api, typecheck=True)
                af.when(api.key).runs(lambda user_id: user_id)
                api.key(1)
                """,
                SpecTypeError,
                """
                af.when(Api.key).runs(<lambda>) gave 1: Api.key gives str, not int (typecheck=True)
                """,
            ),
            case(
                "returns-a-coroutine",
                "`returns()` of a coroutine object",
                """
                api = af.fake(Api)
                af.when(api.get).returns(fetch("https://a"))
                """,
                SpecTypeError,
                """
                af.when(Api.get).returns(<coroutine object fetch at 0x...>): a coroutine object can be awaited only once and would be handed out un-awaited; stub the value it gives with af.when(Api.get).returns(value), or compute it per call with af.when(Api.get).runs(async_function).
                """,
            ),
            case(
                "after-twice",
                "two `after()` in a row",
                """
                op = af.AsyncFake(name="op")
                af.when(op).after(1).after(2)
                """,
                ValueError,
                """
                af.when(op).after(2): the rule already waits after(1) before its next outcome, and a second after() would replace that delay. Wait once, .after(3), or give an outcome between the two: .after(1).returns(...).after(2).
                """,
            ),
            case(
                "times-twice",
                "two `times()` on one outcome",
                """
                op = af.AsyncFake(name="op")
                af.when(op).returns(1).times(2).times(3)
                """,
                ValueError,
                """
                af.when(op).times(3): returns(1).times(2) already has a count, and a second times() would replace it. Count once: .times(5) serves 2 + 3 calls.
                """,
            ),
            case(
                "side-effect-behind-a-rule",
                "a `side_effect` set on a fake a `when()` rule answers in full",
                """
                fetch = af.AsyncFake(name="fetch")
                af.when(fetch).returns("from when")
                fetch.side_effect = ["from side_effect"]
                """,
                ValueError,
                """
                fetch.side_effect = ['from side_effect']: never used, because a when() rule answers every call of fetch first (any arguments: returns('from when')). Add a rule instead (af.when(fetch).returns(...); the latest added wins), or drop the rules first with fetch.reset_mock(return_value=True, side_effect=True).
                """,
            ),
            case(
                "return-value-behind-a-rule",
                "a `return_value` set on a spec'd member a `when()` rule answers in full",
                """
                api = af.fake(Api, name="api")
                af.when(api.get).raises(TimeoutError)
                api.get.return_value = b"ok"
                """,
                ValueError,
                """
                api.get.return_value = b'ok': never used, because a when() rule answers every call of api.get first (any arguments: raises(TimeoutError)). Add a rule instead (af.when(api.get).returns(...); the latest added wins), or drop the rules first with api.get.reset_mock(return_value=True, side_effect=True).
                """,
            ),
            case(
                "called-with-twice",
                "a `called_with()` rule left without an outcome by the next `called_with()`",
                """
                api = af.fake(Api)
                af.when(api.get).called_with("https://a").called_with("https://b").returns(b"")
                """,
                ValueError,
                """
                af.when(Api.get).called_with('https://b'): the rule af.when(Api.get).called_with('https://a') before it has no outcome, so it would be ignored. End each rule with an outcome before starting the next: use .returns(...) to set what awaiting it gives.
                """,
            ),
            case(
                "rule-without-an-outcome",
                "a rule that never gets an outcome",
                """
                api = af.fake(Api)
                af.when(api.get).called_with("https://a")
                await api.get("https://a")
                """,
                SpecTypeError,
                """
                Api.get('https://a'): a rule of Api.get was started but has no outcome (it would be ignored):
                  af.when(Api.get).called_with('https://a')  at example.py:2
                End it with an outcome (use .returns(...) to set what awaiting it gives), or delete it.
                """,
            ),
        ),
    ),
    Area(
        "Iterators and contexts",
        "`af.async_iter()` and `af.async_context()` check their arguments when they are built.",
        (
            case(
                "async-iter-of-a-non-iterable",
                "items that are not iterable",
                """
                af.async_iter(42)
                """,
                TypeError,
                """
                af.async_iter(): items must be an iterable (a list, a generator...), got int 42.
                """,
            ),
            case(
                "async-iter-of-an-async-iterable",
                "an async iterable as items",
                """
                af.async_iter(af.async_iter([1]))
                """,
                TypeError,
                """
                af.async_iter(): items must be an iterable (a list, a generator...), got FakeAsyncIterator <FakeAsyncIterator async_iter: consumed 0, iterations 0, .... It is an async iterable: pass the items themselves, not an async source.
                """,
            ),
            case(
                "async-iter-delay-text",
                "a delay that is not a number",
                """
                af.async_iter([1], delay="1s")
                """,
                TypeError,
                "af.async_iter(): delay must be a number of seconds, got str '1s'.",
            ),
            case(
                "async-iter-negative-delay",
                "a negative delay",
                """
                af.async_iter([1], delay=-0.5)
                """,
                ValueError,
                """
                af.async_iter(): delay must be 0 or more seconds (0 for none), got -0.5.
                """,
            ),
            case(
                "async-iter-raises-a-string",
                "`.raises()` of something that is not an exception",
                """
                af.async_iter([1]).raises("boom")
                """,
                TypeError,
                """
                async_iter.raises(): error must be an exception instance or class, got str 'boom'.
                """,
            ),
            case(
                "async-context-of-a-coroutine",
                "a coroutine as the entered value",
                """
                af.async_context(fetch("https://a"))
                """,
                TypeError,
                """
                af.async_context(): enter is a coroutine (coroutine <coroutine object fetch at 0x...>), so `async with` would give the coroutine itself. Await it and pass the value it produces.
                """,
            ),
            case(
                "async-context-suppress-a-string",
                "`suppress` that is not an exception class",
                """
                af.async_context(suppress="KeyError")
                """,
                TypeError,
                """
                af.async_context(): suppress must be an exception class or a tuple of them, got str 'KeyError'.
                """,
            ),
            case(
                "async-context-exit-raises-a-string",
                "`exit_raises` that is not an exception",
                """
                af.async_context(exit_raises="boom")
                """,
                TypeError,
                """
                af.async_context(): exit_raises must be an exception instance or class, got str 'boom'.
                """,
            ),
            case(
                "async-context-awaitable-not-a-bool",
                "`awaitable` that is not a bool",
                """
                af.async_context(awaitable="yes")
                """,
                TypeError,
                "af.async_context(): awaitable must be True or False, got str 'yes'.",
            ),
            case(
                "await-a-context",
                "awaiting a context that is not awaitable",
                """
                tx = af.async_context("tx", name="tx")
                await tx
                """,
                TypeError,
                """
                tx is an async context manager, not an awaitable: use `async with tx as value:`, or build it with af.async_context(..., awaitable=True).
                """,
            ),
            case(
                "builder-name-not-text",
                "a name that is not a string",
                """
                af.async_iter([1], name=42)
                """,
                TypeError,
                "af.async_iter(): name must be a str, got int 42.",
            ),
        ),
    ),
    Area(
        "Streams and server-sent events",
        "`af.stream()`, its endings, and `af.sse()`.",
        (
            case(
                "stream-of-one-bytes",
                "a single bytes object as the chunks",
                """
                af.stream(b"hello")
                """,
                TypeError,
                """
                af.stream(): chunks must be an iterable of chunks, got a single bytes (bytes b'hello'); wrap it in a list: chunks=[...].
                """,
            ),
            case(
                "stream-of-a-non-iterable",
                "chunks that are not iterable",
                """
                af.stream(42)
                """,
                TypeError,
                """
                af.stream(): chunks must be an iterable of bytes or str chunks (a list, a generator...), got int 42.
                """,
            ),
            case(
                "stream-chunk-of-a-wrong-type",
                "a chunk that is neither bytes nor str",
                """
                af.stream([b"a", 1])
                """,
                TypeError,
                "af.stream(): chunk 1 is int 1; chunks must be bytes or str.",
            ),
            case(
                "stream-lazy-chunk-of-a-wrong-type",
                "a wrong chunk from a generator, found as it is pulled",
                """
                body = af.stream(chunk for chunk in [b"a", None])
                async for _ in body:
                    pass
                """,
                TypeError,
                "af.stream(): chunk 1 is NoneType None; chunks must be bytes or str.",
            ),
            case(
                "stream-negative-delay",
                "a negative delay",
                """
                af.stream([b"a"], delay=-1)
                """,
                ValueError,
                "af.stream(): delay must be 0 or more seconds (0 for none), got -1.",
            ),
            case(
                "fails-after-text",
                "`fails_after()` with a count that is not an int",
                """
                af.stream([b"a", b"b"]).fails_after("1", OSError)
                """,
                TypeError,
                """
                af.stream(...).fails_after('1', <class 'OSError'>): n must be a number of chunks (an int), got str '1'.
                """,
            ),
            case(
                "fails-after-negative",
                "`fails_after()` with a negative count",
                """
                af.stream([b"a", b"b"]).fails_after(-1, OSError)
                """,
                ValueError,
                """
                af.stream(...).fails_after(-1, <class 'OSError'>): n must be 0 or more chunks, got -1.
                """,
            ),
            case(
                "fails-after-past-the-end",
                "`fails_after()` past the last chunk",
                """
                af.stream([b"a", b"b"]).fails_after(3, OSError)
                """,
                ValueError,
                """
                af.stream(...).fails_after(3, <class 'OSError'>): n=3 is past the end of the stream's 2 chunks; pass n from 0 to 2.
                """,
            ),
            case(
                "fails-after-past-the-end-of-a-generator",
                "an ending past the last chunk of a generator, found when the chunks run out",
                """
                body = af.stream(chunk for chunk in [b"a"]).disconnects_after(2)
                async for _ in body:
                    pass
                """,
                ValueError,
                """
                af.stream(...).disconnects_after(2): n=2 is past the end of the stream: its chunks ran out after 1; pass n from 0 to 1.
                """,
            ),
            case(
                "fails-after-a-string",
                "`fails_after()` with something that is not an exception",
                """
                af.stream([b"a"]).fails_after(1, "reset")
                """,
                TypeError,
                """
                af.stream(...).fails_after(1, 'reset'): exc must be an exception instance or class, got str 'reset'.
                """,
            ),
            case(
                "stalls-after-past-the-end",
                "`stalls_after()` past the last chunk",
                """
                af.stream([b"a"]).stalls_after(2)
                """,
                ValueError,
                """
                af.stream(...).stalls_after(2): n=2 is past the end of the stream's 1 chunks; pass n from 0 to 1.
                """,
            ),
            case(
                "sse-of-a-string",
                "a single event instead of a list",
                """
                af.sse("hello")
                """,
                TypeError,
                """
                af.sse(): events must be an iterable of events (a list, a generator...), got str 'hello'; wrap a single event in a list.
                """,
            ),
            case(
                "sse-event-of-a-wrong-type",
                "an event that is neither a string nor a mapping",
                """
                af.sse([42])
                """,
                TypeError,
                """
                af.sse(): event 0 is int 42; an event is a data string or a mapping with data, event, id, retry, comment.
                """,
            ),
            case(
                "sse-unknown-field",
                "an unknown event field",
                """
                af.sse([{"dat": "hello"}])
                """,
                ValueError,
                """
                af.sse(): event 0 has unknown field 'dat'; the fields are data, event, id, retry, comment (put a JSON payload under data).
                """,
            ),
            case(
                "sse-multi-line-id",
                "an event id on two lines",
                """
                af.sse([{"data": "a", "id": "1\\n2"}])
                """,
                ValueError,
                "af.sse(): event 0 has id='1\\n2'; id must be a single line.",
            ),
            case(
                "sse-id-with-nul",
                "an event id with NUL",
                """
                af.sse([{"data": "a", "id": "1\\0"}])
                """,
                ValueError,
                r"""
                af.sse(): event 0 has id='1\x00'; an id cannot contain NUL (clients ignore it).
                """,
            ),
            case(
                "sse-negative-retry",
                "a negative retry",
                """
                af.sse([{"data": "a", "retry": -1}])
                """,
                ValueError,
                """
                af.sse(): event 0 has retry=-1; retry must be an int of milliseconds, 0 or more.
                """,
            ),
            case(
                "sse-comment-not-text",
                "a comment that is not a string",
                """
                af.sse([{"comment": 1}])
                """,
                TypeError,
                "af.sse(): event 0 has comment=int 1; comment must be a str.",
            ),
            case(
                "sse-event-name-not-text",
                "an event name that is not a string",
                """
                af.sse([{"data": "a", "event": 1}])
                """,
                TypeError,
                "af.sse(): event 0 has event=int 1; event must be a str.",
            ),
        ),
    ),
    Area(
        "HTTP responses",
        "`af.httpx_response()` and `af.aiohttp_response()` build real responses and check what they are given.",
        (
            case(
                "httpx-status-text",
                "a status code that is not an int",
                """
                af.httpx_response("200")
                """,
                TypeError,
                "af.httpx_response(): status_code must be an int, got str '200'.",
            ),
            case(
                "httpx-status-out-of-range",
                "a status code out of range",
                """
                af.httpx_response(42)
                """,
                ValueError,
                """
                af.httpx_response(): status_code must be an HTTP status from 100 to 999, got 42.
                """,
            ),
            case(
                "httpx-two-bodies",
                "two bodies at once",
                """
                af.httpx_response(chunks=[b"a"], json={"a": 1})
                """,
                TypeError,
                """
                af.httpx_response(): pass one body, got chunks= and json=; use chunks= for a streamed body, json= or text= for a body read at once.
                """,
            ),
            case(
                "httpx-text-chunks",
                "str chunks for an HTTP body",
                """
                af.httpx_response(chunks=["a"])
                """,
                TypeError,
                """
                af.httpx_response(): chunk 0 is str 'a'; an HTTP body is made of bytes (encode it: b'...' or text.encode()).
                """,
            ),
            case(
                "httpx-request-of-a-wrong-type",
                "a request that is not an `httpx.Request`",
                """
                af.httpx_response(request="GET https://a")
                """,
                TypeError,
                """
                af.httpx_response(): request must be an httpx.Request, got str 'GET https://a'.
                """,
            ),
            case(
                "aiohttp-status-out-of-range",
                "a status out of range",
                """
                af.aiohttp_response(status=1000)
                """,
                ValueError,
                """
                af.aiohttp_response(): status must be an HTTP status from 100 to 999, got 1000.
                """,
            ),
            case(
                "aiohttp-text-not-a-string",
                "a text body that is not a string",
                """
                af.aiohttp_response(text=b"hello")
                """,
                TypeError,
                "af.aiohttp_response(): text must be a str, got bytes b'hello'.",
            ),
            case(
                "aiohttp-two-bodies",
                "two bodies at once",
                """
                af.aiohttp_response(text="a", chunks=[b"a"])
                """,
                TypeError,
                """
                af.aiohttp_response(): pass one body, got chunks= and text=; use chunks= for a streamed body, json= or text= for a body read at once.
                """,
            ),
            case(
                "httpx-headers-not-a-mapping",
                "headers that are neither a mapping nor pairs",
                """
                af.httpx_response(headers=42)
                """,
                TypeError,
                """
                af.httpx_response(): headers must be a mapping or a list of (name, value) pairs, got int 42.
                """,
            ),
        ),
    ),
    Area(
        "Flaky callables",
        "`af.flaky()`, `af.flaky.failing()`, `af.flaky.random()` and `af.flaky.hanging()`.",
        (
            case(
                "flaky-without-outcomes",
                "no outcome at all",
                """
                af.flaky()
                """,
                TypeError,
                """
                af.flaky() needs at least one outcome, such as af.flaky(ConnectionError, ConnectionError, 'ok'): exceptions are raised, other values returned, and the last one repeats
                """,
            ),
            case(
                "flaky-failing-negative-times",
                "a negative number of failures",
                """
                af.flaky.failing(-1, ConnectionError)
                """,
                ValueError,
                "af.flaky.failing(times=-1): times must be a whole number of at least 0",
            ),
            case(
                "flaky-failing-error-a-string",
                "an error that is not an exception",
                """
                af.flaky.failing(2, "down")
                """,
                TypeError,
                """
                af.flaky.failing(error='down'): error must be an exception class or instance, such as ConnectionError or ConnectionError('down')
                """,
            ),
            case(
                "flaky-random-rate-out-of-range",
                "a failure rate above 1",
                """
                af.flaky.random(1.5, ConnectionError)
                """,
                ValueError,
                """
                af.flaky.random(rate=1.5): rate must be between 0 and 1 (the probability that a call fails)
                """,
            ),
            case(
                "flaky-negative-latency",
                "a negative latency",
                """
                af.flaky("ok", latency=-1)
                """,
                ValueError,
                """
                af.flaky(latency=-1): latency must be a number of seconds of at least 0, or a non-empty sequence of them (one per attempt, the last repeats)
                """,
            ),
            case(
                "flaky-latency-text",
                "a latency that is not a number",
                """
                af.flaky("ok", latency="1s")
                """,
                TypeError,
                """
                af.flaky(latency='1s'): latency must be a number of seconds of at least 0, or a non-empty sequence of them (one per attempt, the last repeats)
                """,
            ),
            case(
                "flaky-empty-latency",
                "an empty list of latencies",
                """
                af.flaky("ok", latency=[])
                """,
                ValueError,
                """
                af.flaky(latency=[]): latency must be a number of seconds of at least 0, or a non-empty sequence of them (one per attempt, the last repeats)
                """,
            ),
            case(
                "flaky-spec-not-callable",
                "a spec that is not a function",
                """
                af.flaky("ok", spec="fetch")
                """,
                TypeError,
                """
                af.flaky(spec='fetch'): spec must be the real function whose signature the calls are checked against
                """,
            ),
            case(
                "flaky-call-against-spec",
                "a call the spec's signature rejects",
                """
                op = af.flaky("ok", spec=fetch)
                await op("https://a", retries=3)
                """,
                SpecTypeError,
                """
                fetch() got an unexpected keyword argument 'retries'
                  call:      fetch('https://a', retries=3)
                  signature: fetch(url)
                """,
            ),
        ),
    ),
    Area(
        "Connection pools",
        "`af.pool()` behaves like asyncpg's pool, refusals included.",
        (
            case(
                "pool-size-zero",
                "a pool of no connections",
                """
                af.pool(size=0)
                """,
                ValueError,
                "af.pool(size=0): size must be a whole number of at least 1",
            ),
            case(
                "pool-negative-acquire-timeout",
                "a negative acquire timeout",
                """
                af.pool(acquire_timeout=-1)
                """,
                ValueError,
                "af.pool(acquire_timeout=-1): the timeout must not be negative",
            ),
            case(
                "pool-factory-not-callable",
                "a factory that is not callable",
                """
                af.pool(factory=42)
                """,
                TypeError,
                """
                af.pool(factory=42): factory must be a zero-argument callable that builds one connection, such as `lambda: af.fake(asyncpg.Connection)`.
                """,
            ),
            case(
                "acquire-negative-timeout",
                "`acquire()` with a negative timeout",
                """
                db = af.pool(name="db")
                db.acquire(timeout=-1)
                """,
                ValueError,
                "db.acquire(timeout=-1): timeout must not be negative",
            ),
            case(
                "acquire-context-reused",
                "entering one acquire context twice",
                """
                db = af.pool(name="db")
                acquiring = db.acquire()
                async with acquiring:
                    pass
                async with acquiring:
                    pass
                """,
                RuntimeError,
                """
                db.acquire(): this acquire context was already used; call db.acquire() again for another connection.
                """,
            ),
            case(
                "release-a-foreign-connection",
                "releasing a connection of another pool",
                """
                db = af.pool(name="db")
                other = af.pool(name="other")
                conn = await other.acquire()
                await db.release(conn)
                """,
                ValueError,
                """
                db.release(<connection #1 of other (in use)>): not a connection of this pool; pass the connection returned by db.acquire().
                """,
            ),
            case(
                "release-twice",
                "releasing a connection twice",
                """
                db = af.pool(name="db")
                conn = await db.acquire()
                await db.release(conn)
                await db.release(conn)
                """,
                ValueError,
                """
                db.release(<connection #1 of db (released)>): this connection was already released; release each acquired connection exactly once.
                """,
            ),
            case(
                "use-after-release",
                "using a connection after its release",
                """
                db = af.pool(name="db")
                async with db.acquire() as conn:
                    pass
                await conn.fetch("SELECT 1")
                """,
                af.ConnectionReleasedError,
                """
                <connection #1 of db (released)>.fetch: the connection was used after it was released back to db; acquire it again, or use it only inside `async with db.acquire() as conn:`.
                """,
            ),
            case(
                "acquire-from-a-closed-pool",
                "acquiring from a closed pool",
                """
                db = af.pool(name="db")
                await db.close()
                await db.acquire()
                """,
                af.PoolClosedError,
                """
                db.acquire(): the pool is closed; acquire connections before db.close(), or build a new pool.
                """,
            ),
            case(
                "acquire-from-a-closed-asyncpg-pool",
                "acquiring from a closed pool spec'd as asyncpg's",
                """
                db = af.pool(spec=asyncpg.Pool, name="db")
                await db.close()
                await db.acquire()
                """,
                asyncpg.InterfaceError,
                "pool is closed",
            ),
            case(
                "pool-unknown-attribute",
                "an attribute a pool without spec does not have",
                """
                db = af.pool(name="db")
                db.fetch_all
                """,
                AttributeError,
                """
                db has no attribute 'fetch_all' (an af.pool() without spec= has acquire, release, close, terminate, fetch, fetchrow, fetchval, execute, executemany); pass spec= to imitate a real pool class.
                """,
            ),
            case(
                "pool-unknown-attribute-of-the-spec",
                "an attribute the spec'd pool class lacks",
                """
                db = af.pool(spec=asyncpg.Pool, name="db")
                db.fetchrows
                """,
                SpecAttributeError,
                """
                asyncpg.pool.Pool has no attribute 'fetchrows'. Did you mean 'fetchrow', 'fetch'?
                """,
            ),
            case(
                "pool-leak",
                "a connection never released",
                """
                db = af.pool(name="db")
                await db.acquire()
                db.assert_all_released()
                """,
                af.LeakError,
                """
                db: 1 connection acquired and never released:
                  1. connection #1 acquired at example.py:2 by task main
                Release each one with `await db.release(conn)`, or acquire it with `async with db.acquire() as conn:`.
                """,
            ),
            case(
                "acquire-times-out",
                "waiting longer than the acquire timeout",
                """
                db = af.pool(size=1, acquire_timeout=0.01, name="db")
                conn = await db.acquire()
                await db.acquire()
                """,
                TimeoutError,
                """
                db.acquire(): no connection was released within 0.01 s (1 of 1 in use); release connections sooner, raise size=, or check for a leak with db.assert_all_released().
                """,
            ),
            case(
                "pool-acquire-timeout-text",
                "an acquire timeout that is not a number",
                """
                af.pool(acquire_timeout="1")
                """,
                TypeError,
                """
                af.pool(acquire_timeout='1'): acquire_timeout must be a number of seconds or None, not str
                """,
            ),
            case(
                "acquire-timeout-text",
                "`acquire()` with a timeout that is not a number",
                """
                db = af.pool(name="db")
                db.acquire(timeout="1")
                """,
                TypeError,
                """
                db.acquire(timeout='1'): timeout must be a number of seconds or None, not str
                """,
            ),
        ),
    ),
    Area(
        "Virtual time",
        "`af.virtual_time()` and its clock.",
        (
            case(
                "virtual-time-under-trio",
                "entering virtual time without an asyncio loop",
                """
                async with af.virtual_time():
                    pass
                """,
                RuntimeError,
                """
                af.virtual_time() must be entered inside a running asyncio event loop: use `async with af.virtual_time() as clock:` in a coroutine run by asyncio.run(), pytest-asyncio or IsolatedAsyncioTestCase (under trio, use trio.testing.MockClock(autojump_threshold=0))
                """,
                runner="trio",
            ),
            case(
                "nested-virtual-time",
                "virtual time inside virtual time",
                """
                async with af.virtual_time():
                    async with af.virtual_time():
                        pass
                """,
                RuntimeError,
                """
                af.virtual_time() is already active on this event loop (entered at example.py:1); nested virtual time is not supported: use the clock that is already running (the `clock` fixture gives it to a test)
                """,
            ),
            case(
                "advance-backwards",
                "advancing by a negative amount",
                """
                async with af.virtual_time() as clock:
                    await clock.advance(-1)
                """,
                ValueError,
                "clock.advance(-1): seconds must be a finite number of at least 0",
            ),
            case(
                "advance-an-inactive-clock",
                "advancing a clock that is not entered",
                """
                clock = af.virtual_time()
                await clock.advance(1)
                """,
                RuntimeError,
                """
                clock.advance() needs an active clock: call it inside `async with af.virtual_time() as clock:`
                """,
            ),
            case(
                "advance-by-text",
                "advancing by something that is not a number",
                """
                async with af.virtual_time() as clock:
                    await clock.advance("1")
                """,
                TypeError,
                "clock.advance('1'): seconds must be a number, not str",
            ),
            case(
                "virtual-time-auto-advance-text",
                "`auto_advance` that is not a bool",
                """
                async with af.virtual_time(auto_advance="no"):
                    pass
                """,
                TypeError,
                """
                af.virtual_time(auto_advance='no'): auto_advance must be True or False, not str
                """,
            ),
        ),
    ),
    Area(
        "Patching and spying",
        "`af.patch()`, `af.patch.object()`, `af.patch.dict()` and `af.spy()`.",
        (
            case(
                "patch-a-non-string",
                "a target that is not a dotted path",
                """
                af.patch(fetch)
                """,
                TypeError,
                """
                af.patch() takes the dotted path of the target as a string, such as 'app.services.fetch_user', but got a function: fetch. To patch an attribute of an object, use af.patch.object(obj, 'name').
                """,
            ),
            case(
                "patch-an-undotted-name",
                "a target without a module",
                """
                af.patch("fetch")
                """,
                TypeError,
                """
                af.patch('fetch'): the target must be a dotted path 'module.name', such as 'app.services.fetch_user'.
                """,
            ),
            case(
                "patch-a-missing-module",
                "a module that does not exist",
                """
                with af.patch("no_such_module.fetch"):
                    pass
                """,
                ModuleNotFoundError,
                """
                af.patch('no_such_module.fetch'): cannot import module 'no_such_module' (no module of that name is installed). The target is the dotted path under which the code under test looks the name up, such as 'app.services.fetch_user'.
                """,
            ),
            case(
                "patch-a-missing-attribute",
                "an attribute the module does not have",
                """
                with af.patch("json.dump_s"):
                    pass
                """,
                AttributeError,
                """
                af.patch('json.dump_s'): module 'json' has no attribute 'dump_s'. Did you mean 'dumps' or 'dump'?
                """,
            ),
            case(
                "patch-object-name-not-a-string",
                "an attribute name that is not a string",
                """
                af.patch.object(json, json.dumps)
                """,
                TypeError,
                """
                af.patch.object() takes the attribute's name as a string, but got a function.
                """,
            ),
            case(
                "patch-a-builtin-type",
                "replacing a method of a built-in type",
                """
                with af.patch.object(int, "bit_length"):
                    pass
                """,
                TypeError,
                """
                af.patch.object(int, 'bit_length'): int is a built-in or immutable type, so 'bit_length' cannot be replaced on it. Patch the name where the code under test looks it up instead (the module that imports it, or a function of your own that calls it).
                """,
            ),
            case(
                "patch-a-slots-instance",
                "replacing a method on an instance without `__dict__`",
                """
                with af.patch.object(Slots(), "run"):
                    pass
                """,
                AttributeError,
                """
                af.patch.object(<Slots object>, 'run'): 'run' cannot be replaced on 'Slots' object: it does not accept new attributes (a read-only attribute, a property without a setter, or __slots__). Patch it on the class: af.patch.object(Slots, 'run').
                """,
            ),
            case(
                "spy-on-a-slots-instance",
                "spying on a method of an instance without `__dict__`",
                """
                af.spy(Slots(), "run")
                """,
                AttributeError,
                """
                af.spy(<Slots object>, 'run'): 'run' cannot be replaced on 'Slots' object: it does not accept new attributes (a read-only attribute, a property without a setter, or __slots__). Spy on the class instead, which records the calls of every instance: af.spy(Slots, 'run').
                """,
            ),
            case(
                "patch-unknown-scope",
                "an unknown scope",
                """
                af.patch("json.dumps", scope="test")
                """,
                ValueError,
                "af.patch('json.dumps'): scope must be 'global' or 'task', not 'test'.",
            ),
            case(
                "patch-strict-without-spec",
                "`strict=True` with `spec=False`",
                """
                af.patch("json.dumps", strict=True, spec=False)
                """,
                TypeError,
                """
                af.patch('json.dumps'): strict=True needs a spec'd replacement; drop spec=False.
                """,
            ),
            case(
                "patch-strict-with-new",
                "`strict=True` with a replacement of your own",
                """
                af.patch("json.dumps", new=lambda obj: "{}", strict=True)
                """,
                TypeError,
                """
                af.patch('json.dumps'): strict=True applies to the default replacement; pass either new= or strict=True, not both.
                """,
            ),
            case(
                "patch-return-value",
                "`return_value=`, a `unittest.mock.patch` option, given to `af.patch`",
                """
                af.patch("json.dumps", return_value="{}")
                """,
                TypeError,
                """
                af.patch('json.dumps'): af.patch has no return_value= (a unittest.mock.patch option); set it on the replacement: `with af.patch('json.dumps') as fake: fake.return_value = ...`.
                """,
            ),
            case(
                "patch-object-new-callable",
                "`new_callable=` given to `af.patch.object`",
                """
                import json
                af.patch.object(json, "dumps", new_callable=af.AsyncFake)
                """,
                TypeError,
                """
                af.patch.object(json, 'dumps'): af.patch has no new_callable= (a unittest.mock.patch option); pass the replacement itself: new=af.AsyncFake() (or any object).
                """,
            ),
            case(
                "patch-unknown-keyword",
                "a keyword `af.patch` does not know",
                """
                af.patch("json.dumps", sepc=True)
                """,
                TypeError,
                """
                af.patch('json.dumps'): unexpected keyword argument 'sepc' (did you mean 'spec'?); af.patch takes new=, spec=, strict= and scope=.
                """,
            ),
            case(
                "patch-spec-with-new",
                "a spec for a replacement of your own",
                """
                af.patch("json.dumps", new=lambda obj: "{}", spec=Api)
                """,
                TypeError,
                """
                af.patch('json.dumps'): spec=Api shapes the fake that af.patch makes, but new= installs your own object as it is, so spec= would be ignored. Pass one of them: drop spec=, or drop new= to let af.patch make the fake.
                """,
            ),
            case(
                "patch-task-scope-of-a-value",
                "a task-scoped patch of a value",
                """
                with af.patch.object(Api, "base_url", new="https://b", scope="task"):
                    pass
                """,
                TypeError,
                """
                af.patch.object(Api, 'base_url'): scope='task' patches callables (functions, methods, classes), and Api.base_url is a str. Use scope='global' for a value.
                """,
            ),
            case(
                "start-a-started-patch",
                "starting a patch twice",
                """
                patching = af.patch("json.dumps")
                patching.start()
                patching.start()
                """,
                RuntimeError,
                """
                af.patch('json.dumps'): this patch is already applied (started, or inside its `with` block); stop it, or leave the block, before applying it again.
                """,
            ),
            case(
                "stop-a-patch-never-started",
                "stopping a patch that was never started",
                """
                af.patch("json.dumps").stop()
                """,
                RuntimeError,
                """
                af.patch('json.dumps'): stop() called on a patch that was never started. Start it first (start(), `with`, or as a decorator).
                """,
            ),
            case(
                "stop-a-patch-twice",
                "stopping a patch twice",
                """
                patching = af.patch("json.dumps")
                patching.start()
                patching.stop()
                patching.stop()
                """,
                RuntimeError,
                """
                af.patch('json.dumps'): stop() called on a patch that is already stopped. Each start() takes exactly one stop().
                """,
            ),
            case(
                "patch-dict-of-a-non-mapping",
                "`patch.dict()` of something that is not a mapping",
                """
                af.patch.dict(42, {"A": "1"})
                """,
                TypeError,
                """
                af.patch.dict() takes a mutable mapping or the dotted path of one, but got an int: <int object>.
                """,
            ),
            case(
                "spy-a-value",
                "spying on a value",
                """
                af.spy(Api, "base_url")
                """,
                TypeError,
                """
                af.spy(Api, 'base_url'): Api.base_url is a str, not a callable; a spy records calls. To replace a value, use af.patch.object(Api, 'base_url', new=...).
                """,
            ),
            case(
                "spy-name-not-a-string",
                "a spied attribute name that is not a string",
                """
                af.spy(json, json.dumps)
                """,
                TypeError,
                """
                af.spy(json, <function dumps at 0x...>): the attribute's name must be a string, not a function.
                """,
            ),
            case(
                "spy-a-missing-attribute",
                "spying on an attribute that does not exist",
                """
                af.spy(json, "dump_s")
                """,
                AttributeError,
                """
                af.spy(json, 'dump_s'): module 'json' has no attribute 'dump_s'. Did you mean 'dumps' or 'dump'?
                """,
            ),
            case(
                "stop-a-spy-twice",
                "stopping a spy twice",
                """
                spy = af.spy(json, "dumps")
                spy.stop()
                spy.stop()
                """,
                RuntimeError,
                """
                af.spy(json, 'dumps'): stop() called on a spy that is already stopped. A spy is stopped once.
                """,
            ),
            case(
                "patch-dict-of-a-path-to-a-non-mapping",
                "`patch.dict()` of a dotted path to something that is not a mapping",
                """
                with af.patch.dict("os.sep", {"a": "b"}):
                    pass
                """,
                TypeError,
                """
                af.patch.dict('os.sep'): os.sep is a str, not a mapping; patch.dict() sets items of a dict or another mutable mapping (such as os.environ).
                """,
            ),
        ),
    ),
    Area(
        "Sandbox",
        "`af.Sandbox()` is entered once, and checks what the test left behind on exit.",
        (
            case(
                "sandbox-not-entered",
                "making a fake through a sandbox not entered yet",
                """
                sb = af.Sandbox()
                sb.fake(Api)
                """,
                RuntimeError,
                """
                Sandbox.fake(): this Sandbox is not entered yet. Use it as `with af.Sandbox() as sb:` (or `async with`).
                """,
            ),
            case(
                "sandbox-exited",
                "patching through a sandbox that has exited",
                """
                with af.Sandbox() as sb:
                    pass
                sb.patch("json.dumps")
                """,
                RuntimeError,
                """
                Sandbox.patch(): this Sandbox has exited: its patches were undone and its checks ran. Make a new af.Sandbox() (in pytest, use the `fakes` fixture of the running test).
                """,
            ),
            case(
                "sandbox-entered-twice",
                "entering a sandbox twice",
                """
                with af.Sandbox() as sb:
                    with sb:
                        pass
                """,
                RuntimeError,
                """
                Sandbox.__enter__(): this Sandbox is already entered; a sandbox is entered once.
                """,
            ),
            case(
                "sandbox-check-tasks-without-a-loop",
                "`check_tasks=True` outside an event loop",
                """
                with af.Sandbox(check_tasks=True):
                    pass
                """,
                RuntimeError,
                """
                Sandbox(check_tasks=True) needs a running asyncio event loop: enter it with `async with af.Sandbox(check_tasks=True):` inside the async test.
                """,
                runner="sync",
            ),
            case(
                "sandbox-forgot-await",
                "leaving a call to an async fake unawaited",
                """
                with af.Sandbox() as sb:
                    api = sb.fake(Api)
                    api.get("https://a")  # the bug: no await
                """,
                af.VerificationError,
                """
                1 call to an async fake was never awaited (a missing `await`?):
                  1. Api.get('https://a')  at example.py:3
                Await each call (or pass it to asyncio.create_task); the never-awaited coroutines have been closed.
                """,
            ),
            case(
                "sandbox-leaked-connection",
                "leaving a pool connection acquired",
                """
                with af.Sandbox() as sb:
                    db = sb.pool(name="db")
                    conn = await db.acquire()
                """,
                af.LeakError,
                """
                1 resource was not released, closed or finished when the sandbox exited:
                  1. db: 1 connection acquired and never released:
                       1. connection #1 acquired at example.py:3 by task main
                     Release each one with `await db.release(conn)`, or acquire it with `async with db.acquire() as conn:`.
                """,
            ),
            case(
                "sandbox-unfinished-iteration",
                "leaving a fake iterator half-consumed",
                """
                with af.Sandbox() as sb:
                    rows = sb.async_iter([1, 2], name="rows")
                    iterator = aiter(rows)
                    await anext(iterator)
                """,
                af.LeakError,
                """
                1 resource was not released, closed or finished when the sandbox exited:
                  1. rows: the iteration started at example.py:4 was neither exhausted nor closed. Iterate it to the end, or close it (`await it.aclose()`, `async with contextlib.aclosing(it)`).
                """,
            ),
            case(
                "sandbox-rule-without-outcome",
                "leaving a `when()` rule without an outcome, its refusal swallowed",
                """
                with af.Sandbox() as sb:
                    api = sb.fake(Api)
                    af.when(api.get).called_with("https://a")
                    try:
                        await api.get("https://a")
                    except Exception:
                        pass  # the code under test swallows the refusal
                """,
                af.VerificationError,
                """
                1 when() rule was left without an outcome when the sandbox exited:
                  1. af.when(Api.get).called_with('https://a') at example.py:3 was started but has no outcome (it would be ignored). End it with an outcome (use .returns(...) to set what awaiting it gives), or delete it.
                """,
            ),
            case(
                "sandbox-pending-task",
                "leaving a task running (`check_tasks=True`)",
                """
                async def poll():
                    await asyncio.get_running_loop().create_future()

                async with af.Sandbox(check_tasks=True):
                    asyncio.create_task(poll(), name="poller")
                """,
                af.LeakError,
                """
                1 resource was not released, closed or finished when the sandbox exited:
                  1. task 'poller' running poll() (waiting at example.py:1) was still pending (the sandbox cancelled it). Await or cancel every task the test starts.
                """,
            ),
        ),
    ),
    Area(
        "pytest plugin",
        "The `clock` fixture and the `virtual_time` marker need an async test. These snippets are test files run by pytest.",
        (
            case(
                "clock-fixture-in-a-sync-test",
                "the `clock` fixture in a sync test",
                """
                def test_sleeps(clock):
                    pass
                """,
                pytest.fail.Exception,
                """
                The `clock` fixture makes loop time virtual while an async test runs, but test_sleeps is not an async test. Make it `async def` (with pytest-asyncio or anyio), or use `async with af.virtual_time() as clock:` inside the coroutine it runs.
                """,
                runner="pytest",
            ),
            case(
                "virtual-time-marker-on-a-sync-test",
                "the `virtual_time` marker on a sync test",
                """
                import pytest

                @pytest.mark.virtual_time
                def test_sleeps():
                    pass
                """,
                pytest.fail.Exception,
                """
                @pytest.mark.virtual_time makes loop time virtual while an async test runs, but test_sleeps is not an async test. Make it `async def` (with pytest-asyncio or anyio), or use `async with af.virtual_time() as clock:` inside the coroutine it runs.
                """,
                runner="pytest",
            ),
        ),
    ),
)

CASES = [misuse for area in AREAS for misuse in area.cases]


@dataclass(frozen=True)
class Gap:
    """A misuse that is silently accepted, or refused with a message that does not say why (a bug)."""

    id: str
    code: str
    error: type[BaseException]
    mentions: str
    bug: str

    def misuse(self) -> Misuse:
        return Misuse(self.id, self.bug, self.code, self.error, "")


# Each gap is a bug: its test fails until the library refuses the misuse with
# an error of `error` class whose message names the call (`mentions`). When a
# fix lands, the test passes, xfail(strict=True) turns that into a failure, and
# the gap moves to AREAS with its exact message.
GAPS: list[Gap] = []


# ----------------------------------------------------------------- running


def _compile(misuse: Misuse) -> Any:
    """The snippet as module code in which ``await`` is allowed (as in asyncio's REPL)."""
    return compile(misuse.source, "example.py", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def _namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "example"}
    exec(compile(PRELUDE, "prelude.py", "exec"), namespace)
    return namespace


async def _run_async(code: Any, namespace: dict[str, Any], asyncio_task: bool = True) -> None:
    if asyncio_task:
        # Messages that name the calling task read "task main", whatever ran before.
        task = asyncio.current_task()
        assert task is not None
        task.set_name("main")
    result = eval(code, namespace)  # a coroutine when the snippet awaits
    if inspect.iscoroutine(result):
        await result


_REPORTER = """
import json, os

def pytest_runtest_logreport(report):
    if report.failed:
        with open(os.environ["MISUSE_REPORT"], "a", encoding="utf-8") as out:
            out.write(json.dumps(str(report.longrepr)) + "\\n")
"""


def _run_pytest(misuse: Misuse) -> BaseException | None:
    """Run the snippet as a test file in a pytest subprocess; the first failure is what it raised."""
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "conftest.py").write_text(_REPORTER, encoding="utf-8")
        (folder / "test_example.py").write_text(misuse.source + "\n", encoding="utf-8")
        report = folder / "report.jsonl"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:randomly",
                "-p",
                "no:xdist",
                "test_example.py",
            ],
            cwd=folder,
            env={**os.environ, "MISUSE_REPORT": str(report), "PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True,
            check=False,
        )
        if not report.exists():
            return None
        first = report.read_text(encoding="utf-8").splitlines()[0]
        return pytest.fail.Exception(json.loads(first), pytrace=False)


def run(misuse: Misuse) -> BaseException | None:
    """Run the snippet in a fresh sandbox; return what it raised (None if nothing)."""
    if misuse.runner == "pytest":
        return _run_pytest(misuse)
    namespace = _namespace()
    code = _compile(misuse)
    raised: BaseException | None = None
    sandbox = af.Sandbox()
    sandbox.__enter__()
    try:
        if misuse.runner == "async":
            asyncio.run(_run_async(code, namespace))
        elif misuse.runner == "trio":
            import trio

            trio.run(_run_async, code, namespace, False)
        else:
            exec(code, namespace)
    except BaseException as error:  # the point: whatever the misuse raises
        raised = error
    finally:
        af.patch.stopall()
        if sandbox.is_open:
            sandbox.close(check=False)
    return raised


def normalize(text: str) -> str:
    """Memory addresses (in reprs of coroutines and functions) differ between runs."""
    return re.sub(r"0x[0-9a-f]+", "0x...", text)


def describe(error: BaseException | None) -> str:
    if error is None:
        return "nothing raised"
    return f"{type(error).__name__}: {error}"


# ------------------------------------------------------------------ tests


@pytest.mark.parametrize("misuse", CASES, ids=[misuse.id for misuse in CASES])
def test_misuse_raises_its_documented_error(misuse: Misuse) -> None:
    """Each misuse raises exactly its documented error class, with exactly its documented message."""
    raised = run(misuse)
    assert raised is not None, f"{misuse.id}: the misuse was silently accepted"
    assert (type(raised).__name__, normalize(str(raised))) == (
        misuse.error.__name__,
        misuse.message,
    )
    assert isinstance(raised, misuse.error)


if GAPS:  # an empty parametrization would show up as a skipped test

    @pytest.mark.parametrize(
        "gap",
        [
            pytest.param(gap, marks=pytest.mark.xfail(strict=True, reason=f"BUG: {gap.bug}"))
            for gap in GAPS
        ],
        ids=[gap.id for gap in GAPS],
    )
    def test_known_gap_is_refused_with_an_explanation(gap: Gap) -> None:
        """A misuse the library does not refuse (or explain) yet: it must raise `error`, naming the call."""
        raised = run(gap.misuse())
        assert isinstance(raised, gap.error), describe(raised)
        assert gap.mentions in str(raised)


def test_a_refused_coroutine_is_closed() -> None:
    """A coroutine refused as a stubbed value is closed: no "never awaited" warning follows."""

    class Api:
        async def get(self, url: str) -> bytes: ...

    async def fetch(url: str) -> bytes: ...

    api = af.fake(Api)
    pending = fetch("https://a")
    try:
        with pytest.raises(TypeError):
            af.when(api.get).returns(pending)
        closed = pending.cr_frame is None
    finally:
        pending.close()
    assert closed


_VERIFIER_SUGGESTION = re.compile(r"verify\([^()]*\)\.(\w+)\(")
_STUB_SUGGESTION = re.compile(r"af\.when\([^()]*\)\.(\w+)\(")
_TOP_LEVEL_SUGGESTION = re.compile(r"\baf\.(\w+)(?:\.(\w+))?\(")

# Messages that point to an API that does not exist (bugs).
_WRONG_SUGGESTIONS: dict[str, str] = {}


@pytest.mark.parametrize(
    "misuse",
    [
        pytest.param(
            misuse,
            marks=[pytest.mark.xfail(strict=True, reason=f"BUG: {_WRONG_SUGGESTIONS[misuse.id]}")]
            if misuse.id in _WRONG_SUGGESTIONS
            else [],
        )
        for misuse in CASES
    ],
    ids=[misuse.id for misuse in CASES],
)
def test_message_suggests_only_real_api(misuse: Misuse) -> None:
    """Every `af.x(...)`, `verify(...).x(...)` and `af.when(...).x(...)` a message suggests exists."""
    missing = [
        f"verify(...).{name}"
        for name in _VERIFIER_SUGGESTION.findall(misuse.message)
        if not hasattr(af.Verifier, name)
    ]
    missing += [
        f"af.when(...).{name}"
        for name in _STUB_SUGGESTION.findall(misuse.message)
        if not hasattr(af.Stub, name)
    ]
    for name, attribute in _TOP_LEVEL_SUGGESTION.findall(misuse.message):
        found = getattr(af, name, None)
        if found is None or (attribute and not hasattr(found, attribute)):
            missing.append(f"af.{name}{'.' + attribute if attribute else ''}")
    assert missing == []


def test_case_ids_are_unique() -> None:
    """Each misuse has its own id (the page's anchors and the test ids)."""
    ids = [misuse.id for misuse in CASES]
    assert sorted(ids) == sorted(set(ids))


# ------------------------------------------------------------------- page


_WHERE = {
    "async": "",
    "sync": " (run outside any event loop)",
    "trio": " (run under `trio.run`)",
    "pytest": " (a test file run by pytest)",
}


def _error_name(error: type[BaseException]) -> str:
    """How the page names an error class: what a user would catch."""
    if error is SpecAttributeError:
        return "`SpecAttributeError` (an `af.SpecError` and an `AttributeError`)"
    if error is SpecTypeError:
        return "`SpecTypeError` (an `af.SpecError` and a `TypeError`)"
    if error is pytest.fail.Exception:
        return "a test failure (`pytest.fail`)"
    if getattr(af, error.__name__, None) is error:
        return f"`af.{error.__name__}`"
    module = error.__module__.split(".")[0]
    return f"`{error.__name__}`" if module == "builtins" else f"`{module}.{error.__name__}`"


def render_page() -> str:
    """docs/misuse.md, rendered from `AREAS` and `GAPS`."""
    lines = [
        "# Misuse table",
        "",
        "<!-- Generated from tests/test_misuse.py: edit the table there, then run",
        "     `python tests/test_misuse.py` to rewrite this page. -->",
        "",
        "Every way we know to misuse asyncfakes, with the exact error it raises and",
        "its whole message. Each snippet below is run by `tests/test_misuse.py`,",
        "which checks the error class and the message word for word; this page is",
        "rendered from the same table, so it cannot drift from the library. What to",
        "do about each error is explained on the [Troubleshooting](troubleshooting.md)",
        "page. Misuses that are not refused yet are listed at the end, under",
        "[Known gaps](#known-gaps).",
        "",
        "The snippets run after this prelude, in a file named `example.py`, inside",
        "`asyncio.run` (so `await` works at the top level) unless marked otherwise:",
        "",
        "```py3",
        PRELUDE.rstrip("\n"),
        "```",
        "",
        "| area | misuses |",
        "|---|---|",
    ]
    lines.extend(
        f"| [{area.title}](#{_anchor(area.title)}) | {len(area.cases)} |" for area in AREAS
    )
    lines.append(f"| **all** | **{len(CASES)}** |")
    for area in AREAS:
        lines.extend(["", f"## {area.title}", "", area.intro, ""])
        lines.extend(["| misuse | raises |", "|---|---|"])
        lines.extend(
            f"| [{misuse.what}](#{misuse.id}) | {_error_name(misuse.error)} |"
            for misuse in area.cases
        )
        for misuse in area.cases:
            lines.extend(
                [
                    "",
                    f'<a id="{misuse.id}"></a>',
                    f"**{misuse.what[0].upper()}{misuse.what[1:]}**{_WHERE[misuse.runner]}:",
                    "",
                    "```py3",
                    misuse.source,
                    "```",
                    "",
                    f"raises {_error_name(misuse.error)}:",
                    "",
                    "```text",
                    misuse.message,
                    "```",
                ]
            )
    lines.extend(
        [
            "",
            "## Known gaps",
            "",
            "Misuses that asyncfakes does not refuse yet, or refuses with an error that",
            "does not say what was wrong. Each is a bug with a test in",
            "`tests/test_misuse.py` (`test_known_gap_is_refused_with_an_explanation`)",
            "that fails until it is fixed.",
            "",
            "| gap | today |",
            "|---|---|",
        ]
    )
    lines.extend(f"| `{gap.id}` | {gap.bug} |" for gap in GAPS)
    return "\n".join(lines) + "\n"


def _anchor(title: str) -> str:
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return "-".join(kept.split())


def test_misuse_page_is_rendered_from_the_table() -> None:
    """docs/misuse.md is exactly what the table renders (rewrite it with `python tests/test_misuse.py`)."""
    assert PAGE.read_text(encoding="utf-8") == render_page()


def _literal(text: str) -> str:
    """`text` as the source of a message argument in `AREAS`."""
    if "\n" not in text and len(text) <= 70:
        return repr(text)
    body = "\n".join(f"                {line}" if line else "" for line in text.split("\n"))
    quote = 'r"""' if "\\" in text else '"""'
    return f'{quote}\n{body}\n                """'


def update_messages() -> list[str]:
    """Rewrite, in this file, the message of every case that raises another one now.

    Review the diff: a changed message is a changed API.
    """
    path = Path(__file__)
    source = path.read_text(encoding="utf-8")
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    by_id = {misuse.id: misuse for misuse in CASES}
    edits: list[tuple[int, int, str, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "case"):
            continue
        first, message = node.args[0], node.args[4]
        assert isinstance(first, ast.Constant)
        assert message.end_lineno is not None
        assert message.end_col_offset is not None
        misuse = by_id[first.value]
        raised = run(misuse)
        if raised is None:
            continue  # silently accepted now: a bug to fix, not a message to update
        text = normalize(str(raised))
        if text != misuse.message:
            start = starts[message.lineno - 1] + message.col_offset
            end = starts[message.end_lineno - 1] + message.end_col_offset
            edits.append((start, end, _literal(text), misuse.id))
    for start, end, text, _ in sorted(edits, reverse=True):
        source = source[:start] + text + source[end:]
    path.write_text(source, encoding="utf-8")
    return [misuse_id for *_, misuse_id in edits]


if __name__ == "__main__":
    # python tests/test_misuse.py           rewrite docs/misuse.md from the table
    # python tests/test_misuse.py --update  first rewrite the messages that changed
    # python tests/test_misuse.py --probe   print what every case raises now
    if sys.argv[1:] == ["--probe"]:
        for misuse in CASES:
            print(f"--- {misuse.id}\n{describe(run(misuse))}")
    elif sys.argv[1:] == ["--update"]:
        changed = update_messages()
        print(f"updated {len(changed)} messages: {', '.join(changed) or '-'}")
        print("now run `python tests/test_misuse.py` to rewrite the page")
    else:
        PAGE.write_text(render_page(), encoding="utf-8")
        print(f"wrote {PAGE.relative_to(ROOT)}: {len(CASES)} misuses")
