"""af.spy: the real attribute runs, calls land in the core, the attribute looks unchanged."""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

import asyncfakes as af
from _sites import here


class Repository:
    """A real class with every kind of method."""

    def __init__(self, name: str = "db") -> None:
        self.name = name

    async def save(self, item: str, *, upsert: bool = False) -> str:
        await asyncio.sleep(0)
        return f"{self.name} saved {item}{' (upsert)' if upsert else ''}"

    def count(self) -> int:
        return 42

    async def fail(self) -> None:
        raise ConnectionError("database is down")

    @classmethod
    def create(cls, name: str) -> Repository:
        return cls(name)

    @staticmethod
    def normalize(name: str) -> str:
        return name.strip().lower()

    async def rows(self, limit: int) -> AsyncIterator[int]:
        for number in range(limit):
            yield number


class Archive(Repository):
    """Inherits everything."""


@pytest.fixture(autouse=True)
def _no_spy_left() -> Iterator[None]:
    af.journal().clear()
    yield
    af.patch.stopall()
    af.journal().clear()


async def test_an_async_method_runs_for_real_and_is_recorded() -> None:
    """It records args (without self), the awaited result and the call site."""
    spy = af.spy(Repository, "save")
    site = here(1)
    assert await Repository("pg").save("ada", upsert=True) == "pg saved ada (upsert)"
    af.verify(spy).awaited_once_with("ada", upsert=True)
    (record,) = af.calls(spy)
    assert (record.name, record.outcome, record.result) == (
        "Repository.save",
        "returned",
        "pg saved ada (upsert)",
    )
    assert record.site == site
    assert record.ended_at is not None
    assert record.ended_at >= record.started_at


async def test_calls_through_the_class_with_an_explicit_self_are_recorded_the_same() -> None:
    """It records `Repository.save(repo, x)` as `save(x)`, as wrapt binds it."""
    spy = af.spy(Repository, "save")
    assert await Repository.save(Repository("pg"), "ada") == "pg saved ada"
    af.verify(spy).awaited_once_with("ada")


async def test_the_spied_attribute_keeps_its_signature_and_inspect_answers() -> None:
    """It leaves inspect.signature, iscoroutinefunction, isasyncgenfunction and ismethod as they were."""

    def answers() -> list[object]:
        repository = Repository()
        return [
            str(inspect.signature(Repository.save)),
            str(inspect.signature(repository.save)),
            inspect.iscoroutinefunction(Repository.save),
            inspect.iscoroutinefunction(repository.save),
            inspect.ismethod(repository.save),
            inspect.isasyncgenfunction(repository.rows),
            str(inspect.signature(Repository.create)),
            str(inspect.signature(repository.normalize)),
            Repository.save.__name__,
            Repository.save.__qualname__,
        ]

    before = answers()
    for name in ("save", "rows", "create", "normalize"):
        af.spy(Repository, name)
    assert answers() == before


def test_class_and_static_methods_bind_as_before() -> None:
    """It keeps classmethod and staticmethod binding, through the class and an instance."""
    create = af.spy(Repository, "create")
    normalize = af.spy(Archive, "normalize")
    assert Archive.create("x").name == "x"
    assert isinstance(Archive.create("x"), Archive)
    assert Archive().normalize(" A ") == Archive.normalize(" B ").upper().replace("B", "a")
    assert [record.args for record in af.calls(create)] == [("x",), ("x",)]
    assert [record.args for record in af.calls(normalize)] == [(" A ",), (" B ",)]


async def test_an_exception_is_recorded_and_raised() -> None:
    """It records the exception the real method raised and lets it through."""
    spy = af.spy(Repository, "fail")
    with pytest.raises(ConnectionError, match=r"^database is down$"):
        await Repository().fail()
    (record,) = af.calls(spy)
    assert record.outcome == "raised"
    assert isinstance(record.exception, ConnectionError)


async def test_timing_and_concurrency_land_in_the_core() -> None:
    """It records loop-time start and end, and how many calls were in flight at once."""

    class Slow:
        async def work(self) -> None:
            await asyncio.sleep(0.02)

    spy = af.spy(Slow, "work")
    await asyncio.gather(*(Slow().work() for _ in range(3)))
    assert af.max_concurrency(spy) == 3
    for record in af.calls(spy):
        assert record.ended_at is not None
        assert record.ended_at - record.started_at >= 0.015


