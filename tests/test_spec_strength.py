"""The introspection behind af.fake(): member kinds, results, signatures and checks, case by case.

Each test describes a real class (httpx, aiohttp, asyncpg, redis, SQLAlchemy,
dataclasses, attrs, pydantic or the standard library) or a class written the
way such libraries write theirs, and checks what `class_spec` and
`function_spec` say about it, or what the fake built from it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import inspect
import socket
import types
import typing
import zlib
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Awaitable, Coroutine
from typing import TYPE_CHECKING, Any, Generic, Literal, Optional, Protocol, TypeVar, Union

import aiohttp
import attrs
import httpx
import pydantic
import pytest
import redis
import redis.asyncio
import typing_extensions
from asyncpg.connection import Connection
from asyncpg.pool import Pool
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.ext.asyncio.session import AsyncSessionTransaction

import asyncfakes as af
from asyncfakes._spec import (
    NONE,
    ClassSpec,
    Kind,
    MemberSpec,
    describe_type,
    function_spec,
    is_class,
    is_instance_of,
    short_qualname,
    suggest,
    type_has,
)

if TYPE_CHECKING:
    # Names only a type checker sees: at run time these annotations stay text.
    from asyncpg import Record

T = TypeVar("T")
U = TypeVar("U")


def member(cls: type, name: str) -> MemberSpec:
    """The member `name` of `cls`, which must exist."""
    found = ClassSpec(cls).member(name)  # not cached: each test classifies afresh
    assert found is not None, name
    return found


# ------------------------------------------------------------- real classes


class Row:
    """A result row."""


class Conn:
    """A connection handed out by a context manager."""


class Startable(Generic[T]):
    """SQLAlchemy's StartableContext shape: ``async with`` gives the type argument."""

    async def __aenter__(self) -> T:
        raise NotImplementedError

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class Tx(Startable["Tx"]):
    """Enters itself, named by a forward reference (AsyncSessionTransaction's way)."""


class OpenContext(Startable[T]):
    """A subclass that leaves the type argument open."""


class SelfEntering:
    """``async def __aenter__(self) -> Self``."""

    async def __aenter__(self) -> typing_extensions.Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def logged(function: Any) -> Any:
    """A decorator whose sync wrapper keeps the wrapped function's metadata."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return wrapper


def untraced(function: Any) -> Any:
    """A decorator that does not use functools.wraps (no metadata, ``(*args, **kwargs)``)."""

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        return function(*args, **kwargs)

    return wrapper


class WrappedEnter:
    """``__aenter__`` behind a decorator that hides it: what it enters is unknown."""

    @untraced
    async def __aenter__(self):  # type: ignore[no-untyped-def]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class Entering:
    """An unannotated ``__aenter__`` that returns self."""

    async def __aenter__(self):  # type: ignore[no-untyped-def]
        return self

    async def __aexit__(self, *exc_info):  # type: ignore[no-untyped-def]
        return None


class EnteringOther:
    """Awaitable, and an unannotated ``__aenter__`` that returns something else."""

    async def __aenter__(self):  # type: ignore[no-untyped-def]
        return Row()

    async def __aexit__(self, *exc_info):  # type: ignore[no-untyped-def]
        return None

    def __await__(self) -> Any:
        raise NotImplementedError


class EnteringNothing:
    """An unannotated ``__aenter__`` without a return statement."""

    async def __aenter__(self):  # type: ignore[no-untyped-def]
        pass

    async def __aexit__(self, *exc_info):  # type: ignore[no-untyped-def]
        return None


class Awaiting:
    """Awaitable, not a context manager."""

    def __await__(self) -> Any:
        raise NotImplementedError


class Service:
    """A class written the way client libraries write theirs."""

    @logged
    async def fetch(self, key: str) -> Row:
        raise NotImplementedError

    @logged
    def render(self, key: str) -> Row:
        raise NotImplementedError

    def events(self) -> AsyncIterator[Row]:
        raise NotImplementedError

    def generator(self) -> AsyncGenerator[Row, None]:
        raise NotImplementedError

    def iterable(self) -> AsyncIterable[Row]:
        raise NotImplementedError

    async def unannotated_events(self):  # type: ignore[no-untyped-def]
        yield Row()

    def lease(self) -> contextlib.AbstractAsyncContextManager[Conn]:
        raise NotImplementedError

    def typing_lease(self) -> typing.AsyncContextManager[Conn]:
        raise NotImplementedError

    @contextlib.asynccontextmanager
    async def loose(self) -> Any:
        yield Conn()

    def stack(self) -> contextlib.AsyncExitStack:
        raise NotImplementedError

    def begin(self) -> Tx:
        raise NotImplementedError

    def open(self) -> OpenContext[Conn]:
        raise NotImplementedError

    def open_any(self) -> OpenContext:  # type: ignore[type-arg]
        raise NotImplementedError

    def entering_self(self) -> SelfEntering:
        raise NotImplementedError

    def wrapped(self) -> WrappedEnter:
        raise NotImplementedError

    def pending(self) -> Awaiting:
        raise NotImplementedError

    def ping(self) -> Awaitable[bool]:
        raise NotImplementedError

    def run(self) -> Coroutine[Any, Any, int]:
        raise NotImplementedError

    def future(self) -> asyncio.Future[str]:
        raise NotImplementedError

    def task(self) -> asyncio.Task[Row]:
        raise NotImplementedError

    def either(self) -> Union[Awaitable[int], Awaitable[str]]:  # noqa: UP007 (what is tested)
        raise NotImplementedError

    def generic(self) -> T:  # type: ignore[type-var]
        raise NotImplementedError

    def literal(self) -> Literal["a", "b"]:
        raise NotImplementedError

    def nothing(self) -> None:
        return None

    def unannotated_awaiting(self):  # type: ignore[no-untyped-def]
        return Awaiting()

    def unannotated_nested(self):  # type: ignore[no-untyped-def]
        def make():  # type: ignore[no-untyped-def]
            return Row()

        return Startable()

    def unannotated_choice(self, flag):  # type: ignore[no-untyped-def]
        if flag:
            return Row()
        return Conn()

    def unannotated_attribute_call(self):  # type: ignore[no-untyped-def]
        return contextlib.AsyncExitStack()

    def unannotated_method_call(self):  # type: ignore[no-untyped-def]
        return self.pending()

    def unannotated_unknown_name(self):  # type: ignore[no-untyped-def]
        return undefined_factory()  # type: ignore[name-defined]  # noqa: F821

    def unannotated_builtin(self):  # type: ignore[no-untyped-def]
        return dict()  # noqa: C408

    @property
    def loose_property(self):  # type: ignore[no-untyped-def]
        return 1

    @property
    def awaitable_property(self) -> Awaitable[int]:
        raise NotImplementedError

    @functools.cached_property
    def cached(self) -> int:
        return 1

    @functools.cached_property
    def cached_awaitable(self) -> Awaitable[Row]:
        raise NotImplementedError

    @types.DynamicClassAttribute
    def dynamic(self) -> str:
        return "x"

    checksum = zlib.crc32

    class Error(Exception):
        """A nested class: calling it makes an instance."""

    Context = OpenContext
    Transaction = Tx

    def __init__(self) -> None:
        self.ready = True


class Texts:
    """Annotations naming what exists only for the type checker (they stay text)."""

    async def execute_command(self, *args: object) -> object:
        return None

    def awaitable(self) -> Awaitable[Record]:
        raise NotImplementedError

    def coroutine(self) -> Coroutine[Any, Any, Record]:
        raise NotImplementedError

    def plain(self) -> Record:
        raise NotImplementedError

    def union(self) -> Record | Awaitable[Record]:
        raise NotImplementedError

    def optional(self) -> Optional[Record]:  # noqa: UP045 (what is tested)
        raise NotImplementedError

    def sends(self, row: Record) -> None:
        return None


# ------------------------------------------------------------ member kinds


def test_a_coroutine_behind_a_wraps_decorator_is_async_and_returns_its_annotation() -> None:
    """A sync wrapper made with functools.wraps around an async def: awaiting gives its return."""
    fetch = member(Service, "fetch")
    assert fetch.kind is Kind.ASYNC
    assert fetch.result_class() is Row
    assert fetch.result_check() == ((Row,), "Row")


async def test_the_fake_of_a_decorated_coroutine_returns_a_fake_of_its_return_class() -> None:
    """Awaiting the fake of a decorated coroutine method gives a fake spec'd to its return."""
    service = af.fake(Service)
    row = await service.fetch("k")
    assert isinstance(row, Row)


