"""af.fake(): spec'd fakes keep each member's real kind, signature and attributes."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import inspect
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar, Optional, Protocol

import attrs
import pytest

import asyncfakes as af
from asyncfakes._spec import Kind, class_spec

MODULE = __name__

# -------------------------------------------------------------- real classes


class Response:
    status: int = 200

    def json(self) -> dict[str, Any]:
        return {}


class Transaction:
    async def __aenter__(self) -> Transaction:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class RequestContext:
    """aiohttp's shape: awaitable, and an async context manager entering a Response."""

    def __await__(self) -> Any:
        raise NotImplementedError

    async def __aenter__(self) -> Response:
        raise NotImplementedError

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class Client:
    """A client with one member of every kind."""

    base_url: str
    retries = 3
    timeout: ClassVar[float] = 5.0

    def __init__(self, token: str) -> None:
        self.token = token

    async def get(self, url: str, *, timeout: float = 5.0) -> Response:
        raise NotImplementedError

    async def delete(self, url: str, /) -> None:
        raise NotImplementedError

    def key(self, user_id: int) -> str:
        return f"user:{user_id}"

    async def events(self, topic: str) -> AsyncIterator[int]:
        yield 1

    @asynccontextmanager
    async def stream(self, url: str) -> AsyncIterator[Response]:
        yield Response()

    def request(self, url: str) -> RequestContext:
        return RequestContext()

    def transaction(self) -> Transaction:
        return Transaction()

    @property
    def closed(self) -> bool:
        return False

    @property
    async def ready(self) -> bool:
        return True

    @classmethod
    def from_url(cls, url: str) -> Client:
        return cls(url)

    @staticmethod
    def version(major: int) -> str:
        return str(major)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


# ------------------------------------------------------------------- members


def test_members_keep_their_real_kind() -> None:
    """Coroutine methods are AsyncFakes, plain methods MagicFakes."""
    client = af.fake(Client)
    assert isinstance(client.get, af.AsyncFake)
    assert isinstance(client.key, af.MagicFake)
    assert not isinstance(client.key, af.AsyncFake)
    assert inspect.iscoroutinefunction(client.get)


def test_the_fake_passes_isinstance_checks() -> None:
    """A fake of a class is an instance of it, for isinstance."""
    client = af.fake(Client)
    assert isinstance(client, Client)
    assert client.__class__ is Client


def test_members_are_created_once() -> None:
    """Reading a member twice gives the same fake."""
    client = af.fake(Client)
    assert client.get is client.get


def test_classification_of_every_kind() -> None:
    """The spec tells each member's kind by what the real attribute does."""
    spec = class_spec(Client)
    kinds = {
        name: spec.member(name).kind
        for name in (  # type: ignore[union-attr]
            "get",
            "key",
            "events",
            "stream",
            "request",
            "transaction",
            "closed",
            "ready",
            "from_url",
            "version",
            "base_url",
            "retries",
            "timeout",
            "token",
        )
    }
    assert kinds == {
        "get": Kind.ASYNC,
        "key": Kind.SYNC,
        "events": Kind.ASYNC_GEN,
        "stream": Kind.ASYNC_CM,
        "request": Kind.HYBRID,
        "transaction": Kind.SYNC,
        "closed": Kind.PROPERTY,
        "ready": Kind.AWAITABLE_PROPERTY,
        "from_url": Kind.SYNC,
        "version": Kind.SYNC,
        "base_url": Kind.ATTRIBUTE,
        "retries": Kind.ATTRIBUTE,
        "timeout": Kind.ATTRIBUTE,
        "token": Kind.ATTRIBUTE,
    }


async def test_an_async_generator_member_returns_an_async_iterator() -> None:
    """Calling an async generator member gives an async iterator (empty when unstubbed)."""
    client = af.fake(Client)
    events = client.events("t")
    assert [event async for event in events] == []
    assert isinstance(events, af.FakeAsyncIterator)