async def test_a_wrong_call_fails_at_call_time_with_the_real_error() -> None:
    """It raises the real function's TypeError when called, before anything is awaited."""
    spy = af.spy(Repository, "save")
    repository = Repository()
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'item'$"):
        repository.save()  # type: ignore[call-arg]
    (record,) = af.calls(spy)
    assert (record.outcome, record.awaited) == ("raised", False)


def test_a_sync_exception_is_recorded_and_raised() -> None:
    """It records the exception a spied sync method raised."""

    class Parser:
        def parse(self, text: str) -> int:
            return int(text)

    spy = af.spy(Parser, "parse")
    with pytest.raises(ValueError, match=r"invalid literal"):
        Parser().parse("x")
    (record,) = af.calls(spy)
    assert record.outcome == "raised"
    assert isinstance(record.exception, ValueError)


async def test_a_signature_that_says_less_than_the_function_takes_is_not_enforced() -> None:
    """It lets the real function decide: a call its declared signature refuses still runs."""

    class Loose:
        async def run(self, *args: int) -> tuple[int, ...]:
            return args

    Loose.run.__signature__ = inspect.Signature()  # type: ignore[attr-defined]
    spy = af.spy(Loose, "run")
    assert await Loose().run(1, 2) == (1, 2)
    assert af.calls(spy)[0].result == (1, 2)


async def test_an_async_generator_called_wrongly_fails_with_the_real_error() -> None:
    """It raises the real TypeError of a bad call to a spied async generator, and records it."""
    spy = af.spy(Repository, "rows")
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'limit'$"):
        Repository().rows()  # type: ignore[call-arg]
    assert af.calls(spy)[0].outcome == "raised"


async def test_an_async_generator_records_the_items_it_yielded() -> None:
    """It passes the items through and records them as the call's result."""
    spy = af.spy(Repository, "rows")
    assert [row async for row in Repository().rows(3)] == [0, 1, 2]
    (record,) = af.calls(spy)
    assert (record.args, record.outcome, record.result) == ((3,), "returned", [0, 1, 2])
    assert inspect.isasyncgen(Repository().rows(1))


async def test_an_async_generator_closed_early_records_what_it_yielded() -> None:
    """It records an iteration closed before its end as cancelled, with the items so far."""
    spy = af.spy(Repository, "rows")
    rows = Repository().rows(10)
    assert [await rows.__anext__(), await rows.__anext__()] == [0, 1]
    await rows.aclose()
    (record,) = af.calls(spy)
    assert (record.outcome, record.result) == ("cancelled", [0, 1])


async def test_an_async_generator_receives_asend_and_athrow() -> None:
    """It forwards asend() and athrow() to the real generator."""

    class Echo:
        async def run(self) -> Any:
            received = None
            while True:
                try:
                    received = yield received
                except KeyError:
                    yield "handled"

    spy = af.spy(Echo, "run")
    generator = Echo().run()
    assert await generator.asend(None) is None
    assert await generator.asend("hi") == "hi"
    assert await generator.athrow(KeyError("k")) == "handled"
    await generator.aclose()
    assert af.calls(spy)[0].result == [None, "hi", "handled"]


def test_a_sync_method_and_a_module_function() -> None:
    """It records sync calls; verify() refuses the awaited checks for a sync spy."""
    count = af.spy(Repository, "count")
    dumps = af.spy(json, "dumps")
    assert Repository().count() == 42
    assert json.dumps({"a": 1}) == '{"a": 1}'
    af.verify(count).called_once_with()
    af.verify(dumps).called_once_with({"a": 1})
    assert af.calls(dumps)[0].result == '{"a": 1}'
    with pytest.raises(TypeError, match=r"sync fake and is never awaited"):
        af.verify(count).awaited()


def test_a_spy_on_one_instance_leaves_other_instances_alone() -> None:
    """It spies on one object: other instances are not recorded, and its __dict__ is restored."""
    watched, other = Repository(), Repository()
    spy = af.spy(watched, "count")
    watched.count()
    other.count()
    assert len(af.calls(spy)) == 1
    spy.stop()
    assert vars(watched) == {"name": "db"}