def test_a_plain_method_behind_a_wraps_decorator_stays_sync() -> None:
    """A decorated plain method is sync and returns its annotation."""
    render = member(Service, "render")
    assert render.kind is Kind.SYNC
    assert render.result_class() is Row


@pytest.mark.parametrize("name", ["events", "generator", "iterable"])
def test_a_plain_method_returning_an_async_iterator_is_an_async_generator(name: str) -> None:
    """``-> AsyncIterator[T]`` (or AsyncGenerator, AsyncIterable) on a plain def: iterated."""
    events = member(Service, name)
    assert events.kind is Kind.ASYNC_GEN
    assert events.result_class() is Row
    assert events.describe() == "a method returning an async iterator"


def test_an_unannotated_async_generator_yields_unknown_items() -> None:
    """An async generator without annotations: its items are not spec'd."""
    events = member(Service, "unannotated_events")
    assert events.kind is Kind.ASYNC_GEN
    assert events.describe() == "an async generator method"
    assert events.result_class() is None
    assert events.result_check() is None


@pytest.mark.parametrize("name", ["lease", "typing_lease"])
def test_a_method_returning_an_async_context_manager_enters_its_type_argument(name: str) -> None:
    """``-> AbstractAsyncContextManager[Conn]``: the call is entered, and gives a Conn."""
    lease = member(Service, name)
    assert lease.kind is Kind.ASYNC_CM
    assert lease.result_class() is Conn
    assert lease.describe() == "a method returning an async context manager"


def test_an_asynccontextmanager_annotated_any_enters_something_unknown() -> None:
    """``@asynccontextmanager`` with ``-> Any``: a context manager whose value is not spec'd."""
    loose = member(Service, "loose")
    assert loose.kind is Kind.ASYNC_CM
    assert loose.result_class() is None
    assert loose.result_check() is None


def test_contextlib_s_own_context_managers_are_context_managers() -> None:
    """AsyncExitStack enters itself, but is returned to be entered: ASYNC_CM, not an object."""
    stack = member(Service, "stack")
    assert stack.kind is Kind.ASYNC_CM
    assert stack.result_class() is contextlib.AsyncExitStack


def test_a_context_entering_itself_through_a_forward_reference_is_an_object() -> None:
    """``class Tx(Startable["Tx"])`` enters a Tx: begin() is sync and returns a Tx."""
    begin = member(Service, "begin")
    assert begin.kind is Kind.SYNC
    assert begin.result_class() is Tx


def test_sqlalchemy_s_begin_returns_a_transaction_that_enters_itself() -> None:
    """AsyncSession.begin() is sync: its AsyncSessionTransaction is entered itself."""
    begin = member(AsyncSession, "begin")
    assert begin.kind is Kind.SYNC
    assert begin.result_class() is AsyncSessionTransaction


def test_a_context_whose_type_argument_is_left_open_enters_something_unknown() -> None:
    """``OpenContext`` passes its TypeVar on: unparameterised, what it enters is unknown."""
    opened = member(Service, "open_any")
    assert opened.kind is Kind.ASYNC_CM
    assert opened.result_class() is None


def test_a_parameterised_context_enters_its_argument() -> None:
    """``-> OpenContext[Conn]``: entering gives a Conn."""
    opened = member(Service, "open")
    assert opened.kind is Kind.ASYNC_CM
    assert opened.result_class() is Conn


def test_a_context_whose_aenter_returns_self_typed_enters_itself() -> None:
    """``async def __aenter__(self) -> Self``: the class enters itself, the call is sync."""
    entering = member(Service, "entering_self")
    assert entering.kind is Kind.SYNC
    assert entering.result_class() is SelfEntering


def test_a_context_whose_aenter_is_hidden_by_a_decorator_is_a_context_manager() -> None:
    """``__aenter__`` wrapped as ``(*args, **kwargs)``: not known to enter itself."""
    wrapped = member(Service, "wrapped")
    assert wrapped.kind is Kind.ASYNC_CM
    assert wrapped.result_class() is None


def test_a_context_defined_without_source_is_not_known_to_enter_itself() -> None:
    """A class built by exec (no source to read): its unannotated ``__aenter__`` is opaque."""
    namespace: dict[str, Any] = {}
    exec(
        "class Generated:\n"
        "    async def __aenter__(self):\n"
        "        return self\n"
        "    async def __aexit__(self, *exc_info):\n"
        "        return None\n"
        "def make(self):\n"
        "    return Generated()\n",
        namespace,
    )
    holder = type("Holder", (), {"make": namespace["make"], "__module__": __name__})
    generated = namespace["Generated"]
    assert member(holder, "make").kind is Kind.SYNC  # the source of make() is unknown too

    def returns_generated(self: object) -> Any:
        return generated()

    returns_generated.__annotations__["return"] = generated
    holder2 = type("Holder2", (), {"make": returns_generated})
    assert member(holder2, "make").kind is Kind.ASYNC_CM


def test_an_unannotated_aenter_is_read_from_its_source() -> None:
    """``return self`` enters itself; returning something else or nothing does not."""

    class Holder:
        def entering(self) -> Entering:
            raise NotImplementedError

        def other(self) -> EnteringOther:
            raise NotImplementedError

        def silent(self) -> EnteringNothing:
            raise NotImplementedError

    assert member(Holder, "entering").kind is Kind.SYNC
    assert member(Holder, "entering").result_class() is Entering
    assert member(Holder, "other").kind is Kind.HYBRID
    assert member(Holder, "other").result_class() is None
    assert member(Holder, "silent").kind is Kind.ASYNC_CM


@pytest.mark.parametrize(
    ("name", "result"),
    [("ping", bool), ("run", int), ("future", str), ("task", Row)],
)
def test_a_plain_method_returning_an_awaitable_is_async(name: str, result: type) -> None:
    """``-> Awaitable[T]``, ``Coroutine[..., T]``, ``Future[T]``, ``Task[T]``: awaiting gives T."""
    awaitable = member(Service, name)
    assert awaitable.kind is Kind.ASYNC
    assert awaitable.describe() == "a method returning an awaitable"
    assert awaitable.result_class() is result


def test_a_method_returning_an_awaitable_class_is_async_with_an_unknown_result() -> None:
    """``-> Awaiting`` (a class with ``__await__``): async; what awaiting gives is unknown."""
    pending = member(Service, "pending")
    assert pending.kind is Kind.ASYNC
    assert pending.result_class() is None
    unannotated = member(Service, "unannotated_awaiting")
    assert unannotated.kind is Kind.ASYNC
    assert unannotated.result_class() is None


def test_a_union_of_awaitables_is_async_and_awaits_to_the_union() -> None:
    """``-> Awaitable[int] | Awaitable[str]``: async; the result is unknown, not checked."""
    either = member(Service, "either")
    assert either.kind is Kind.ASYNC
    assert either.result_class() is None


@pytest.mark.parametrize("name", ["generic", "literal"])
def test_annotations_that_are_not_classes_make_a_plain_method(name: str) -> None:
    """``-> T`` or ``-> Literal[...]``: a plain method, its result not spec'd."""
    plain = member(Service, name)
    assert plain.kind is Kind.SYNC
    assert plain.result_class() is None


def test_a_method_declared_to_return_none_is_checked_against_none() -> None:
    """``-> None``: the result is `NONE` and a stub must return None."""
    nothing = member(Service, "nothing")
    assert nothing.result_class() is NONE
    assert nothing.result_check() == ((type(None),), "None")
    assert repr(NONE) == "NONE"


def test_an_unannotated_method_is_classified_by_the_class_it_returns() -> None:
    """``return Startable()`` makes a context manager; nested functions are not looked at."""
    assert member(Service, "unannotated_nested").kind is Kind.ASYNC_CM
    assert member(Service, "unannotated_attribute_call").kind is Kind.ASYNC_CM
    assert member(Service, "unannotated_builtin").kind is Kind.SYNC


@pytest.mark.parametrize(
    "name",
    ["unannotated_choice", "unannotated_method_call", "unannotated_unknown_name"],
)
def test_an_unannotated_method_returning_no_single_known_class_is_plain(name: str) -> None:
    """Two classes, a method call or an unknown name: nothing tells an async kind."""
    assert member(Service, name).kind is Kind.SYNC