async def test_a_context_manager_member_returns_a_context_entering_a_spec_d_child() -> None:
    """Unstubbed, an @asynccontextmanager member enters a child spec'd to the yielded type."""
    client = af.fake(Client)
    async with client.stream("https://a") as response:
        assert isinstance(response, Response)
    assert isinstance(client.stream("https://a"), af.FakeAsyncContext)


async def test_an_awaitable_context_member_can_be_awaited_and_entered() -> None:
    """A member returning an awaitable context manager supports both shapes."""
    client = af.fake(Client)
    awaited = await client.request("https://a")
    async with client.request("https://a") as entered:
        assert entered is awaited
    assert isinstance(awaited, Response)


async def test_a_member_returning_an_object_that_enters_itself_returns_a_fake_of_it() -> None:
    """A class whose `async with` gives itself (a transaction, a pipeline) is a fake object."""
    client = af.fake(Client)
    transaction = client.transaction()
    assert isinstance(transaction, Transaction)
    async with transaction as entered:
        assert entered is transaction


async def test_entering_the_fake_gives_the_fake_when_the_real_class_enters_itself() -> None:
    """`async with fake(Client) as c` gives the fake itself, so its stubs apply."""
    client = af.fake(Client)
    async with client as entered:
        assert entered is client
    assert [str(call) for call in client.mock_calls] == [
        "call.__aenter__()",
        "call.__aexit__(None, None, None)",
    ]


async def test_calls_inside_the_fake_context_see_it() -> None:
    """A call made inside `async with fake:` lists the fake in CallRecord.inside."""
    client = af.fake(Client)
    async with client:
        await client.get("https://a")
    (record,) = af.calls(client.get)
    assert record.inside == (client,)


def test_properties_and_attributes_are_values() -> None:
    """Properties and attributes read as values; immutable class defaults are the real ones."""
    client = af.fake(Client)
    assert client.retries == 3
    assert client.timeout == 5.0
    assert isinstance(client.closed, bool)
    assert isinstance(client.base_url, str)
    client.closed = True
    client.base_url = "https://api"
    assert client.closed is True
    assert client.base_url == "https://api"


def test_attributes_assigned_in_init_exist() -> None:
    """An attribute the class assigns to self in __init__ exists on the fake."""
    client = af.fake(Client)
    client.token = "secret"
    assert client.token == "secret"
    assert isinstance(af.fake(Client).token, af.MagicFake)


async def test_an_awaitable_property_is_awaited_and_stubbed() -> None:
    """A property returning an awaitable gives an awaitable; when() and verify() take it."""
    client = af.fake(Client)
    af.when(client.ready).returns(True)
    assert await client.ready is True
    af.verify(client.ready).awaited(times=1)


def test_class_and_static_methods_bind_without_cls() -> None:
    """Class and static methods keep their real parameters (cls excluded)."""
    client = af.fake(Client)
    af.when(client.from_url).returns(client)
    assert client.from_url("https://a") is client
    assert client.version(major=1) is not None
    with pytest.raises(TypeError, match=r"^Client.version\(\) got an unexpected keyword"):
        client.version(minor=1)


def test_a_sync_member_returns_a_child_spec_d_to_its_return_class() -> None:
    """An unstubbed call gives a child fake spec'd to the declared return class."""
    client = af.fake(Client)
    assert isinstance(client.key(1), str)
    assert client.key(1) is client.key(2)


async def test_an_async_member_returns_a_child_spec_d_to_its_return_class() -> None:
    """Awaiting an unstubbed coroutine member gives a child spec'd to the awaited class."""
    client = af.fake(Client)
    response = await client.get("https://a")
    assert isinstance(response, Response)
    assert response.status == 200
    with pytest.raises(AttributeError):
        response.missing


async def test_a_member_declared_to_return_none_returns_none() -> None:
    """A member annotated `-> None` gives None when unstubbed."""
    client = af.fake(Client)
    assert await client.delete("https://a") is None