def test_calling_the_spy_calls_the_real_attribute() -> None:
    """It runs the spied attribute when the spy itself is called (recorded with the caller's line)."""
    spy = af.spy(Repository, "normalize")
    site = here(1)
    assert spy(" Ada ") == "ada"
    assert af.calls(spy)[0].site == site
    assert spy.original is Repository.normalize.__wrapped__
    assert repr(spy) == "<Spy Repository.normalize: 1 call>"


async def test_a_spied_call_never_awaited_is_reported_and_closed() -> None:
    """It lets the Sandbox report a forgotten await of a spied method, with no late warning."""
    sites: list[str] = []

    def forget_an_await() -> None:
        with af.Sandbox() as sb:
            sb.spy(Repository, "save")
            sites.append(here(1))
            Repository().save("ada")  # the bug: no await

    with pytest.raises(af.VerificationError) as info:
        forget_an_await()
    (site,) = sites
    assert str(info.value) == (
        "1 call to a spied async function was never awaited (a missing `await`?):\n"
        f"  1. Repository.save('ada')  at {site}\n"
        "Await each call (or pass it to asyncio.create_task); "
        "the never-awaited coroutines have been closed."
    )


async def test_forgotten_awaits_name_whose_calls_they_were() -> None:
    """It says spied functions, async fakes, or both, after how many callees there were."""
    af.spy(Repository, "save")
    af.spy(Repository, "fail")

    def call_in_a_sandbox(calls: tuple[Callable[[], object], ...]) -> None:
        with af.Sandbox():
            for call in calls:
                call()

    def forget(*calls: Callable[[], object]) -> str:
        with pytest.raises(af.VerificationError) as info:
            call_in_a_sandbox(calls)
        return str(info.value).splitlines()[0]

    fetch, store = af.AsyncFake(name="fetch"), af.AsyncFake(name="store")
    repository = Repository()
    assert forget(fetch, fetch) == (
        "2 calls to an async fake were never awaited (a missing `await`?):"
    )
    assert forget(fetch, store) == "2 calls to async fakes were never awaited (a missing `await`?):"
    assert forget(repository.fail, Repository("archive").fail) == (
        "2 calls to a spied async function were never awaited (a missing `await`?):"
    )
    assert forget(repository.fail, functools.partial(repository.save, "a")) == (
        "2 calls to spied async functions were never awaited (a missing `await`?):"
    )
    assert forget(repository.fail, fetch) == (
        "2 calls to async fakes and spied async functions were never awaited (a missing `await`?):"
    )


def test_a_spy_through_a_subclass_leaves_no_trace() -> None:
    """It removes the spy from the subclass it was put on, and the base never changes."""
    before = (dict(vars(Archive)), dict(vars(Repository)))
    spy = af.spy(Archive, "count")
    Repository().count()
    Archive().count()
    assert len(af.calls(spy)) == 1
    spy.stop()
    assert (dict(vars(Archive)), dict(vars(Repository))) == before


def test_a_patch_over_a_spy_undoes_in_order() -> None:
    """It stacks a patch over a spy and undoes both in order."""
    original = vars(Repository)["count"]
    spy = af.spy(Repository, "count")
    with af.patch.object(Repository, "count", new=lambda: 0):
        assert Repository.count() == 0
    assert Repository().count() == 42
    assert len(af.calls(spy)) == 1
    spy.stop()
    assert vars(Repository)["count"] is original


async def test_a_default_patch_over_a_spy_is_spec_d_from_the_real_method() -> None:
    """It specs a patch applied over a spy from the method the spy wraps."""
    af.spy(Repository, "save")
    with af.patch.object(Repository, "save") as save:
        assert isinstance(save, af.AsyncFake)
        with pytest.raises(TypeError, match=r"unexpected keyword argument 'upsrt'"):
            await Repository().save("a", upsrt=True)


def test_a_spy_stopped_below_a_patch_stops_recording() -> None:
    """It stops recording once stopped, even while a later patch still wraps it."""
    spy = af.spy(Repository, "count")
    later = af.spy(Repository, "count")
    spy.stop()
    Repository().count()
    assert (len(af.calls(spy)), len(af.calls(later))) == (0, 1)
    later.stop()
    assert inspect.isfunction(vars(Repository)["count"])