def test_asyncpg_s_unannotated_contexts_are_read_from_their_source() -> None:
    """asyncpg declares nothing: acquire() is awaitable and entered, transaction() entered."""
    assert member(Pool, "acquire").kind is Kind.HYBRID
    assert member(Connection, "transaction").kind is Kind.ASYNC_CM
    assert member(Connection, "fetch").kind is Kind.ASYNC


# ------------------------------------------------------------- properties


def test_properties_of_every_shape() -> None:
    """Unannotated, ``-> Awaitable[T]``, cached and DynamicClassAttribute properties."""
    assert member(Service, "loose_property").kind is Kind.PROPERTY
    awaitable = member(Service, "awaitable_property")
    assert awaitable.kind is Kind.AWAITABLE_PROPERTY
    assert awaitable.describe() == "a property returning an awaitable"
    assert awaitable.result_class() is int
    cached = member(Service, "cached")
    assert cached.kind is Kind.PROPERTY
    assert cached.describe() == "a property"
    assert cached.result_class() is int
    cached_awaitable = member(Service, "cached_awaitable")
    assert cached_awaitable.kind is Kind.AWAITABLE_PROPERTY
    assert cached_awaitable.result_class() is Row
    dynamic = member(Service, "dynamic")
    assert dynamic.kind is Kind.PROPERTY
    assert dynamic.result_class() is str
    assert dynamic.signature_text() == "Service.dynamic()"


async def test_the_fake_of_a_cached_awaitable_property_is_awaited() -> None:
    """Reading a cached ``-> Awaitable[Row]`` property of the fake gives an awaitable."""
    service = af.fake(Service)
    row = await service.cached_awaitable
    assert isinstance(row, Row)


def test_real_properties_of_http_clients() -> None:
    """httpx's and aiohttp's properties are values of their annotated classes."""
    assert member(httpx.AsyncClient, "is_closed").result_check() == ((bool,), "bool")
    assert member(aiohttp.ClientSession, "connector").result_check() == (
        (aiohttp.BaseConnector, type(None)),
        "BaseConnector | None",
    )


# ------------------------------------------------------- other class members


def test_a_builtin_function_kept_on_a_class_is_a_static_sync_member() -> None:
    """``checksum = zlib.crc32``: builtins do not bind, so it takes no self."""
    checksum = member(Service, "checksum")
    assert checksum.kind is Kind.SYNC
    assert checksum.binding == "static"
    assert checksum.bind((b"x",), {}).arguments == {"data": b"x", "value": 0}  # type: ignore[union-attr]
    assert checksum.signature_text() == "Service.checksum(data, value=..., /)"


def test_a_nested_class_is_a_member_returning_its_instances() -> None:
    """``Service.Error(...)`` makes an Error; a nested context class is a context manager."""
    error = member(Service, "Error")
    assert error.kind is Kind.SYNC
    assert error.binding == "static"
    assert error.result_class() is Service.Error
    assert error.signature_text() == "Service.Error(...)"  # builtin exceptions show none
    transaction = member(Service, "Transaction")
    assert transaction.kind is Kind.SYNC
    assert transaction.result_class() is Tx
    context = member(Service, "Context")
    assert context.kind is Kind.ASYNC_CM
    assert context.result_class() is None


def test_names_assigned_to_self_are_attributes() -> None:
    """``self.ready = True`` in __init__ makes `ready` an attribute, found on first use."""
    spec = ClassSpec(Service)
    assert "ready" not in spec.names
    assert spec.has("ready")
    assert "ready" in spec.names
    assert not spec.has("missing")
    assert spec.member("missing") is None
    ready = member(Service, "ready")
    assert ready.kind is Kind.ATTRIBUTE
    assert ready.describe() == "an attribute"
    assert ready.signature is None
    assert ready.signature_text() == "Service.ready(...)"
    assert ready.bind((), {}) is None
    assert ready.argument_checks() == []


def test_names_assigned_in_setters_nested_functions_and_closures_are_found() -> None:
    """A property setter, a nested function and a closure over self all count."""

    class Widget:
        def __init__(self) -> None:
            def later() -> None:
                self.closed = False

            later()

        @property
        def size(self) -> int:
            return 1

        @size.setter
        def size(self, value: int) -> None:
            self.stored_size = value

        @staticmethod
        def make(other: Any) -> None:
            other.not_mine = 1

        @classmethod
        def build(cls) -> None:
            cls.not_mine_either = 1

        def assign(self, other: Any) -> None:
            other.elsewhere = self

    spec = ClassSpec(Widget)
    assert spec.has("closed")
    assert spec.has("stored_size")
    for name in ("not_mine", "not_mine_either", "elsewhere"):
        assert not spec.has(name), name


def test_names_assigned_on_builtin_subclasses_come_from_the_python_part_only() -> None:
    """A dict subclass: its own ``self.x = ...`` counts, the builtin base has none to read."""

    class Settings(dict[str, Any]):
        def __init__(self) -> None:
            super().__init__()
            self.loaded = True

    spec = ClassSpec(Settings)
    assert spec.has("loaded")
    assert spec.has("keys")
    assert member(Settings, "keys").kind is Kind.SYNC


def test_slots_given_as_one_string_are_attributes() -> None:
    """``__slots__ = "value"`` declares one attribute."""

    class Box:
        __slots__ = "value"  # noqa: PLC0205 (what is tested)

    class Pair:
        __slots__ = ["left", "right"]

    assert member(Box, "value").kind is Kind.ATTRIBUTE
    assert ClassSpec(Pair).has("left")
    assert ClassSpec(Pair).has("right")
    assert "__slots__" in ClassSpec(Box).names


def test_dataclass_fields_keep_their_defaults_even_with_slots() -> None:
    """A dataclass with slots keeps field defaults out of the class dict: they are still read."""

    @dataclasses.dataclass(slots=True)
    class Point:
        x: int
        y: int = 5
        tags: list[str] = dataclasses.field(default_factory=list)

    assert member(Point, "y").value == 5
    assert member(Point, "x").value is inspect.Parameter.empty
    assert member(Point, "tags").value is inspect.Parameter.empty
    assert member(Point, "y").result_class() is int


def test_attrs_fields_keep_their_defaults() -> None:
    """attrs fields: plain defaults are values; factories and required fields have none."""

    @attrs.define
    class Account:
        owner: str
        balance: int = 0
        tags: list[str] = attrs.Factory(list)

    assert member(Account, "balance").value == 0
    assert member(Account, "owner").value is inspect.Parameter.empty
    assert member(Account, "tags").value is inspect.Parameter.empty
    assert member(Account, "owner").result_class() is str


def test_attrs_fields_without_annotations_exist() -> None:
    """``attr.ib()`` fields of a plain ``@attrs.define`` without annotations are attributes."""

    @attrs.define(slots=False)
    class Legacy:
        name = attrs.field(default="anon")

    assert ClassSpec(Legacy).has("name")
    assert member(Legacy, "name").value == "anon"


def test_pydantic_model_fields_are_attributes() -> None:
    """A pydantic model's fields are attributes of the fake."""

    class User(pydantic.BaseModel):
        id: int
        name: str = "anon"

    assert ClassSpec(User).has("id")
    assert member(User, "name").kind is Kind.ATTRIBUTE
    fake = af.fake(User)
    fake.id = 3
    assert fake.id == 3


# --------------------------------------------------------------- instances


def test_an_instance_spec_adds_the_instance_s_attributes() -> None:
    """with_instance(): the instance's own values and callables become members."""

    def handler(event: str) -> int:
        return 0

    async def hook(event: str) -> None:
        return None

    real = Service()
    real.callback = handler  # type: ignore[attr-defined]
    real.on_event = hook  # type: ignore[attr-defined]
    real.label = "primary"  # type: ignore[attr-defined]
    base = ClassSpec(Service)
    fetch = base.member("fetch")
    spec = base.with_instance(real)
    assert spec.member("fetch") is fetch
    callback = spec.member("callback")
    assert callback is not None
    assert callback.kind is Kind.SYNC
    assert callback.binding == "static"
    assert callback.bind(("x",), {}).arguments == {"event": "x"}  # type: ignore[union-attr]
    on_event = spec.member("on_event")
    assert on_event is not None
    assert on_event.kind is Kind.ASYNC
    label = spec.member("label")
    assert label is not None
    assert label.kind is Kind.ATTRIBUTE
    assert label.value == "primary"
    assert label.result_class() is str
    ready = spec.member("ready")
    assert ready is not None
    assert ready.value is True
    assert base.member("label") is None