async def test_an_unannotated_member_returns_what_asyncmock_returns() -> None:
    """Without an annotation the default result is AsyncMock's: a child AsyncFake."""

    class Plain:
        async def get(self, url):  # type: ignore[no-untyped-def]
            return url

    result = await af.fake(Plain).get("a")
    assert isinstance(result, af.AsyncFake)


# ------------------------------------------------------------------- binding


async def test_calls_are_bound_to_the_real_signature() -> None:
    """A call's record keeps the bound arguments, defaults applied."""
    client = af.fake(Client)
    await client.get("https://a")
    (record,) = af.calls(client.get)
    assert record.bound is not None
    assert record.bound.arguments == {"url": "https://a", "timeout": 5.0}
    assert record.args == ("https://a",)
    assert record.kwargs == {}


async def test_verify_compares_bound_arguments() -> None:
    """get("a") and get(url="a") are the same call to verify()."""
    client = af.fake(Client)
    await client.get(url="https://a")
    af.verify(client.get).awaited_once_with("https://a")
    af.verify(client.get).awaited_with("https://a", timeout=5.0)


async def test_mock_assertions_compare_bound_arguments() -> None:
    """The AsyncMock assertions bind both sides to the real signature too."""
    client = af.fake(Client)
    await client.get(url="https://a")
    client.get.assert_awaited_once_with("https://a")
    assert str(inspect.signature(client.get)) == "(url, *, timeout=5.0)"


def test_an_unexpected_keyword_shows_the_real_signature() -> None:
    """A keyword the real method lacks is a TypeError with the call and the real signature."""
    client = af.fake(Client)
    with pytest.raises(af.SpecError) as caught:
        client.get("https://a", tmeout=1)
    assert isinstance(caught.value, TypeError)
    assert str(caught.value) == (
        "Client.get() got an unexpected keyword argument 'tmeout'. Did you mean 'timeout'?\n"
        "  call:      Client.get('https://a', tmeout=1)\n"
        "  signature: Client.get(url, *, timeout=...)"
    )


def test_a_missing_argument_shows_the_real_signature() -> None:
    """A call missing a required argument is refused before anything is recorded."""
    client = af.fake(Client, name="client")
    with pytest.raises(TypeError) as caught:
        client.get()
    assert str(caught.value) == (
        "Client.get() missing 1 required positional argument: 'url'\n"
        "  call:      client.get()\n"
        "  signature: Client.get(url, *, timeout=...)"
    )
    assert af.calls(client.get) == []


def test_too_many_positional_arguments_show_the_real_signature() -> None:
    """Passing a keyword-only parameter positionally is refused."""
    client = af.fake(Client)
    with pytest.raises(TypeError) as caught:
        client.get("https://a", 1.0)
    assert str(caught.value) == (
        "Client.get() takes 1 positional argument but 2 were given\n"
        "  call:      Client.get('https://a', 1.0)\n"
        "  signature: Client.get(url, *, timeout=...)"
    )


def test_a_positional_only_parameter_passed_by_keyword_is_refused() -> None:
    """Positional-only parameters stay positional-only."""
    client = af.fake(Client)
    with pytest.raises(TypeError) as caught:
        client.delete(url="https://a")
    assert str(caught.value) == (
        "Client.delete() got some positional-only arguments passed as keyword arguments: 'url'\n"
        "  call:      Client.delete(url='https://a')\n"
        "  signature: Client.delete(url, /)"
    )


async def test_a_refused_async_call_creates_no_coroutine() -> None:
    """A refused call to an async member raises at call time, before any await."""
    client = af.fake(Client)
    with pytest.raises(TypeError):
        client.get()
    assert af.journal().unawaited() == []


# ---------------------------------------------------------------- attributes


def test_an_unknown_attribute_names_the_closest_real_ones() -> None:
    """Reading a misspelled attribute suggests the real name."""
    client = af.fake(Client)
    with pytest.raises(AttributeError) as caught:
        client.gett
    assert isinstance(caught.value, af.SpecError)
    assert str(caught.value) == (
        f"Client has no attribute 'gett': {MODULE}.Client does not define it. Did you mean 'get'?"
    )