async def test_a_spy_on_a_real_http_client_sees_the_requests() -> None:
    """It spies on httpx.AsyncClient.send while a mock transport answers: real code runs."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    send = af.spy(httpx.AsyncClient, "send")
    async with httpx.AsyncClient(transport=transport, base_url="https://api") as client:
        response = await client.get("/users/1")
    assert response.json() == {"ok": True}
    (record,) = af.calls(send)
    assert record.args[0].url == httpx.URL("https://api/users/1")
    assert record.result is response


# -- bad input ----------------------------------------------------------------------


def test_a_spy_on_something_that_is_not_callable() -> None:
    """It refuses to spy on a value and says what to use instead."""
    with pytest.raises(TypeError) as info:
        af.spy(Repository, "__doc__")
    assert str(info.value) == (
        "af.spy(Repository, '__doc__'): Repository.__doc__ is a str, not a callable; a spy "
        "records calls. To replace a value, use af.patch.object(Repository, '__doc__', new=...)."
    )


def test_a_spy_on_a_property_is_refused() -> None:
    """It refuses a property (not callable) with the same message."""

    class Config:
        @property
        def url(self) -> str:
            return "x"

    with pytest.raises(TypeError, match=r"Config.url is a property, not a callable; "):
        af.spy(Config, "url")


def test_a_spy_on_a_missing_attribute_suggests_names() -> None:
    """It names the class and the close names."""
    with pytest.raises(AttributeError) as info:
        af.spy(Repository, "sav")
    assert str(info.value) == (
        "af.spy(Repository, 'sav'): class 'Repository' has no attribute 'sav'. Did you mean 'save'?"
    )


def test_stopping_a_spy_twice() -> None:
    """It refuses a second stop()."""
    spy = af.spy(Repository, "count")
    spy.stop()
    with pytest.raises(RuntimeError) as info:
        spy.stop()
    assert str(info.value) == (
        "af.spy(Repository, 'count'): stop() called on a spy that is already stopped. "
        "A spy is stopped once."
    )


def test_stopall_removes_spies() -> None:
    """It removes spies no Sandbox owns."""
    original = vars(Repository)["count"]
    af.spy(Repository, "count")
    af.patch.stopall()
    assert vars(Repository)["count"] is original


class Mailer:
    """Real code with a sync, an async and an async generator method."""

    def normalize(self, address: str, strict: bool = False) -> str:
        return address.lower()

    async def send(self, to: str, body: str = "") -> str:
        return f"sent {body!r} to {to}"

    async def outbox(self, limit: int):  # type: ignore[no-untyped-def]
        for index in range(limit):
            yield index


async def test_spied_calls_are_verified_on_their_bound_arguments() -> None:
    """verify() matches a spied call by position or keyword, defaults included, as for fakes."""
    mailer = Mailer()
    with af.Sandbox() as sb:
        normalize = sb.spy(mailer, "normalize")
        send = sb.spy(Mailer, "send")
        outbox = sb.spy(Mailer, "outbox")
        assert mailer.normalize(address="A@X") == "a@x"
        assert await mailer.send(to="ada", body="hi") == "sent 'hi' to ada"
        assert [item async for item in mailer.outbox(limit=2)] == [0, 1]
    af.verify(normalize).called_once_with("A@X")
    af.verify(normalize).called_once_with("A@X", strict=False)
    af.verify(send).awaited_once_with("ada", "hi")
    af.verify(outbox).called_once_with(2)
    bound = af.calls(normalize)[0].bound
    assert bound is not None
    assert bound.arguments == {"address": "A@X", "strict": False}


def test_a_spied_call_that_does_not_fit_the_signature_is_not_bound() -> None:
    """The real function words the error; the record keeps the arguments as passed."""
    mailer = Mailer()
    with af.Sandbox() as sb:
        normalize = sb.spy(mailer, "normalize")
        with pytest.raises(TypeError):
            mailer.normalize()  # type: ignore[call-arg]
    (call,) = af.calls(normalize)
    assert (call.bound, call.outcome) == (None, "raised")