def test_an_instance_spec_of_an_object_without_a_dict() -> None:
    """An instance without ``__dict__`` (slots) adds nothing."""

    class Slotted:
        __slots__ = ("value",)

    spec = ClassSpec(Slotted).with_instance(Slotted())
    assert spec.names == ClassSpec(Slotted).names


# ------------------------------------------------------------ descriptions


def test_every_kind_is_described_for_messages() -> None:
    """describe() names what the member is, as messages show it."""
    assert member(httpx.AsyncClient, "get").describe() == "a coroutine method (async def)"
    assert member(aiohttp.ClientSession, "get").describe() == (
        "a method returning an awaitable async context manager"
    )
    assert member(redis.asyncio.Redis, "get").describe() == "a method returning an awaitable"
    assert member(redis.asyncio.Redis, "scan_iter").describe() == "an async generator method"
    assert member(httpx.AsyncClient, "stream").describe() == (
        "a method returning an async context manager"
    )
    assert member(httpx.AsyncClient, "build_request").describe() == "a plain (sync) method"
    assert member(httpx.AsyncClient, "is_closed").describe() == "a property"
    assert member(AsyncSession, "sync_session").describe() == "an attribute"


def test_standalone_functions_are_described_as_functions() -> None:
    """function_spec() of a function says "function", not "method"."""

    async def fetch() -> None:
        return None

    def pages() -> AsyncIterator[int]:
        raise NotImplementedError

    async def walk() -> AsyncIterator[int]:
        yield 1

    assert function_spec(fetch).describe() == "a coroutine function (async def)"
    assert function_spec(pages).describe() == "a function returning an async iterator"
    assert function_spec(walk).describe() == "an async generator function"
    assert function_spec(len).describe() == "a plain (sync) function"
    assert function_spec(asyncio.sleep).describe() == "a coroutine function (async def)"


def test_reprs_name_the_class_and_member() -> None:
    """ClassSpec and MemberSpec reprs name what they describe."""
    assert repr(ClassSpec(httpx.AsyncClient)) == "<ClassSpec httpx.AsyncClient>"
    assert repr(member(httpx.AsyncClient, "get")) == "<MemberSpec AsyncClient.get async>"
    assert repr(member(aiohttp.ClientSession, "get")) == "<MemberSpec ClientSession.get hybrid>"


def test_full_names_leave_out_builtins() -> None:
    """``httpx.AsyncClient`` but ``dict``."""
    assert ClassSpec(httpx.AsyncClient).full_name == "httpx.AsyncClient"
    assert ClassSpec(dict).full_name == "dict"
    assert ClassSpec(Service.Error).full_name == f"{__name__}.Service.Error"


def test_public_names_leave_out_dunder_names_only() -> None:
    """public_names(): sorted, private names kept, dunder names left out."""
    names = ClassSpec(redis.asyncio.Redis).public_names()
    assert names == sorted(names)
    assert "get" in names
    assert "_send_command_parse_response" in names
    assert "__aenter__" not in names
    assert "__init__" not in names


# --------------------------------------------------------------- signatures


def test_signature_text_shows_every_kind_of_parameter() -> None:
    """Positional-only, ``*args``, keyword-only, defaults and ``**kwargs`` as Python writes them."""

    class Api:
        def call(self, a, b=1, /, c=2, *args, d, e=3, **kwargs):  # type: ignore[no-untyped-def]
            return None

        def only(self, a, /):  # type: ignore[no-untyped-def]
            return None

        def named(self, *, key):  # type: ignore[no-untyped-def]
            return None

    assert member(Api, "call").signature_text() == (
        "Api.call(a, b=..., /, c=..., *args, d, e=..., **kwargs)"
    )
    assert member(Api, "only").signature_text() == "Api.only(a, /)"
    assert member(Api, "named").signature_text() == "Api.named(*, key)"
    assert member(aiohttp.ClientSession, "get").signature_text() == (
        "ClientSession.get(url, *, allow_redirects=..., **kwargs)"
    )


def test_the_binder_fills_in_every_kind_of_parameter() -> None:
    """Binding gives every parameter by name, defaults applied, as the real call would."""

    class Api:
        def call(self, a, b=1, /, c=2, *args, d, e=3, **kwargs):  # type: ignore[no-untyped-def]
            return None

    call = member(Api, "call")
    bound = call.bind((10, 20, 30, 40), {"d": 4, "z": 9})
    assert bound is not None
    assert bound.arguments == {
        "a": 10,
        "b": 20,
        "c": 30,
        "args": (40,),
        "d": 4,
        "e": 3,
        "kwargs": {"z": 9},
    }
    assert bound.args == (10, 20, 30, 40)
    assert bound.kwargs == {"d": 4, "e": 3, "z": 9}
    assert call.bind((1,), {"d": 2}).arguments == {  # type: ignore[union-attr]
        "a": 1,
        "b": 1,
        "c": 2,
        "args": (),
        "d": 2,
        "e": 3,
        "kwargs": {},
    }


def test_a_rejected_call_raises_python_s_own_message() -> None:
    """Missing, extra and positional-only-by-keyword calls: Python's TypeError text."""

    class Api:
        def call(self, a, /, b, *, c):  # type: ignore[no-untyped-def]
            return None

    call = member(Api, "call")
    with pytest.raises(
        TypeError, match=r"^Api.call\(\) missing 1 required keyword-only argument: 'c'$"
    ):
        call.bind((1, 2), {})
    with pytest.raises(
        TypeError, match=r"^Api.call\(\) takes 2 positional arguments but 3 were given$"
    ):
        call.bind((1, 2, 3), {})
    with pytest.raises(TypeError, match=r"^Api.call\(\) got an unexpected keyword argument 'd'$"):
        call.bind((1, 2), {"c": 1, "d": 1})


def test_an_unexpected_keyword_suggests_the_closest_real_parameter() -> None:
    """The "did you mean" comes from the real parameter names, on every Python version."""
    get = member(httpx.AsyncClient, "get")
    with pytest.raises(TypeError) as caught:
        get.bind(("https://a",), {"timout": 1})
    assert str(caught.value) == (
        "AsyncClient.get() got an unexpected keyword argument 'timout'. Did you mean 'timeout'?"
    )
    with pytest.raises(TypeError) as caught:
        get.bind(("https://a",), {"zzz": 1})
    assert str(caught.value) == "AsyncClient.get() got an unexpected keyword argument 'zzz'"


def test_positional_only_names_are_not_suggested() -> None:
    """A positional-only parameter cannot be passed by keyword, so it is not suggested."""

    class Api:
        def call(self, timeout, /, *, limit=1):  # type: ignore[no-untyped-def]
            return None

    with pytest.raises(TypeError) as caught:
        member(Api, "call").bind((1,), {"timeot": 1})
    assert str(caught.value) == "Api.call() got an unexpected keyword argument 'timeot'"


def test_bind_errors_are_type_errors() -> None:
    """BindError is a TypeError (what Python itself raises for a bad call)."""
    from asyncfakes._spec import BindError

    assert issubclass(BindError, TypeError)
    with pytest.raises(BindError):
        member(httpx.AsyncClient, "get").bind((), {})


def test_a_method_without_a_self_parameter_has_no_signature() -> None:
    """``def f()`` or ``def f(**kw)`` in a class cannot be called on an instance: unchecked."""

    class Odd:
        def bare():  # type: ignore[no-untyped-def]
            return None

        def keywords(**kwargs):  # type: ignore[no-untyped-def]
            return None

        def star(*args):  # type: ignore[no-untyped-def]
            return None

    assert member(Odd, "bare").signature is None
    assert member(Odd, "bare").bind((1, 2), {}) is None
    assert member(Odd, "keywords").signature is None
    assert str(member(Odd, "star").signature) == "(*args)"


def test_a_wrapper_without_wraps_accepts_anything() -> None:
    """A method behind a decorator without functools.wraps has ``(*args, **kwargs)``."""

    class Api:
        @untraced
        def call(self, a: int) -> None:
            return None

    call = member(Api, "call")
    assert call.signature_text() == "Api.call(*args, **kwargs)"
    assert call.bind((1, 2), {"x": 3}).arguments == {"args": (1, 2), "kwargs": {"x": 3}}  # type: ignore[union-attr]