def test_several_close_names_are_suggested() -> None:
    """Up to three close names are listed, best first."""
    client = af.fake(Client, name="client")
    with pytest.raises(AttributeError) as caught:
        client.tken
    assert str(caught.value) == (
        f"client has no attribute 'tken': {MODULE}.Client does not define it. Did you mean 'token'?"
    )
    with pytest.raises(AttributeError) as caught:
        client.retrys
    assert str(caught.value).endswith("Did you mean 'retries'?")


def test_an_unknown_attribute_without_close_names() -> None:
    """Without a close name the message says how to fix it."""
    client = af.fake(Client)
    with pytest.raises(AttributeError) as caught:
        client.zzzzzz
    assert str(caught.value) == (
        f"Client has no attribute 'zzzzzz': {MODULE}.Client does not define it. "
        "Check the name, or fake a class that has it."
    )


def test_setting_an_unknown_attribute_is_refused() -> None:
    """Assigning an attribute the class does not have raises too."""
    client = af.fake(Client)
    with pytest.raises(AttributeError) as caught:
        client.statuss = 1
    assert str(caught.value) == (
        f"Cannot set Client.statuss: {MODULE}.Client has no attribute 'statuss'. "
        "Check the name, or fake a class that has it."
    )


def test_probing_for_an_optional_attribute_is_false() -> None:
    """hasattr() on a missing name is False (no message is built)."""
    client = af.fake(Client)
    assert not hasattr(client, "__wrapped__")
    assert getattr(client, "missing", None) is None


def test_mock_configuration_still_works() -> None:
    """return_value, side_effect and the assert_* helpers are the mock's own."""
    client = af.fake(Client)
    client.key.return_value = "k"
    assert client.key(1) == "k"
    client.key.assert_called_once_with(1)
    client.key.side_effect = KeyError("x")
    with pytest.raises(KeyError):
        client.key(2)


def test_dir_lists_the_real_attributes() -> None:
    """dir() of a fake lists the real class's attributes."""
    names = dir(af.fake(Client))
    assert {"get", "key", "events", "stream", "retries", "base_url"} <= set(names)


def test_magic_methods_follow_the_class() -> None:
    """A fake supports the magic methods its class defines, and only those."""

    class Sized:
        def __len__(self) -> int:
            return 1

    assert len(af.fake(Sized)) == 0
    with pytest.raises(TypeError):
        len(af.fake(Client))  # type: ignore[arg-type]


def test_a_fake_instance_of_a_non_callable_class_is_not_callable() -> None:
    """Calling a fake of an instance whose class has no __call__ is a TypeError."""
    client = af.fake(Client)
    with pytest.raises(TypeError) as caught:
        client()  # type: ignore[operator]
    assert str(caught.value) == (f"Client is not callable: {MODULE}.Client has no __call__ method.")


async def test_a_class_with_an_async_call_gives_an_awaitable_fake() -> None:
    """An instance whose class has `async def __call__` is awaitable when called."""

    class Handler:
        async def __call__(self, event: str) -> int:
            return 1

    handler = af.fake(Handler)
    af.when(handler).called_with("e").returns(2)
    assert await handler("e") == 2
    with pytest.raises(TypeError, match=r"^Handler\(\) got an unexpected keyword argument"):
        handler(evnt="e")


# --------------------------------------------------------- other spec kinds


async def test_a_coroutine_function_gives_an_awaitable_fake() -> None:
    """fake(async_function) is an AsyncFake bound to its signature."""

    async def fetch_user(user_id: int, *, fields: tuple[str, ...] = ()) -> dict[str, Any]:
        return {}

    fetch = af.fake(fetch_user)
    assert isinstance(fetch, af.AsyncFake)
    af.when(fetch).called_with(1).returns({"id": 1})
    assert await fetch(user_id=1) == {"id": 1}
    with pytest.raises(TypeError) as caught:
        fetch(1, 2)
    assert str(caught.value).splitlines()[0] == (
        "fetch_user() takes 1 positional argument but 2 were given"
    )


