"""Spec'd fakes (`af.fake`): behaviours that branch coverage or mutation testing found unchecked.

Each test pins down one path of ``_specfake.py`` that no other test ran, or
whose mutants survived ``nox -s mutation``, with a real library's class
wherever one shows the behaviour.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable
from pathlib import Path
from unittest.mock import MagicMock, call, seal

import aiohttp.web
import asyncpg
import httpx
import pytest
import redis.asyncio as redis
import tenacity
from sqlalchemy.ext.asyncio import AsyncSession

import asyncfakes as af
from asyncfakes import _specfake
from asyncfakes._errors import SpecAttributeError, SpecTypeError


class Metrics:
    """A metrics client whose labels are keyword arguments."""

    def tag(self, metric: str, **labels: str) -> None: ...


class NullCache:
    """A cache backend that stores nothing: its members are declared as None."""

    @property
    def client(self) -> None:
        return None

    @property
    def drained(self) -> Awaitable[None]: ...


class Plain:
    """A class that is no context manager."""

    def ping(self) -> bool: ...


async def test_typecheck_checks_every_item_of_a_star_args_parameter() -> None:
    """With typecheck=True, each positional caught by ``*names`` is checked against its annotation."""
    client = af.fake(redis.Redis, typecheck=True)
    await client.delete("a", b"b")
    await client.delete()
    with pytest.raises(SpecTypeError) as caught:
        await client.delete("a", 1.5)
    assert str(caught.value) == (
        "Redis.delete() argument 'names' must be bytes | str | memoryview, not float: 1.5 "
        "(typecheck=True)\n"
        "  call:      Redis.delete('a', 1.5)"
    )
    assert [call.args for call in af.calls(client.delete)] == [("a", b"b"), ()]


def test_typecheck_checks_every_value_of_a_star_star_kwargs_parameter() -> None:
    """With typecheck=True, each keyword caught by ``**labels`` is checked against its annotation."""
    metrics = af.fake(Metrics, typecheck=True)
    metrics.tag("hits")
    metrics.tag("hits", env="prod")
    with pytest.raises(SpecTypeError) as caught:
        metrics.tag("hits", env="prod", shard=3)
    assert str(caught.value) == (
        "Metrics.tag() argument 'labels' must be str, not int: 3 (typecheck=True)\n"
        "  call:      Metrics.tag('hits', env='prod', shard=3)"
    )
    assert len(af.calls(metrics.tag)) == 2


def test_typecheck_checks_assigned_values_of_resolvable_annotations_only() -> None:
    """With typecheck=True, an assignment is checked when the annotation resolves, not for methods."""
    session = af.fake(AsyncSession, typecheck=True)
    with pytest.raises(SpecTypeError) as caught:
        session.sync_session = 3
    assert str(caught.value) == (
        "AsyncSession.sync_session = 3: AsyncSession.sync_session is declared as Session, "
        "not int (typecheck=True)"
    )
    # `bind` is annotated with names SQLAlchemy imports only for type checkers.
    session.bind = "sqlite://"
    assert session.bind == "sqlite://"
    execute = af.AsyncFake(name="execute")
    session.execute = execute
    assert session.execute is execute


def test_members_declared_as_none_read_as_none() -> None:
    """A property declared ``-> None`` reads as None; one declared ``Awaitable[None]`` stays awaitable."""
    cache = af.fake(NullCache)
    assert cache.client is None
    assert repr(cache.drained) == "<awaitable attribute NullCache.drained>"


async def test_awaiting_a_property_declared_awaitable_none_gives_none() -> None:
    """Awaiting a property declared ``Awaitable[None]`` gives None, and is recorded as a call."""
    cache = af.fake(NullCache)
    assert await cache.drained is None
    assert [call.awaited for call in af.calls(cache.drained)] == [True]


def test_an_awaitable_property_of_aiohttp_shows_what_it_stands_for() -> None:
    """The repr of an awaitable property (aiohttp's ``Request.task``) names the fake's member."""
    request = af.fake(aiohttp.web.Request)
    assert repr(request.task) == "<awaitable attribute Request.task>"
    assert request.task is request.task


async def test_awaiting_a_fake_of_an_awaitable_class_gives_the_fake() -> None:
    """``await redis.Redis(...)`` initialises and gives the client: ``await`` on its fake gives the fake."""
    client = af.fake(redis.Redis)
    assert await client is client
    with pytest.raises(TypeError, match=r"^object MagicFake can't be used in 'await' expression$"):
        await af.fake(httpx.AsyncClient)


async def test_calling_a_fake_of_a_callable_class_returns_its_return_value() -> None:
    """A fake of a class with ``async def __call__`` binds the call and returns a child fake."""
    retrying = af.fake(tenacity.AsyncRetrying)

    async def fetch(url: str) -> bytes: ...

    result = await retrying(fetch, "https://a")
    assert result is retrying.return_value
    assert repr(result).startswith("<AsyncFake name='AsyncRetrying()' id=")
    (record,) = af.calls(retrying)
    assert record.bound is not None
    assert dict(record.bound.arguments) == {"fn": fetch, "args": ("https://a",), "kwargs": {}}


async def test_a_strict_fake_of_a_callable_class_refuses_unstubbed_calls() -> None:
    """A strict fake of a class with ``__call__`` raises UnstubbedCallError until the call is stubbed."""
    retrying = af.fake(tenacity.AsyncRetrying, strict=True)
    with pytest.raises(af.UnstubbedCallError) as caught:
        await retrying(len, "abc")
    assert str(caught.value) == (
        "Unstubbed call on a strict fake: AsyncRetrying(<built-in function len>, 'abc')\n"
        "AsyncRetrying has no stubs.\n"
        "Stub it with: af.when(AsyncRetrying).called_with(<built-in function len>, 'abc').returns(...)"
    )
    af.when(retrying).called_with(len, "abc").returns(3)
    assert await retrying(len, "abc") == 3


def test_the_return_value_of_a_fake_of_a_non_callable_class_is_a_plain_child() -> None:
    """A fake of a class without ``__call__`` still has a ``return_value``, as any mock, spec'd on nothing."""
    client = af.fake(httpx.AsyncClient)
    child = client.return_value
    assert isinstance(child, af.MagicFake)
    assert not isinstance(child, httpx.AsyncClient)
    assert repr(child).startswith("<MagicFake name='AsyncClient()' id=")
    assert client.return_value is child


async def test_a_sealed_fake_creates_no_attribute_it_did_not_have() -> None:
    """After `seal`, new members, return values and context entries raise AttributeError, as on a mock."""
    client = af.fake(httpx.AsyncClient)
    get, stream = client.get, client.stream
    seal(client)
    assert client.get is get
    with pytest.raises(AttributeError, match=r"^AsyncClient\.post$"):
        client.post
    with pytest.raises(AttributeError, match=r"^AsyncClient\.get\.return_value$"):
        get.return_value
    with pytest.raises(AttributeError, match=r"^AsyncClient\.get\.return_value$"):
        await get("https://a")
    with pytest.raises(AttributeError, match=r"^AsyncClient\.__aenter__$"):
        async with client:
            pass
    with pytest.raises(AttributeError, match=r"^AsyncClient\.stream\(\)$"):
        stream("GET", "https://a")  # the context would enter a new child
    with pytest.raises(SpecAttributeError):
        client.gett


async def test_a_context_manager_spec_added_later_enters_a_child() -> None:
    """`mock_add_spec` with a context manager makes the fake enterable; it enters a child, not itself."""
    plain = af.fake(Plain)
    plain.mock_add_spec(httpx.AsyncClient)
    async with plain as entered:
        assert entered is not plain
        assert repr(entered).startswith("<AsyncFake name='Plain.__aenter__()' id=")
    client = af.fake(httpx.AsyncClient)
    async with client as entered:
        assert entered is client


class RateLimiter:
    """A limiter used as ``async with limiter():``: its ``__call__`` returns an async context manager."""

    def __call__(self) -> contextlib.AbstractAsyncContextManager[None]: ...


def test_member_and_child_calls_are_listed_by_name_on_the_parent() -> None:
    """Calls of members, of property values and of their children show in the parent's method_calls."""
    client = af.fake(httpx.AsyncClient)
    client.build_request("GET", "https://a")
    client.headers.update({"a": "b"})
    assert client.method_calls == [
        call.build_request("GET", "https://a"),
        call.headers.update({"a": "b"}),
    ]
    session = af.fake(AsyncSession)  # `dirty` is not annotated: a plain child
    session.dirty.clear()
    assert session.method_calls == [call.dirty.clear()]
    assert session.mock_calls == [call.dirty.clear()]


async def test_a_fake_attached_to_a_magicmock_lists_its_calls_there() -> None:
    """A spec'd fake attached to a plain MagicMock records each call in the mock's lists at once."""
    parent = MagicMock()
    client = af.fake(httpx.AsyncClient)
    parent.attach_mock(client, "client")
    await client.get("https://a", timeout=1)
    assert parent.mock_calls == [call.client.get("https://a", timeout=1)]
    client.get.assert_awaited_once_with("https://a", timeout=1)


async def test_assertions_compare_calls_bound_to_the_real_signature() -> None:
    """``assert_awaited_once_with`` matches a call however its arguments were passed, as with autospec."""
    client = af.fake(httpx.AsyncClient)
    await client.get("https://a")
    client.get.assert_awaited_once_with(url="https://a")
    retrying = af.fake(tenacity.AsyncRetrying)
    await retrying(len)
    retrying.assert_awaited_once_with(fn=len)


def test_the_class_of_a_fake_reads_as_asyncfakes() -> None:
    """Each fake has its own class, named after its kind, from module asyncfakes, documented as its base."""
    client = af.fake(httpx.AsyncClient)
    retrying = af.fake(tenacity.AsyncRetrying)
    kinds = {
        "instance": type(client),
        "async instance": type(retrying),
        "async member": type(client.get),
        "sync member": type(client.build_request),
    }
    assert {kind: cls.__name__ for kind, cls in kinds.items()} == {
        "instance": "MagicFake",
        "async instance": "AsyncFake",
        "async member": "AsyncFake",
        "sync member": "MagicFake",
    }
    for cls in kinds.values():
        assert cls.__module__ == "asyncfakes"
        assert cls.__doc__ == cls.__mro__[1].__doc__


def test_typecheck_reaches_the_fakes_of_property_values() -> None:
    """The options of a fake hold for the fakes it hands out: a property's value is type-checked too."""
    client = af.fake(httpx.AsyncClient, typecheck=True)
    with pytest.raises(SpecTypeError) as caught:
        client.headers.get(3)
    assert str(caught.value) == (
        "Headers.get() argument 'key' must be str, not int: 3 (typecheck=True)\n"
        "  call:      AsyncClient.headers.get(3)"
    )


def test_typecheck_skips_omitted_arguments_and_checks_the_next_ones() -> None:
    """An omitted argument keeps its default unchecked; the arguments after it are still checked."""
    client = af.fake(redis.Redis, typecheck=True)
    with pytest.raises(SpecTypeError) as caught:
        client.set("key", "value", px="soon")
    assert str(caught.value) == (
        "Redis.set() argument 'px' must be int | timedelta | None, not str: 'soon' (typecheck=True)\n"
        "  call:      Redis.set('key', 'value', px='soon')"
    )


async def test_without_typecheck_argument_types_are_not_checked() -> None:
    """Without typecheck, a call is bound to the signature but its argument types are left alone."""
    client = af.fake(redis.Redis)
    await client.delete("a", 1.5)
    assert af.calls(client.delete)[0].args == ("a", 1.5)


async def test_a_strict_member_configured_to_return_none_returns_none() -> None:
    """``return_value = None`` configures a strict fake's member: the call returns None, no error."""
    client = af.fake(httpx.AsyncClient, strict=True)
    client.get.return_value = None
    assert await client.get("https://a") is None


async def test_reading_the_default_return_value_does_not_stub_a_strict_member() -> None:
    """Reading an unconfigured ``return_value`` creates the default result; the strict fake still refuses the call."""
    client = af.fake(httpx.AsyncClient, strict=True)
    store = af.fake(redis.Redis, strict=True)
    members = {
        "a class result": (client.get, ("https://a",)),
        "a None result": (client.aclose, ()),
        "an unknown result": (store.get, ("key",)),
    }
    for member, args in members.values():
        member.return_value  # the default result, created on first read
    outcomes = {}
    for label, (member, args) in members.items():
        try:
            await member(*args)
        except af.UnstubbedCallError as error:
            outcomes[label] = str(error).splitlines()[0]
    assert outcomes == {
        "a class result": "Unstubbed call on a strict fake: AsyncClient.get('https://a')",
        "a None result": "Unstubbed call on a strict fake: AsyncClient.aclose()",
        "an unknown result": "Unstubbed call on a strict fake: Redis.get('key')",
    }


async def test_default_iterators_and_contexts_are_named_after_the_call() -> None:
    """Unstubbed async generator and context-manager members hand out objects named after the call."""
    store = af.fake(redis.Redis)
    assert repr(store.scan_iter()) == (
        "<FakeAsyncIterator Redis.scan_iter(): consumed 0, iterations 0, closed=False>"
    )
    connection = af.fake(asyncpg.Connection)
    transaction = connection.transaction()
    assert repr(transaction).startswith(
        "<async context Connection.transaction() entering <MagicFake name='Connection.transaction()' id="
    )
    async with transaction as entered:
        assert repr(entered).startswith("<MagicFake name='Connection.transaction()' id=")
    assert af.calls(connection.transaction)[0].outcome == "returned"


async def test_a_callable_class_returning_a_context_enters_a_child() -> None:
    """A fake of a class whose ``__call__`` returns an async context manager can be entered at once."""
    limiter = af.fake(RateLimiter)
    async with limiter() as entered:
        assert repr(entered).startswith("<MagicFake name='RateLimiter()' id=")
    assert len(af.calls(limiter)) == 1


def test_a_sync_context_manager_that_enters_itself_gives_the_fake() -> None:
    """``with`` on a fake of httpx.Client gives the fake itself, as ``Client.__enter__`` returns self."""
    client = af.fake(httpx.Client)
    with client as entered:
        assert entered is client


def test_a_fake_of_an_instance_is_named_after_its_class() -> None:
    """``af.fake(instance)`` keeps the instance's values and names itself after its class."""
    timeout = af.fake(httpx.Timeout(5.0))
    assert timeout.connect == 5.0
    with pytest.raises(SpecAttributeError) as caught:
        timeout.conect
    assert str(caught.value) == (
        "Timeout has no attribute 'conect': httpx.Timeout does not define it. Did you mean 'connect'?"
    )
    assert caught.value.name == "conect"
    assert caught.value.args == ("conect",)
    named = af.fake(httpx.Timeout(5.0), name="timeout")
    assert repr(named).startswith("<MagicFake name='timeout' spec='Timeout' id=")


def test_dir_lists_the_real_attributes_and_the_mock_api() -> None:
    """``dir()`` of a fake lists the class's attributes and the mock methods, not the fake's internals."""
    client = af.fake(httpx.AsyncClient)
    client.get  # a child kept in the fake's dict
    names = dir(client)
    assert {"get", "aclose", "_build_auth", "assert_called_once_with", "reset_mock"} <= set(names)
    assert [name for name in names if name.startswith(("__", "_mock_", "_af_", "_spec_"))] == []
    assert names == sorted(names)


def test_mock_internals_are_not_looked_up_in_the_spec() -> None:
    """A missing ``_mock_*``/``_af_*`` attribute raises unittest.mock's AttributeError, not a spec error."""
    client = af.fake(httpx.AsyncClient)
    for name in ("_mock_unknown", "_af_unknown"):
        with pytest.raises(AttributeError) as caught:
            getattr(client, name)
        assert type(caught.value) is AttributeError
        assert str(caught.value) == f"Mock object has no attribute {name!r}"


def test_assigning_class_makes_the_fake_pass_isinstance() -> None:
    """As on any mock, assigning ``__class__`` makes a spec'd fake pass ``isinstance`` for that class."""
    client = af.fake(httpx.AsyncClient)
    client.__class__ = httpx.Client
    assert isinstance(client, httpx.Client)


async def test_a_fake_of_an_async_callable_class_is_iterable() -> None:
    """The sync magic methods of an async-callable class's fake are sync: ``async for`` runs (no items)."""
    retrying = af.fake(tenacity.AsyncRetrying)
    attempts = [attempt async for attempt in retrying]
    assert attempts == []
    assert type(retrying.__aiter__).__name__ == "MagicFake"


def test_spec_errors_hide_the_fake_s_own_frames() -> None:
    """A call that does not bind raises from the caller's line: pytest hides the fake's frames."""
    client = af.fake(httpx.AsyncClient)
    with pytest.raises(SpecTypeError) as caught:
        client.build_request()
    shown = caught.traceback.filter(caught)
    assert shown[0].name == "test_spec_errors_hide_the_fake_s_own_frames"
    # (Under mutation testing, mutmut's trampolines show in between: not ours.)
    package = str(Path(af.__file__).parent)
    assert [entry.name for entry in shown if str(entry.path).startswith(package)] == []


def test_plain_children_support_magic_methods_and_members_do_not() -> None:
    """A value spec'd on nothing supports len/iter/in as a MagicMock; a method fake is no container."""
    session = af.fake(AsyncSession)  # `dirty` is not annotated: a plain child
    assert len(session.dirty) == 0
    assert list(session.dirty) == []
    assert "row" not in session.dirty
    client = af.fake(httpx.AsyncClient)
    with pytest.raises(TypeError, match=r"^object of type 'MagicFake' has no len\(\)$"):
        len(client.build_request)  # as a function made by create_autospec


def test_fakes_made_from_a_fresh_prototype_are_independent(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no prototype cached yet, the first fake of each kind builds one; fakes never share call lists."""
    monkeypatch.setattr(_specfake, "_prototypes", {})
    first = af.fake(httpx.AsyncClient)
    second = af.fake(httpx.AsyncClient)
    first.build_request("GET", "https://a")
    assert first.method_calls == [call.build_request("GET", "https://a")]
    assert second.method_calls == []
    assert second.build_request.call_args_list == []
    assert len(_specfake._prototypes) == 2  # an instance fake and a sync member fake