def test_a_builtin_method_without_a_signature_is_unchecked() -> None:
    """socket.sendall has no introspectable signature: calls are not checked."""
    sendall = member(socket.socket, "sendall")
    assert sendall.kind is Kind.SYNC
    assert sendall.signature is None
    assert sendall.signature_text() == "socket.sendall(...)"
    assert sendall.bind((1, 2, 3), {}) is None


def test_class_and_static_methods_drop_cls_but_keep_their_parameters() -> None:
    """``Redis.from_url(url, ...)`` binds without cls; a staticmethod keeps all parameters."""
    from_url = member(redis.asyncio.Redis, "from_url")
    assert from_url.binding == "class"
    assert from_url.signature_text().startswith("Redis.from_url(url, ")

    class Api:
        @staticmethod
        def version(major: int, minor: int = 0) -> str:
            return f"{major}.{minor}"

    version = member(Api, "version")
    assert version.binding == "static"
    assert version.signature_text() == "Api.version(major, minor=...)"


def test_a_partialmethod_binds_self_and_drops_what_it_fixes() -> None:
    """``functools.partialmethod(request, "GET")``: the remaining parameters only."""

    class Api:
        async def request(self, method: str, url: str) -> Row:
            raise NotImplementedError

        get = functools.partialmethod(request, "GET")

    get = member(Api, "get")
    assert get.kind is Kind.ASYNC
    assert get.binding == "method"
    assert get.signature_text() == "Api.get(url)"
    assert get.bind(("/a",), {}).arguments == {"url": "/a"}  # type: ignore[union-attr]


# -------------------------------------------------------------- type checks


class Closable(Protocol):
    def close(self) -> None: ...


@typing.runtime_checkable
class Sized(Protocol):
    def __len__(self) -> int: ...


class Options(typing.TypedDict):
    timeout: float


class Checked:
    """A parameter of every checkable and uncheckable annotation."""

    def call(
        self,
        whole: int,
        ratio: float,
        number: complex,
        items: list[int],
        maybe: Optional[str],  # noqa: UP045 (what is tested)
        either: int | str,
        anything: object,
        resource: Closable,
        sized: Sized,
        mixed: int | Closable,
        loose: Any,
        text: Record,
        options: Options,
        value: T,  # type: ignore[type-var]
        none: None,
        *args: int,
        **kwargs: str,
    ) -> int:
        return 0


def test_argument_checks_cover_exactly_the_checkable_annotations() -> None:
    """Classes, None, unions of those and generics' origins are checked; the rest are not."""
    checks = {
        name: (classes, text)
        for name, _, classes, text in member(Checked, "call").argument_checks()
    }
    assert checks == {
        "whole": ((int,), "int"),
        "ratio": ((float, int), "float"),
        "number": ((complex, float, int), "complex"),
        "items": ((list,), "list[int]"),
        "maybe": ((str, type(None)), "str | None"),
        "either": ((int, str), "int | str"),
        "sized": ((Sized,), "Sized"),
        "none": ((type(None),), "None"),
        "args": ((int,), "int"),
        "kwargs": ((str,), "str"),
    }


def test_argument_checks_give_each_parameter_s_kind() -> None:
    """The kind of each checked parameter is the real one (``*args`` checks each item)."""
    kinds = {name: kind for name, kind, _, _ in member(Checked, "call").argument_checks()}
    assert kinds["whole"] is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert kinds["args"] is inspect.Parameter.VAR_POSITIONAL
    assert kinds["kwargs"] is inspect.Parameter.VAR_KEYWORD


async def test_typecheck_accepts_ints_for_complex_and_refuses_text() -> None:
    """typecheck=True: a complex parameter takes an int, and refuses a str."""

    class Math:
        async def scale(self, factor: complex) -> None:
            return None

    math = af.fake(Math, typecheck=True)
    await math.scale(2)
    await math.scale(1.5)
    with pytest.raises(
        TypeError, match=r"^Math.scale\(\) argument 'factor' must be complex, not str"
    ):
        await math.scale("2")  # type: ignore[arg-type]


def test_text_annotations_are_not_checked() -> None:
    """A parameter or result annotated with a TYPE_CHECKING-only name is left unchecked."""
    assert member(Texts, "sends").argument_checks() == []
    assert member(Texts, "plain").result_check() is None
    assert member(Texts, "plain").result_class() is None
    assert member(Texts, "awaitable").result_class() is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("awaitable", Kind.ASYNC),
        ("coroutine", Kind.ASYNC),
        ("plain", Kind.SYNC),
        ("union", Kind.ASYNC),
        ("optional", Kind.SYNC),
    ],
)
def test_text_annotations_still_tell_the_member_kind(name: str, kind: Kind) -> None:
    """``-> Awaitable[Record]`` with Record only imported for type checkers is still async."""
    assert member(Texts, name).kind is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Awaitable[Missing]", Kind.ASYNC),
        ("Coroutine[Any, Any, Missing]", Kind.ASYNC),
        ("typing.Awaitable[Missing]", Kind.ASYNC),
        ("typing.Coroutine[Any, Any, Missing]", Kind.ASYNC),
        ("asyncio.Future[Missing]", Kind.ASYNC),
        ("AsyncIterator[Missing]", Kind.ASYNC_GEN),
        ("AsyncGenerator[Missing, None]", Kind.ASYNC_GEN),
        ("AsyncIterable[Missing]", Kind.ASYNC_GEN),
        ("typing.AsyncIterator[Missing]", Kind.ASYNC_GEN),
        ("typing.AsyncGenerator[Missing, None]", Kind.ASYNC_GEN),
        ("typing.AsyncIterable[Missing]", Kind.ASYNC_GEN),
        ("AsyncContextManager[Missing]", Kind.ASYNC_CM),
        ("AbstractAsyncContextManager[Missing]", Kind.ASYNC_CM),
        ("typing.AsyncContextManager[Missing]", Kind.ASYNC_CM),
        ("contextlib.AbstractAsyncContextManager[Missing]", Kind.ASYNC_CM),
        ("Missing", Kind.SYNC),
        ("  Awaitable[Missing]  ", Kind.ASYNC),
        ("Missing | Awaitable[Missing]", Kind.ASYNC),
        ("Union[Missing, Awaitable[Missing]]", Kind.ASYNC),
        ("typing.Union[Missing, Awaitable[Missing]]", Kind.ASYNC),
        ("Optional[Awaitable[Missing]]", Kind.ASYNC),
        ("Union[Missing, AsyncIterator[Missing]]", Kind.SYNC),
        ("Optional[AsyncIterator[Missing]]", Kind.SYNC),
        ("Missing | None", Kind.SYNC),
    ],
)
def test_every_known_text_annotation_tells_its_kind(text: str, kind: Kind) -> None:
    """Unevaluable annotations are read by their text, with or without the module prefix."""

    class Commands:
        async def execute_command(self, *args: object) -> object:
            return None

        def command(self) -> None:
            return None

    Commands.command.__annotations__["return"] = text
    assert member(Commands, "command").kind is kind


def test_a_text_union_with_an_awaitable_follows_execute_command() -> None:
    """``Missing | Awaitable[Missing]`` is sync on a class whose execute_command is sync."""

    class SyncCommands:
        def execute_command(self, *args: object) -> object:
            return None

        def command(self) -> None:
            return None

    SyncCommands.command.__annotations__["return"] = "Missing | Awaitable[Missing]"
    assert member(SyncCommands, "command").kind is Kind.SYNC


def test_redis_commands_are_async_on_the_async_client_and_sync_on_the_sync_one() -> None:
    """redis-py's ``ResponseT`` commands follow the client's execute_command."""
    get = member(redis.asyncio.Redis, "get")
    assert get.kind is Kind.ASYNC
    assert get.result_check() == ((bytes, str, type(None)), "bytes | str | None")
    assert member(redis.Redis, "get").kind is Kind.SYNC
    assert member(redis.asyncio.Redis, "pipeline").kind is Kind.SYNC


def test_a_standalone_function_annotated_awaitable_or_value_is_sync() -> None:
    """Without a class there is no execute_command to follow: ``Awaitable[T] | T`` is sync."""

    def get(name: str) -> Union[Awaitable[bytes], bytes]:  # noqa: UP007 (what is tested)
        raise NotImplementedError

    spec = function_spec(get)
    assert spec.kind is Kind.SYNC
    assert spec.owner is None