def test_a_plain_function_gives_a_sync_fake() -> None:
    """fake(function) is a MagicFake bound to its signature."""

    def render(template: str, **values: object) -> str:
        return template

    fake_render = af.fake(render, name="render")
    af.when(fake_render).returns("html")
    assert fake_render("t", user="u") == "html"
    af.verify(fake_render).called_once_with("t", user="u")


async def test_an_async_generator_function_gives_an_iterator_fake() -> None:
    """fake(async_generator_function) returns an async iterator per call."""

    async def ticks(count: int) -> AsyncIterator[int]:
        yield count

    fake_ticks = af.fake(ticks)
    af.when(fake_ticks).yields(1, 2)
    assert [tick async for tick in fake_ticks(2)] == [1, 2]


async def test_a_protocol_is_a_spec() -> None:
    """A Protocol's methods and annotated attributes make the fake."""

    class Repository(Protocol):
        name: str

        async def save(self, user_id: int) -> None: ...

    repo = af.fake(Repository)
    await repo.save(1)
    af.verify(repo.save).awaited_once_with(user_id=1)
    repo.name = "users"
    with pytest.raises(AttributeError):
        repo.load


def test_dataclass_and_attrs_fields_exist() -> None:
    """Fields declared by dataclasses and attrs are attributes of the fake."""

    @dataclasses.dataclass
    class User:
        id: int
        name: str = "anon"
        tags: list[str] = dataclasses.field(default_factory=list)

    @attrs.define
    class Account:
        owner: str
        balance: int = 0

    user = af.fake(User)
    assert user.name == "anon"
    user.id = 1
    assert user.id == 1
    assert isinstance(user.tags, list)
    account = af.fake(Account)
    account.owner = "me"
    assert account.balance == 0
    with pytest.raises(AttributeError):
        account.ownr


def test_an_instance_spec_adds_its_own_attributes() -> None:
    """fake(instance) also has the attributes the instance itself carries."""
    real = Client("t")
    real.extra = "x"  # type: ignore[attr-defined]
    client = af.fake(real)
    assert client.extra == "x"
    assert isinstance(client, Client)


def test_a_fake_is_not_a_spec() -> None:
    """fake(fake) is refused with a message naming the fake."""
    client = af.fake(Client)
    with pytest.raises(TypeError) as caught:
        af.fake(client)
    assert str(caught.value) == (
        "fake() takes a real class, instance or function to imitate, but got the fake "
        "Client. Pass the real object it stands for."
    )


# ------------------------------------------------------------------ redis rule


async def test_commands_annotated_awaitable_or_value_follow_execute_command() -> None:
    """`Awaitable[T] | T` members are async when the class's execute_command is async."""
    from collections.abc import Awaitable

    class AsyncRedisLike:
        async def execute_command(self, *args: object) -> object:
            return None

        def get(self, name: str) -> Awaitable[bytes] | bytes:
            raise NotImplementedError

    class PipelineLike(AsyncRedisLike):
        def execute_command(self, *args: object) -> object:  # type: ignore[override]
            return self

        async def execute(self) -> list[object]:
            return []

    client = af.fake(AsyncRedisLike)
    assert isinstance(client.get, af.AsyncFake)
    af.when(client.get).returns(b"v")
    assert await client.get("k") == b"v"
    pipeline = af.fake(PipelineLike)
    assert not isinstance(pipeline.get, af.AsyncFake)
    pipeline.get("k")
    af.when(pipeline.execute).returns([b"v"])
    assert await pipeline.execute() == [b"v"]


def test_an_unannotated_method_returning_a_context_is_classified_from_its_source() -> None:
    """Without annotations (asyncpg), `return SomeContext(...)` tells the member's kind."""

    class Pool:
        def acquire(self, *, timeout=None):  # type: ignore[no-untyped-def]
            return RequestContext()

        def transaction(self):  # type: ignore[no-untyped-def]
            return _Transaction()

    spec = class_spec(Pool)
    assert spec.member("acquire").kind is Kind.HYBRID  # type: ignore[union-attr]
    assert spec.member("transaction").kind is Kind.ASYNC_CM  # type: ignore[union-attr]