# ------------------------------------------------------------ function specs


def test_function_specs_are_cached_unless_renamed() -> None:
    """function_spec() is computed once per function; a given name makes a new spec."""

    async def fetch(url: str) -> bytes:
        return b""

    spec = function_spec(fetch)
    assert function_spec(fetch) is spec
    assert spec.name == "fetch"
    assert spec.qualname.endswith("fetch")
    named = function_spec(fetch, name="client.fetch")
    assert named is not spec
    assert named.name == "fetch"
    assert named.qualname == "client.fetch"
    assert function_spec(fetch) is spec
    assert named.bind(("u",), {}).arguments == {"url": "u"}  # type: ignore[union-attr]


def test_a_bound_method_s_spec_drops_self() -> None:
    """function_spec(client.get) binds without self, and its class resolves annotations."""
    client = httpx.AsyncClient()
    try:
        spec = function_spec(client.get)
        assert spec.kind is Kind.ASYNC
        assert spec.binding == "method"
        assert spec.qualname == "AsyncClient.get"
        assert spec.signature_text().startswith("AsyncClient.get(url, *, params=..., ")
        assert spec.result_class() is httpx.Response
    finally:
        asyncio.run(client.aclose())


def test_a_bound_class_method_s_spec_drops_cls() -> None:
    """function_spec(Redis.from_url) binds without cls."""
    spec = function_spec(redis.asyncio.Redis.from_url)
    assert spec.binding == "method"
    assert spec.signature_text().startswith("Redis.from_url(url, ")


def test_a_callable_object_s_spec_is_named_after_its_class() -> None:
    """An object with ``__call__`` and no ``__qualname__`` is named by its class."""
    spec = function_spec(functools.partial(zlib.compress, level=1))
    assert spec.qualname == "partial"
    assert spec.kind is Kind.SYNC


def test_an_unhashable_callable_gets_a_spec_each_time() -> None:
    """A callable that cannot be weakly referenced is described, just not cached."""

    class Handler(list[int]):
        def __call__(self, event: str) -> None:
            return None

    handler = Handler()
    spec = function_spec(handler)
    assert spec.kind is Kind.SYNC
    assert function_spec(handler) is not spec


# -------------------------------------------------------------- small helpers


def test_short_qualname_drops_locals() -> None:
    """``test.<locals>.Api`` is shown as ``Api``; objects without names as ``?``."""

    class Api:
        pass

    assert short_qualname(Api) == "Api"
    assert short_qualname(httpx.AsyncClient.get) == "AsyncClient.get"
    assert short_qualname(object()) == "?"


def test_is_class_refuses_parameterised_generics() -> None:
    """``list[int]`` is not a class to spec, ``list`` is."""
    assert is_class(list)
    assert not is_class(list[int])
    assert not is_class(httpx.AsyncClient())


def test_is_instance_of_accepts_any_mock() -> None:
    """Any mock stands in for any class; other values must be instances."""
    from unittest import mock

    assert is_instance_of(1, (int,))
    assert is_instance_of(mock.MagicMock(), (httpx.Response,))
    assert is_instance_of(af.fake(httpx.Response), (httpx.Response,))
    assert not is_instance_of("x", (int,))


def test_type_has_looks_at_the_class() -> None:
    """type_has() looks up special methods on the class, as the language does."""
    assert type_has(httpx.AsyncClient(), "__aenter__")
    assert not type_has(httpx.AsyncClient, "__aenter__")


def test_describe_type_renders_annotations_as_written() -> None:
    """Classes by name, unions with ``|``, generics without module prefixes."""
    assert describe_type(int) == "int"
    assert describe_type(None) == "None"
    assert describe_type(type(None)) == "None"
    assert describe_type(NONE) == "None"
    assert describe_type(Optional[int]) == "int | None"  # noqa: UP045 (what is tested)
    assert describe_type(typing.List[int]) == "List[int]"  # noqa: UP006 (what is tested)
    assert describe_type(AsyncIterator[int]) == "AsyncIterator[int]"
    assert describe_type(Service.Error) == "Service.Error"


def test_suggest_keeps_close_names_best_first() -> None:
    """Up to `limit` names at least 60 % alike, best first."""
    names = ["timeout", "time", "auth", "params", "timeouts", "follow_redirects"]
    assert suggest("timout", names) == ["timeout", "timeouts", "time"]
    assert suggest("timout", names, limit=1) == ["timeout"]
    assert suggest("zzzz", names) == []


def test_an_annotation_cycle_of_wrapped_functions_is_not_followed_forever() -> None:
    """A method whose ``__wrapped__`` points at itself is classified, not unwrapped."""

    def cyclic(self: object) -> int:
        return 1

    cyclic.__wrapped__ = cyclic  # type: ignore[attr-defined]
    holder = type("Holder", (), {"cyclic": cyclic})
    assert member(holder, "cyclic").kind is Kind.SYNC


def test_a_generic_static_factory_returns_an_unknown_type() -> None:
    """``@staticmethod def make() -> T``: T is no parameter's type, the result is not spec'd."""

    class Factory(Generic[T]):
        @staticmethod
        def make() -> T:  # type: ignore[type-var]
            raise NotImplementedError

        def copy(self: U) -> U:  # type: ignore[misc]
            raise NotImplementedError

    assert member(Factory, "make").result_class() is None
    assert member(Factory, "copy").result_class() is Factory


def test_real_engine_begin_enters_a_connection() -> None:
    """SQLAlchemy's AsyncEngine.begin() is an async context manager entering an AsyncConnection."""
    from sqlalchemy.ext.asyncio import AsyncConnection

    begin = member(AsyncEngine, "begin")
    assert begin.kind is Kind.ASYNC_CM
    assert begin.result_class() is AsyncConnection


# ------------------------------------------------- every way to hold a member


class Lease(Startable["Conn"]):
    """Enters a Conn, named by a forward reference to another class of the module."""


class ReadOnly:
    """A non-data descriptor that is not callable: an attribute."""

    def __get__(self, instance: object, owner: type | None = None) -> int:
        return 1


class Commands:
    """redis-py's shape, to bind from: commands follow the client's execute_command."""

    def command(self) -> Union[Awaitable[int], int]:  # noqa: UP007 (what is tested)
        raise NotImplementedError


class PartialEnter:
    """``__aenter__`` is a partialmethod: no code to read, so not known to enter itself."""

    async def _enter(self, mode: str):  # type: ignore[no-untyped-def]
        return self

    __aenter__ = functools.partialmethod(_enter, "rw")

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class Everything:
    """One member for every way a class can hold one."""

    class Pending:
        """Awaitable: annotations naming it make async members (found in the class body)."""

        def __await__(self) -> Any:
            raise NotImplementedError

    class Job:
        """A nested class whose constructor's annotations name module-level classes."""

        def __init__(self, row: Row) -> None:
            self.row = row

    retries = 3
    timeout: float = 5
    base_url: str
    row: Row
    state: Pending
    handler: Optional[Row] = None  # noqa: UP045 (what is tested)
    shout = str.upper
    checksum = zlib.crc32
    parse = functools.partial(int, base=2)
    marker = ReadOnly()
    bound_command = Commands().command
    trailing__ = "kept"

    def __init__(self) -> None:
        self.token = "t"

    async def execute_command(self, *args: object) -> object:
        return None

    def reader(self) -> int:
        return self.never_assigned  # type: ignore[attr-defined,no-any-return]

    def pending(self) -> Pending:
        raise NotImplementedError

    def copy(self) -> typing_extensions.Self:
        raise NotImplementedError

    def command(self) -> Union[Awaitable[int], int]:  # noqa: UP007 (what is tested)
        raise NotImplementedError

    @staticmethod
    def make() -> Pending:
        raise NotImplementedError

    @staticmethod
    def static_command() -> Union[Awaitable[int], int]:  # noqa: UP007 (what is tested)
        raise NotImplementedError

    @staticmethod
    async def ping(host: str) -> bool:
        return True

    @classmethod
    def create(cls) -> Pending:
        raise NotImplementedError

    @classmethod
    async def connect(cls, url: str) -> Everything:
        raise NotImplementedError

    @classmethod
    def class_command(cls) -> Union[Awaitable[int], int]:  # noqa: UP007 (what is tested)
        raise NotImplementedError

    @property
    def awaiting(self) -> Awaiting:
        raise NotImplementedError

    def anything(self) -> Any:
        raise NotImplementedError

    def maybe_row(self) -> Row | None:
        raise NotImplementedError

    def partial_enter(self) -> PartialEnter:
        raise NotImplementedError

    @property
    def status(self) -> Pending:
        raise NotImplementedError

    @property
    async def ready(self) -> Row:
        raise NotImplementedError

    @functools.cached_property
    def cached_status(self) -> Pending:
        raise NotImplementedError

    @types.DynamicClassAttribute
    def dynamic_status(self) -> Pending:
        raise NotImplementedError

    def request(self, method: str, url: str) -> Pending:
        raise NotImplementedError

    get = functools.partialmethod(request, "GET")

    def unannotated_twice(self, flag):  # type: ignore[no-untyped-def]
        if flag:
            return Startable()
        return Startable()

    def unannotated_helper_between(self, flag):  # type: ignore[no-untyped-def]
        if flag:
            return Row()

        def helper():  # type: ignore[no-untyped-def]
            return None

        return Startable()

    def unannotated_lease(self):  # type: ignore[no-untyped-def]
        return Lease()

    def lease(self) -> Lease:
        raise NotImplementedError

    def bare_awaitable(self) -> Awaitable:  # type: ignore[type-arg]
        raise NotImplementedError

    def bare_context(self) -> contextlib.AbstractAsyncContextManager:  # type: ignore[type-arg]
        raise NotImplementedError

    def awaitable_or_row(self) -> Union[Awaitable[Row], Row]:  # noqa: UP007 (what is tested)
        raise NotImplementedError

    def send(self, item: Pending, retries: int = 0) -> None:
        return None


def shape(spec: MemberSpec) -> tuple[object, ...]:
    """What a member spec says, for comparison: names, kind, binding, owner, text, result."""
    return (
        spec.name,
        spec.qualname,
        spec.kind,
        spec.binding,
        spec.owner,
        spec.describe(),
        spec.signature_text(),
        spec.result_class(),
    )


E = Everything
P = Everything.Pending


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("retries", (Kind.ATTRIBUTE, "function", E, "an attribute", "E.retries(...)", int)),
        ("timeout", (Kind.ATTRIBUTE, "function", E, "an attribute", "E.timeout(...)", float)),
        ("base_url", (Kind.ATTRIBUTE, "function", E, "an attribute", "E.base_url(...)", str)),
        ("row", (Kind.ATTRIBUTE, "function", E, "an attribute", "E.row(...)", Row)),
        ("state", (Kind.ATTRIBUTE, "function", E, "an attribute", "E.state(...)", P)),
        ("token", (Kind.ATTRIBUTE, "function", E, "an attribute", "E.token(...)", None)),
        ("marker", (Kind.ATTRIBUTE, "function", E, "an attribute", "E.marker(...)", None)),
        ("shout", (Kind.SYNC, "method", E, "a plain (sync) method", "E.shout()", None)),
        (
            "checksum",
            (
                Kind.SYNC,
                "static",
                E,
                "a plain (sync) method",
                "E.checksum(data, value=..., /)",
                None,
            ),
        ),
        (
            "parse",
            (Kind.SYNC, "static", E, "a plain (sync) method", "E.parse(...)", None),
        ),
        (
            "bound_command",
            (Kind.ASYNC, "static", E, "a method returning an awaitable", "E.bound_command()", int),
        ),
        (
            "pending",
            (Kind.ASYNC, "method", E, "a method returning an awaitable", "E.pending()", None),
        ),
        ("copy", (Kind.SYNC, "method", E, "a plain (sync) method", "E.copy()", E)),
        (
            "command",
            (Kind.ASYNC, "method", E, "a method returning an awaitable", "E.command()", int),
        ),
        ("make", (Kind.ASYNC, "static", E, "a method returning an awaitable", "E.make()", None)),
        (
            "static_command",
            (Kind.ASYNC, "static", E, "a method returning an awaitable", "E.static_command()", int),
        ),
        (
            "ping",
            (Kind.ASYNC, "static", E, "a coroutine method (async def)", "E.ping(host)", bool),
        ),
        ("create", (Kind.ASYNC, "class", E, "a method returning an awaitable", "E.create()", None)),
        (
            "connect",
            (Kind.ASYNC, "class", E, "a coroutine method (async def)", "E.connect(url)", E),
        ),
        (
            "status",
            (
                Kind.AWAITABLE_PROPERTY,
                "function",
                E,
                "a property returning an awaitable",
                "E.status()",
                None,
            ),
        ),
        (
            "ready",
            (
                Kind.AWAITABLE_PROPERTY,
                "function",
                E,
                "a property returning an awaitable",
                "E.ready()",
                Row,
            ),
        ),
        (
            "cached_status",
            (
                Kind.AWAITABLE_PROPERTY,
                "function",
                E,
                "a property returning an awaitable",
                "E.cached_status()",
                None,
            ),
        ),
        (
            "dynamic_status",
            (
                Kind.AWAITABLE_PROPERTY,
                "function",
                E,
                "a property returning an awaitable",
                "E.dynamic_status()",
                None,
            ),
        ),
        ("get", (Kind.ASYNC, "method", E, "a method returning an awaitable", "E.get(url)", None)),
        (
            "unannotated_twice",
            (
                Kind.ASYNC_CM,
                "method",
                E,
                "a method returning an async context manager",
                "E.unannotated_twice(flag)",
                None,
            ),
        ),
        (
            "unannotated_helper_between",
            (
                Kind.SYNC,
                "method",
                E,
                "a plain (sync) method",
                "E.unannotated_helper_between(flag)",
                None,
            ),
        ),
        (
            "unannotated_lease",
            (
                Kind.ASYNC_CM,
                "method",
                E,
                "a method returning an async context manager",
                "E.unannotated_lease()",
                Conn,
            ),
        ),
        (
            "lease",
            (
                Kind.ASYNC_CM,
                "method",
                E,
                "a method returning an async context manager",
                "E.lease()",
                Conn,
            ),
        ),
        (
            "bare_awaitable",
            (
                Kind.ASYNC,
                "method",
                E,
                "a method returning an awaitable",
                "E.bare_awaitable()",
                None,
            ),
        ),
        (
            "bare_context",
            (
                Kind.ASYNC_CM,
                "method",
                E,
                "a method returning an async context manager",
                "E.bare_context()",
                None,
            ),
        ),
        (
            "Pending",
            (Kind.ASYNC, "static", E, "a method returning an awaitable", "E.Pending()", None),
        ),
        (
            "class_command",
            (Kind.ASYNC, "class", E, "a method returning an awaitable", "E.class_command()", int),
        ),
        (
            "awaiting",
            (
                Kind.AWAITABLE_PROPERTY,
                "function",
                E,
                "a property returning an awaitable",
                "E.awaiting()",
                None,
            ),
        ),
        ("anything", (Kind.SYNC, "method", E, "a plain (sync) method", "E.anything()", None)),
        ("maybe_row", (Kind.SYNC, "method", E, "a plain (sync) method", "E.maybe_row()", None)),
        (
            "partial_enter",
            (
                Kind.ASYNC_CM,
                "method",
                E,
                "a method returning an async context manager",
                "E.partial_enter()",
                None,
            ),
        ),
        (
            "awaitable_or_row",
            (
                Kind.ASYNC,
                "method",
                E,
                "a method returning an awaitable",
                "E.awaitable_or_row()",
                Row,
            ),
        ),
    ],
)
def test_every_way_a_class_holds_a_member(name: str, expected: tuple[object, ...]) -> None:
    """Each member's name, kind, binding, owner, description, signature and result class."""
    kind, binding, owner, describe, signature, result = expected
    assert shape(member(Everything, name)) == (
        name,
        f"Everything.{name}",
        kind,
        binding,
        owner,
        describe,
        str(signature).replace("E.", "Everything.", 1),
        result,
    )


def test_annotated_class_values_keep_their_annotation_and_value() -> None:
    """``timeout: float = 5`` is a float (an int passes); ``handler: Row | None = None``."""
    timeout = member(Everything, "timeout")
    assert timeout.value == 5
    assert timeout.result_check() == ((float, int), "float")
    handler = member(Everything, "handler")
    assert handler.value is None
    assert handler.result_check() == ((Row, type(None)), "Row | None")
    retries = member(Everything, "retries")
    assert retries.value == 3
    assert retries.result_check() == ((int,), "int")