class _Transaction:
    async def __aenter__(self):  # type: ignore[no-untyped-def]
        return None

    async def __aexit__(self, *exc_info):  # type: ignore[no-untyped-def]
        return None


# ---------------------------------------------------------------- strictness


async def test_a_strict_fake_refuses_unstubbed_calls() -> None:
    """strict=True: an unstubbed call raises UnstubbedCallError with the when() line."""
    client = af.fake(Client, strict=True)
    with pytest.raises(af.UnstubbedCallError) as caught:
        await client.get("https://a")
    assert str(caught.value) == (
        "Unstubbed call on a strict fake: Client.get('https://a')\n"
        "Client.get has no stubs.\n"
        "Stub it with: af.when(Client.get).called_with('https://a').returns(...)"
    )


async def test_a_strict_fake_lists_the_stubs_that_exist() -> None:
    """The message lists the member's rules, latest first, and what would stub the call."""
    client = af.fake(Client, strict=True, name="client")
    af.when(client.get).called_with("https://a").returns(Response())
    af.when(client.get).called_with("https://b").raises(TimeoutError).times(2)
    with pytest.raises(af.UnstubbedCallError) as caught:
        await client.get("https://c", timeout=1)
    message = re.sub(r"0x[0-9a-f]+", "0x...", str(caught.value))
    assert message == (
        "Unstubbed call on a strict fake: client.get('https://c', timeout=1)\n"
        "Stubs of client.get (the latest added wins):\n"
        "  1. called_with('https://b'): raises(TimeoutError).times(2)\n"
        "     this call differs: url='https://c' (the rule has 'https://b'), "
        "timeout=1 (the rule has 5.0)\n"
        f"  2. called_with('https://a'): returns(<{MODULE}.Response object at 0x...>)\n"
        "     this call differs: url='https://c' (the rule has 'https://a'), "
        "timeout=1 (the rule has 5.0)\n"
        "Stub it with: af.when(client.get).called_with('https://c', timeout=1).returns(...)"
    )


def test_a_strict_fake_names_the_verb_of_the_member_kind() -> None:
    """The suggested line uses yields() for generators and enters() for contexts."""
    client = af.fake(Client, strict=True)
    with pytest.raises(af.UnstubbedCallError) as caught:
        client.events("t")
    assert str(caught.value).splitlines()[-1] == (
        "Stub it with: af.when(Client.events).called_with('t').yields(...)"
    )
    with pytest.raises(af.UnstubbedCallError) as caught:
        client.stream("u")
    assert str(caught.value).splitlines()[-1] == (
        "Stub it with: af.when(Client.stream).called_with('u').enters(...)"
    )


async def test_a_strict_fake_accepts_mock_style_configuration() -> None:
    """A return_value or side_effect set the unittest.mock way counts as a stub."""
    client = af.fake(Client, strict=True)
    client.get.return_value = "configured"
    assert await client.get("https://a") == "configured"
    client.key.side_effect = lambda user_id: f"k{user_id}"
    assert client.key(1) == "k1"


async def test_strictness_reaches_the_fakes_handed_out() -> None:
    """A strict fake's default children are strict too."""
    client = af.fake(Client, strict=True)
    af.when(client.from_url).returns(af.fake(Client, strict=True))
    transaction = af.fake(Client, strict=True).transaction
    with pytest.raises(af.UnstubbedCallError):
        transaction()


# ----------------------------------------------------------------- typecheck


async def test_typecheck_checks_arguments_against_annotations() -> None:
    """typecheck=True refuses an argument whose type the annotation excludes."""
    client = af.fake(Client, typecheck=True)
    with pytest.raises(af.SpecError) as caught:
        await client.get("https://a", timeout="5")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "Client.get() argument 'timeout' must be float, not str: '5' (typecheck=True)\n"
        "  call:      Client.get('https://a', timeout='5')"
    )