def test_a_subclass_resolves_inherited_annotations_in_the_base_s_module() -> None:
    """A subclass of AsyncSession in this module: ``sync_session: Session`` is still Session."""
    from sqlalchemy.orm import Session

    class Mine(AsyncSession):
        pass

    assert member(Mine, "sync_session").result_class() is Session
    assert member(Mine, "close").result_class() is NONE


def test_a_local_class_names_itself_in_its_annotations() -> None:
    """A class defined in a function can name itself and its nested classes in annotations."""

    class Node:
        class Child:
            pass

        parent: Node
        child: Child

        def clone(self) -> Node:
            raise NotImplementedError

        def first(self) -> Child:
            raise NotImplementedError

        def adopt(self, child: Child) -> None:
            return None

    assert member(Node, "parent").result_class() is Node
    assert member(Node, "child").result_class() is Node.Child
    assert member(Node, "clone").result_class() is Node
    assert member(Node, "first").result_class() is Node.Child
    checks = member(Node, "adopt").argument_checks()
    assert checks == [
        ("child", inspect.Parameter.POSITIONAL_OR_KEYWORD, (Node.Child,), "Node.Child")
    ]


def test_a_local_context_entering_itself_by_a_forward_reference() -> None:
    """``class Tx(Startable["Tx"])`` defined in a function: "Tx" is found in its own body."""

    class LocalTx(Startable["LocalTx"]):
        pass

    def begin(self: object) -> Any:
        raise NotImplementedError

    begin.__annotations__["return"] = LocalTx
    holder = type("Holder", (), {"begin": begin})
    assert member(holder, "begin").kind is Kind.SYNC
    assert member(holder, "begin").result_class() is LocalTx


def test_argument_checks_resolve_names_of_the_class_body() -> None:
    """``item: Pending`` names a nested class: it is checked."""
    checks = member(Everything, "send").argument_checks()
    assert checks == [
        (
            "item",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            (Everything.Pending,),
            "Everything.Pending",
        ),
        ("retries", inspect.Parameter.POSITIONAL_OR_KEYWORD, (int,), "int"),
    ]


def test_a_nested_class_s_constructor_is_checked_with_module_names() -> None:
    """``Everything.Job(row)``: the constructor's ``row: Row`` is checked."""
    job = member(Everything, "Job")
    assert job.signature_text() == "Everything.Job(row)"
    assert job.argument_checks() == [
        ("row", inspect.Parameter.POSITIONAL_OR_KEYWORD, (Row,), "Row")
    ]
    assert member(Everything, "maybe_row").result_check() == ((Row, type(None)), "Row | None")


def test_signatures_leave_out_annotations() -> None:
    """The signature of a member has no annotations (they may name the class)."""
    assert str(member(Everything, "send").signature) == "(item, retries=0)"
    assert str(member(httpx.AsyncClient, "aclose").signature) == "()"


def test_reading_an_attribute_does_not_declare_it() -> None:
    """``return self.never_assigned`` reads a name: it is not an attribute of the class."""
    spec = ClassSpec(Everything)
    assert spec.has("token")
    assert not spec.has("never_assigned")
    assert not spec.has("reader_result")


def test_names_assigned_after_static_methods_and_read_only_properties_are_found() -> None:
    """Static methods and properties without setters do not stop the search."""

    class Late:
        @staticmethod
        def make() -> None:
            return None

        @property
        def size(self) -> int:
            return 1

        @classmethod
        def build(cls) -> None:
            return None

        def start(self) -> None:
            self.started = True

    assert ClassSpec(Late).has("started")


def test_public_names_keep_names_that_only_end_with_underscores() -> None:
    """``trailing__`` is not a dunder name."""
    names = ClassSpec(Everything).public_names()
    assert "trailing__" in names
    assert "__init__" not in names


def test_unannotated_attrs_fields_without_init_are_declared_by_attrs_only() -> None:
    """``x = attrs.field()`` with init=False: only attrs' field list declares it."""

    @attrs.define(slots=False, init=False)
    class Legacy:
        name = attrs.field(default="anon")

    spec = ClassSpec(Legacy)
    assert "name" in spec.names
    assert member(Legacy, "name").value == "anon"


def test_a_dataclass_field_holding_a_function_is_not_an_attribute_value() -> None:
    """A field defaulting to a function is a member to call, whose value is not recorded."""

    @dataclasses.dataclass
    class Hooks:
        on_event: Any = print

    hook = member(Hooks, "on_event")
    assert hook.kind is Kind.SYNC
    assert hook.value is inspect.Parameter.empty


def test_an_instance_spec_keeps_knowing_the_class_is_callable() -> None:
    """with_instance() of a callable class's instance: calling it is still described."""

    class Handler:
        async def __call__(self, event: str) -> None:
            return None

    base = ClassSpec(Handler)
    assert base.call is not None
    spec = base.with_instance(Handler())
    call = spec.call
    assert call is not None
    assert call.kind is Kind.ASYNC


def test_an_instance_attribute_holding_a_command_follows_execute_command() -> None:
    """An instance's callable annotated ``Awaitable[T] | T`` is async on an async client."""

    def command() -> Union[Awaitable[int], int]:  # noqa: UP007 (what is tested)
        raise NotImplementedError

    real = Everything()
    real.extra = command  # type: ignore[attr-defined]
    extra = ClassSpec(Everything).with_instance(real).member("extra")
    assert extra is not None
    assert (extra.name, extra.qualname, extra.kind) == ("extra", "Everything.extra", Kind.ASYNC)
    token = ClassSpec(Everything).with_instance(real).member("token")
    assert token is not None
    assert (token.name, token.qualname, token.value) == ("token", "Everything.token", "t")


def test_member_specs_do_not_keep_their_class_alive() -> None:
    """A member spec outliving its class sees no owner (references to classes are weak)."""
    import gc
    import weakref

    def make() -> tuple[MemberSpec, weakref.ref[type]]:
        cls = type("Temporary", (), {"run": lambda self: None, "Inner": type("Inner", (), {})})
        spec = ClassSpec(cls)
        run, inner = spec.member("run"), spec.member("Inner")
        assert run is not None
        assert inner is not None
        assert run.owner is cls
        return run, weakref.ref(cls)

    run, ref = make()
    gc.collect()
    assert ref() is None
    assert run.owner is None


def test_a_class_spec_knows_its_names() -> None:
    """name, qualname and full_name of a nested class."""
    spec = ClassSpec(Everything.Pending)
    assert (spec.name, spec.qualname) == ("Pending", "Everything.Pending")
    assert spec.full_name == f"{__name__}.Everything.Pending"


def test_a_positional_only_parameter_is_refused_by_keyword_when_binding() -> None:
    """``def call(self, a, /)``: ``call(a=1)`` is refused, as Python refuses it."""

    class Api:
        def call(self, a, /, b=2):  # type: ignore[no-untyped-def]
            return None

    with pytest.raises(TypeError) as caught:
        member(Api, "call").bind((), {"a": 1})
    assert str(caught.value) == (
        "Api.call() got some positional-only arguments passed as keyword arguments: 'a'"
    )


def test_function_specs_of_bound_methods_use_their_class() -> None:
    """A bound method's class resolves its annotations and its execute_command."""
    instance = Everything()
    assert function_spec(instance.command).kind is Kind.ASYNC
    assert function_spec(instance.pending).kind is Kind.ASYNC
    assert function_spec(Everything.create).kind is Kind.ASYNC
    assert function_spec(Everything.create).binding == "method"
    assert function_spec(redis.asyncio.Redis().get).kind is Kind.ASYNC
    assert function_spec(redis.Redis().get).kind is Kind.SYNC

    def plain(x: int) -> int:
        return x

    assert function_spec(plain).binding == "function"
    assert function_spec(plain).owner is None


def test_is_instance_of_accepts_mocks_only_not_other_unittest_mock_objects() -> None:
    """A sentinel comes from unittest.mock too, but is no mock: it is not any class."""
    from unittest import mock

    assert not is_instance_of(mock.sentinel.value, (int,))
    assert is_instance_of(mock.NonCallableMagicMock(), (int,))