async def test_typecheck_accepts_unions_optionals_ints_for_floats_and_fakes() -> None:
    """Unions, Optional, int for float and any mock pass where they should."""

    class Api:
        async def send(
            self,
            body: bytes | str,
            retries: Optional[int] = None,  # noqa: UP045 (Optional is what is tested)
            delay: float = 0,
        ) -> None:
            return None

        async def forward(self, response: Response) -> None:
            return None

    api = af.fake(Api, typecheck=True)
    await api.send(b"x", None, delay=1)
    await api.send("x", 3)
    await api.forward(af.fake(Response))
    await api.forward(af.MagicFake())
    with pytest.raises(
        TypeError, match=r"^Api.send\(\) argument 'retries' must be int \| None, not str"
    ):
        await api.send(b"x", "3")  # type: ignore[arg-type]


def test_typecheck_checks_assigned_attributes() -> None:
    """typecheck=True refuses a value whose type the attribute's annotation excludes."""
    client = af.fake(Client, typecheck=True)
    client.base_url = "https://a"
    with pytest.raises(TypeError) as caught:
        client.base_url = 1  # type: ignore[assignment]
    assert str(caught.value) == (
        "Client.base_url = 1: Client.base_url is declared as str, not int (typecheck=True)"
    )


def test_unchecked_annotations_are_left_alone() -> None:
    """Annotations that are not classes, unions or Optional (Any, callables of a kind) pass."""

    class Api:
        def call(self, payload: Any, handler: Any) -> None:
            return None

    af.fake(Api, typecheck=True).call(object(), 1)


# -------------------------------------------------------------------- caching


def test_introspection_is_cached_per_class() -> None:
    """The spec of a class is computed once and reused."""
    assert class_spec(Client) is class_spec(Client)
    assert class_spec(Client).member("get") is class_spec(Client).member("get")


def test_the_cache_does_not_keep_classes_alive() -> None:
    """A class's spec goes with the class (weak cache)."""
    from asyncfakes import _spec

    def make() -> int:
        cls = type("Temporary", (), {"run": lambda self: None})
        af.fake(cls)
        return id(cls)

    make()
    gc.collect()
    assert not any(cls.__name__ == "Temporary" for cls in list(_spec._class_specs))


def test_member_fakes_record_into_the_parent() -> None:
    """Calls of members land in the parent's mock_calls, as with create_autospec."""
    client = af.fake(Client)
    client.key(1)
    asyncio.run(client.get("https://a"))
    assert [str(call) for call in client.mock_calls] == [
        "call.key(1)",
        "call.get('https://a')",
    ]
    client.reset_mock()
    assert client.mock_calls == []


async def test_an_awaited_property_is_recorded_where_it_is_awaited() -> None:
    """The record of awaiting a property points at the awaiting line."""
    client = af.fake(Client)
    await client.ready
    (record,) = af.calls(client.ready)
    assert record.filename == __file__
    assert record.awaited


def test_up_to_three_suggestions_best_first() -> None:
    """Several close names are listed, best first, joined as a sentence."""

    class Users:
        def fetch_user(self) -> None: ...

        def fetch_users(self) -> None: ...

        def fetch_usr(self) -> None: ...

    with pytest.raises(AttributeError) as caught:
        af.fake(Users).fetch_uzer
    assert str(caught.value) == (
        f"Users has no attribute 'fetch_uzer': {MODULE}.Users does not define it. "
        "Did you mean 'fetch_user', 'fetch_users' or 'fetch_usr'?"
    )


class Cache:
    async def set(self, name: str, value: str, ex: int | None = None, xx: bool = False) -> None:
        raise NotImplementedError


def test_of_equally_close_names_the_one_with_the_same_start_is_suggested() -> None:
    """A misspelled keyword suggests, of names as close as each other, the one it starts like."""
    cache = af.fake(Cache)
    with pytest.raises(TypeError) as caught:
        cache.set("k", "v", exx=3)
    assert str(caught.value).splitlines()[0] == (
        "Cache.set() got an unexpected keyword argument 'exx'. Did you mean 'ex'?"
    )
