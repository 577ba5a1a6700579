"""Members whose result is both awaitable and async-iterable: asyncpg's ``conn.cursor()``.

``Connection.cursor()`` returns a `CursorFactory`: ``await`` on it gives a
cursor, ``async for`` over it (inside a transaction) gives the rows. A spec'd
fake's call returns an `AwaitableIterator` that accepts both; `when()` sets
the items with ``yields`` and the awaited value with ``returns``. The same
holds for any class that defines ``__await__`` and ``__aiter__``.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterable, AsyncIterator, Generator, Iterator
from typing import Any, Generic, TypeVar
from unittest.mock import ANY

import asyncpg
import asyncpg.cursor
import pytest
from typing_extensions import Self

import asyncfakes as af
from _sites import here
from asyncfakes._errors import SpecTypeError, UnstubbedCallError
from asyncfakes._spec import NONE, Kind, class_spec, function_spec
from asyncfakes._specfake import AwaitableIterator

T = TypeVar("T")
S = TypeVar("S", bound="SelfTyped")


class Reports:
    """A repository as it is written against asyncpg: a server-side cursor in a transaction."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def totals(self, since: int) -> dict[str, int]:
        totals: dict[str, int] = {}
        async with self.conn.transaction():
            async for row in self.conn.cursor(
                "SELECT region, amount FROM sales WHERE day >= $1", since, prefetch=100
            ):
                totals[row["region"]] = totals.get(row["region"], 0) + row["amount"]
        return totals

    async def first(self, count: int) -> list[Any]:
        async with self.conn.transaction():
            cursor = await self.conn.cursor("SELECT * FROM sales")
            rows: list[Any] = await cursor.fetch(count)
            return rows


# ------------------------------------------------------------ with asyncpg


def test_connection_cursor_is_an_awaitable_async_iterable() -> None:
    """asyncpg's cursor() returns a CursorFactory, which defines __await__ and __aiter__."""
    assert hasattr(asyncpg.cursor.CursorFactory, "__await__")
    assert hasattr(asyncpg.cursor.CursorFactory, "__aiter__")
    member = class_spec(asyncpg.Connection).member("cursor")
    assert member is not None
    assert member.kind is Kind.AWAITABLE_ITER
    assert member.is_callable
    assert member.describe() == "a method returning an awaitable async iterable"
    assert repr(member) == "<MemberSpec Connection.cursor awaitable_iter>"
    assert member.item_check() is None  # asyncpg declares no row type
    plain = class_spec(asyncpg.Connection).member("is_closed")
    assert plain is not None
    assert plain.item_check() is None  # a plain method gives no items


async def test_a_repository_iterates_a_stubbed_cursor_inside_a_transaction() -> None:
    """yields() sets the rows `async for` gives; the iteration is recorded inside the transaction."""
    conn = af.fake(asyncpg.Connection)
    rows = [{"region": "eu", "amount": 3}, {"region": "us", "amount": 4}]
    af.when(conn.cursor).yields(*rows, {"region": "eu", "amount": 5})
    assert await Reports(conn).totals(7) == {"eu": 8, "us": 4}
    (call,) = af.calls(conn.cursor)
    assert call.bound is not None
    assert call.bound.arguments == {
        "query": "SELECT region, amount FROM sales WHERE day >= $1",
        "args": (7,),
        "prefetch": 100,
        "timeout": None,
        "record_class": None,
    }
    (transaction,) = af.calls(conn.transaction)
    assert call.inside == (transaction.result,)
    result = call.result
    assert isinstance(result, AwaitableIterator)
    (iteration,) = af.calls(result)
    assert iteration.name == "Connection.cursor()"
    assert iteration.outcome == "returned"
    assert iteration.result == [*rows, {"region": "eu", "amount": 5}]
    assert iteration.inside == (transaction.result,)
    assert result.consumed == 3
    assert result.awaits == 0


async def test_rows_follow_the_query_with_called_with() -> None:
    """called_with() rules bind to asyncpg's signature, so each query gets its own rows."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.cursor).yields({"region": "all", "amount": 1})
    af.when(conn.cursor).called_with(
        "SELECT region, amount FROM sales WHERE day >= $1", 7, prefetch=100
    ).yields({"region": "eu", "amount": 2})
    reports = Reports(conn)
    assert await reports.totals(7) == {"eu": 2}
    assert await reports.totals(8) == {"all": 1}


async def test_an_unstubbed_cursor_iterates_nothing_and_awaits_a_fake() -> None:
    """Unstubbed, `async for` gives no rows (as an async generator member) and `await` a fake."""
    conn = af.fake(asyncpg.Connection)
    assert await Reports(conn).totals(1) == {}
    async with conn.transaction():
        cursor = await conn.cursor("SELECT 1")
    # asyncpg does not annotate CursorFactory.__await__: the cursor is an unspec'd fake, the
    # same for every call, as an AsyncMock's return_value.
    assert cursor is conn.cursor.return_value
    assert await conn.cursor("SELECT 2") is cursor
    assert isinstance(cursor, af.MagicFake)
    assert repr(cursor).startswith("<MagicFake name='Connection.cursor()' ")


async def test_returns_sets_what_awaiting_the_cursor_gives() -> None:
    """returns() sets the awaited cursor, so a repository that awaits cursor() gets it."""
    conn = af.fake(asyncpg.Connection)
    cursor = af.fake(asyncpg.cursor.Cursor)
    af.when(cursor.fetch).returns([{"id": 1}])
    af.when(conn.cursor).returns(cursor)
    assert await Reports(conn).first(10) == [{"id": 1}]
    af.verify(cursor.fetch).awaited_once_with(10)
    result = af.calls(conn.cursor)[0].result
    (awaited,) = af.calls(result)
    assert awaited.awaited
    assert awaited.outcome == "returned"
    assert awaited.result is cursor
    assert result.awaits == 1


async def test_iterating_a_cursor_stubbed_with_returns_is_refused() -> None:
    """`async for` over a result whose stub set only the awaited value explains the fix."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.cursor).called_with("SELECT 1").returns("cursor")
    af.when(conn.cursor).called_with("SELECT 2", timeout=ANY).runs(
        lambda query, *args, **kwargs: query
    )
    with pytest.raises(TypeError) as caught:
        async for _ in conn.cursor("SELECT 1"):
            pass  # pragma: no cover - refused
    assert str(caught.value) == (
        "`async for` over Connection.cursor('SELECT 1'), which was stubbed with returns(...): "
        "that sets what `await` gives, not the items. Stub them with "
        "af.when(Connection.cursor).called_with('SELECT 1').yields(...)."
    )
    with pytest.raises(TypeError) as caught:
        async for _ in conn.cursor("SELECT 2", timeout=3):
            pass  # pragma: no cover - refused
    assert str(caught.value) == (
        "`async for` over Connection.cursor('SELECT 2', timeout=3), which was stubbed with "
        "runs(...): that sets what `await` gives, not the items. Stub them with "
        "af.when(Connection.cursor).called_with('SELECT 2', timeout=3).yields(...)."
    )
    assert await conn.cursor("SELECT 2") == "SELECT 2"


async def test_raises_fails_both_the_await_and_the_iteration() -> None:
    """raises() makes `await` and `async for` raise; after yields() it ends the rows instead."""
    conn = af.fake(asyncpg.Connection)
    error = asyncpg.exceptions.NoActiveSQLTransactionError("outside")
    af.when(conn.cursor).raises(error)
    with pytest.raises(asyncpg.exceptions.NoActiveSQLTransactionError):
        await conn.cursor("SELECT 1")
    with pytest.raises(asyncpg.exceptions.NoActiveSQLTransactionError):
        async for _ in conn.cursor("SELECT 1"):
            pass  # pragma: no cover - raises at once
    af.when(conn.cursor).yields(1, 2).raises(ConnectionResetError)
    seen: list[object] = []
    with pytest.raises(ConnectionResetError):
        await collect(conn.cursor("SELECT 1"), seen)
    assert seen == [1, 2]
    # The error ends the rows: awaiting the same outcome gives the default cursor.
    assert await conn.cursor("SELECT 1") is conn.cursor.return_value
    awaited = af.calls(af.calls(conn.cursor)[0].result)[0]
    assert awaited.outcome == "raised"
    assert awaited.exception is error


async def test_hangs_blocks_the_await_and_the_iteration_until_cancelled() -> None:
    """hangs() never completes either use; cancelling records the call as cancelled."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.cursor).hangs()
    result = conn.cursor("SELECT 1")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(result, 0.01)

    async def rows() -> list[Any]:
        return [row async for row in conn.cursor("SELECT 1")]

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(rows(), 0.01)
    iteration = af.calls(af.calls(conn.cursor)[1].result)[0]
    assert [call.outcome for call in af.calls(result)] == ["cancelled"]
    assert iteration.outcome == "cancelled"


async def test_after_delays_the_await_and_the_rows() -> None:
    """after(s) waits s seconds of loop time before the awaited value, the rows, or the default."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.cursor).called_with("a").after(3).returns("cursor")
    af.when(conn.cursor).called_with("b").after(2).yields(1, 2)
    af.when(conn.cursor).called_with("c").after(4)
    af.when(conn.cursor).called_with("d").after(5).raises(TimeoutError)
    async with af.virtual_time() as clock:
        assert await conn.cursor("a") == "cursor"
        assert clock.now() == pytest.approx(3)
        assert [row async for row in conn.cursor("b")] == [1, 2]
        assert clock.now() == pytest.approx(7)
        assert await conn.cursor("b") is conn.cursor.return_value
        assert clock.now() == pytest.approx(9)
        assert await conn.cursor("c") is conn.cursor.return_value
        assert [row async for row in conn.cursor("c")] == []
        assert clock.now() == pytest.approx(17)
        with pytest.raises(TimeoutError):
            await conn.cursor("d")
        assert clock.now() == pytest.approx(22)


async def test_a_stubbed_awaitable_async_iterable_is_handed_out_as_it_is() -> None:
    """A value that is itself awaitable and async-iterable (another fake's cursor()) is the result."""
    conn = af.fake(asyncpg.Connection)
    other = af.fake(asyncpg.Connection)
    af.when(other.cursor).yields("row")
    factory = other.cursor("SELECT 1")
    af.when(conn.cursor).called_with("a").returns(factory)
    af.when(conn.cursor).called_with("b").runs(lambda query: factory)
    assert conn.cursor("a") is factory
    assert conn.cursor("b") is factory
    assert [row async for row in conn.cursor("a")] == ["row"]


async def test_a_stubbed_awaitable_async_iterable_waits_out_after() -> None:
    """after(s).returns(factory) waits s seconds before awaiting or iterating the factory."""
    conn = af.fake(asyncpg.Connection)
    factory = Ready()
    af.when(conn.cursor).after(2).returns(factory)
    async with af.virtual_time() as clock:
        result = conn.cursor("SELECT 1")
        assert repr(result) == f"<stubbed awaitable async iterable {factory!r}>"
        assert await result == "cursor"
        assert clock.now() == pytest.approx(2)
        assert [row async for row in conn.cursor("SELECT 1")] == ["row"]
        assert clock.now() == pytest.approx(4)


async def test_each_await_of_the_result_is_a_call_at_the_awaiting_line() -> None:
    """It records every await of a cursor() result as a call of its own, and counts them."""
    conn = af.fake(asyncpg.Connection)
    result = conn.cursor("SELECT 1")
    first = here(1)
    await result
    second = here(1)
    await result
    assert isinstance(result, AwaitableIterator)
    assert result.awaits == 2
    records = af.calls(result)
    assert [(r.target is result, r.args, r.kwargs, r.site) for r in records] == [
        (True, (), {}, first),
        (True, (), {}, second),
    ]
    assert [(r.name, r.awaited, r.outcome) for r in records] == [
        ("Connection.cursor()", True, "returned")
    ] * 2


class Ready:
    """A real awaitable async iterable: awaiting gives "cursor", iterating gives "row"."""

    def __await__(self) -> Generator[Any, None, str]:
        return "cursor"
        yield  # a generator: completes at once

    async def __aiter__(self) -> AsyncIterator[str]:
        yield "row"


async def collect(rows: AsyncIterable[object], into: list[object]) -> None:
    """Append each row to `into` (kept when the iteration fails)."""
    async for row in rows:
        into.append(row)


def test_runs_refuses_a_coroutine_function() -> None:
    """runs(async_function) is refused: iterating the result would leave its coroutine un-awaited."""
    conn = af.fake(asyncpg.Connection)

    async def open_cursor(query: str) -> str:
        return query  # pragma: no cover - refused

    with pytest.raises(SpecTypeError) as caught:
        af.when(conn.cursor).runs(open_cursor)
    assert str(caught.value) == (
        "af.when(Connection.cursor).runs(open_cursor): Connection.cursor is a method returning "
        "an awaitable async iterable; its result is made at the call, and a coroutine "
        "function's coroutine would never be awaited when the result is iterated. Use "
        ".yields(...) to set the items `async for` gives, or .returns(...) to set what `await` "
        "gives."
    )


def test_enters_is_refused_with_the_verbs_that_fit() -> None:
    """enters() on cursor() is refused, naming what cursor() is and both verbs that fit."""
    conn = af.fake(asyncpg.Connection)
    with pytest.raises(SpecTypeError) as caught:
        af.when(conn.cursor).enters("cursor")
    assert str(caught.value) == (
        "af.when(Connection.cursor).enters('cursor'): Connection.cursor is a method returning an "
        "awaitable async iterable; enters() is for members that return an async context "
        "manager. Use .yields(...) to set the items `async for` gives, or .returns(...) to set "
        "what `await` gives."
    )


def test_yields_on_a_coroutine_method_is_still_refused() -> None:
    """yields() stays refused on a member that is only awaitable (asyncpg's fetch())."""
    conn = af.fake(asyncpg.Connection)
    with pytest.raises(SpecTypeError) as caught:
        af.when(conn.fetch).yields({"id": 1})
    assert str(caught.value) == (
        "af.when(Connection.fetch).yields({'id': 1}): Connection.fetch is a coroutine method "
        "(async def); yields() is for async generator members. Use .returns(...) to set what "
        "awaiting it gives."
    )


async def test_a_rule_without_an_outcome_names_both_verbs() -> None:
    """A started rule without an outcome refuses the call, with the verbs cursor() takes."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.cursor).called_with("SELECT 1")
    with pytest.raises(SpecTypeError) as caught:
        conn.cursor("SELECT 1")
    message = str(caught.value)
    assert message.startswith(
        "Connection.cursor('SELECT 1'): a rule of Connection.cursor was started but has no "
        "outcome (it would be ignored):\n  af.when(Connection.cursor).called_with('SELECT 1')  at "
    )
    assert message.endswith(
        "\nEnd it with an outcome (use .yields(...) to set the items `async for` gives, or "
        ".returns(...) to set what `await` gives), or delete it."
    )
    af.when(conn.cursor).called_with("SELECT 1").yields()


async def test_a_strict_fake_refuses_an_unstubbed_cursor() -> None:
    """strict=True refuses an unstubbed call, and an await that only yields() was stubbed for."""
    conn = af.fake(asyncpg.Connection, strict=True)
    with pytest.raises(UnstubbedCallError) as caught:
        conn.cursor("SELECT 1")
    assert str(caught.value) == (
        "Unstubbed call on a strict fake: Connection.cursor('SELECT 1')\n"
        "Connection.cursor has no stubs.\n"
        "Stub it with: af.when(Connection.cursor).called_with('SELECT 1').yields(...)"
    )
    af.when(conn.cursor).yields(1)
    result = conn.cursor("SELECT 1")
    assert [row async for row in result] == [1]
    with pytest.raises(UnstubbedCallError) as caught:
        await result
    assert str(caught.value) == (
        "Unstubbed await on a strict fake: await Connection.cursor('SELECT 1'): no stub sets "
        "what it gives\n"
        "Stubs of Connection.cursor (the latest added wins):\n"
        "  1. any arguments: yields(1)\n"
        "Stub it with: af.when(Connection.cursor).called_with('SELECT 1').returns(...)"
    )
    conn.cursor.return_value = "configured"
    assert await conn.cursor("SELECT 1") == "configured"


async def test_return_value_and_side_effect_set_what_awaiting_gives() -> None:
    """Configured the unittest.mock way, awaiting follows AsyncMock's rules; `async for` is empty."""
    conn = af.fake(asyncpg.Connection)
    conn.cursor.return_value = "cursor"
    result = conn.cursor("SELECT 1")
    assert isinstance(result, AwaitableIterator)
    assert await result == "cursor"
    assert [row async for row in result] == []
    conn.cursor.side_effect = [ValueError("first"), "second"]
    with pytest.raises(ValueError, match=r"^first$"):
        await conn.cursor("SELECT 1")
    assert await conn.cursor("SELECT 1") == "second"
    with pytest.raises(StopAsyncIteration):
        await conn.cursor("SELECT 1")

    async def effect(query: str) -> str:
        return f"awaited {query}"

    conn.cursor.side_effect = effect
    assert await conn.cursor("SELECT 2") == "awaited SELECT 2"


async def test_return_value_next_to_a_yields_rule_is_what_awaiting_gives() -> None:
    """A rule that sets only the rows leaves `await` to return_value, so setting it is accepted."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.cursor).raises(ValueError)
    af.when(conn.cursor).called_with("SELECT 1").yields("row")
    conn.cursor.return_value = "cursor"
    assert [row async for row in conn.cursor("SELECT 1")] == ["row"]
    assert await conn.cursor("SELECT 1") == "cursor"
    with pytest.raises(ValueError, match=r"^$"):
        await conn.cursor("SELECT 2")


def test_return_value_behind_a_rule_that_sets_the_await_is_refused() -> None:
    """A rule for any arguments that sets what `await` gives leaves return_value unused."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.cursor).returns("stubbed")
    with pytest.raises(ValueError) as caught:
        conn.cursor.return_value = "cursor"
    assert str(caught.value) == (
        "Connection.cursor.return_value = 'cursor': never used, because a when() rule answers "
        "every call of Connection.cursor first (any arguments: returns('stubbed')). Add a rule "
        "instead (af.when(Connection.cursor).returns(...); the latest added wins), or drop the "
        "rules first with Connection.cursor.reset_mock(return_value=True, side_effect=True)."
    )


def test_the_result_describes_itself() -> None:
    """An AwaitableIterator's repr names the call and counts its awaits and iterations."""
    conn = af.fake(asyncpg.Connection)
    assert repr(conn.cursor("SELECT 1")) == (
        "<AwaitableIterator Connection.cursor(): awaits 0, consumed 0, iterations 0, closed=False>"
    )


# ------------------------------------------------------- any such class


class Row:
    """A row."""

    region: str = "eu"


class Page:
    """What awaiting a query gives."""

    rows: list[Row]

    def total(self) -> int: ...


class Query(Generic[T]):
    """An awaitable async iterable whose awaited type is a type parameter."""

    def __await__(self) -> Generator[Any, None, T]:
        raise NotImplementedError

    def __aiter__(self) -> AsyncIterator[Row]:
        raise NotImplementedError


class PageQuery(Query[Page]):
    """A subclass that fixes the type parameter in its base."""


class Lazy:
    """Awaiting gives the object itself (``Self``)."""

    def __await__(self) -> Generator[Any, None, Self]:
        raise NotImplementedError

    def __aiter__(self) -> AsyncIterator[int]:
        raise NotImplementedError


class SelfTyped:
    """Awaiting gives the object itself (a self-typed type variable)."""

    def __await__(self: S) -> Generator[Any, None, S]:
        raise NotImplementedError

    def __aiter__(self) -> AsyncIterator[Row]:
        raise NotImplementedError


class Done:
    """Awaiting gives None."""

    def __await__(self) -> Generator[Any, None, None]:
        raise NotImplementedError

    def __aiter__(self) -> AsyncIterator[Row]:
        raise NotImplementedError


class Vague:
    """``__await__`` is annotated with no awaited type: awaiting gives an unspec'd fake."""

    def __await__(self) -> Iterator[Any]:
        raise NotImplementedError

    def __aiter__(self) -> Iterator[Any]:
        raise NotImplementedError


class Bare:
    """A bare ``Generator`` says nothing about the awaited type either."""

    def __await__(self) -> Generator:  # type: ignore[type-arg]
        raise NotImplementedError

    def __aiter__(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError


class Db:
    """Members returning the classes above."""

    def select(self, table: str) -> Query[Page]:
        raise NotImplementedError

    def select_any(self, table: str) -> Query:  # type: ignore[type-arg]
        raise NotImplementedError

    def pages(self) -> PageQuery:
        raise NotImplementedError

    def lazy(self) -> Lazy:
        raise NotImplementedError

    def self_typed(self) -> SelfTyped:
        raise NotImplementedError

    def done(self) -> Done:
        raise NotImplementedError

    def vague(self) -> Vague:
        raise NotImplementedError

    def bare(self) -> Bare:
        raise NotImplementedError

    select_users = functools.partialmethod(select, "users")

    @property
    def current(self) -> Query[Page]:
        raise NotImplementedError

    Nested = Lazy


@pytest.mark.parametrize(
    ("name", "awaited", "item"),
    [
        ("select", Page, "Row"),
        ("pages", Page, "Row"),
        ("lazy", Lazy, "int"),
        ("self_typed", SelfTyped, "Row"),
        ("select_any", None, "Row"),
        ("vague", None, None),
        ("bare", None, None),
        ("select_users", None, None),
        ("Nested", Lazy, "int"),
    ],
)
def test_the_awaited_and_item_types_are_read_from_the_class(
    name: str, awaited: type | None, item: str | None
) -> None:
    """__await__'s Generator return type gives the awaited class, __aiter__'s the item type."""
    member = class_spec(Db).member(name)
    assert member is not None
    assert member.kind is Kind.AWAITABLE_ITER
    assert member.result_class() is awaited
    check = member.item_check()
    assert (None if check is None else check[1]) == item
    assert member.item_check() == check  # computed once


def test_awaiting_a_query_that_gives_none_gives_none() -> None:
    """An __await__ declared to give None makes awaiting give None, not a fake."""
    member = class_spec(Db).member("done")
    assert member is not None
    assert member.result_class() is NONE


async def test_awaiting_gives_a_fake_spec_d_on_the_awaited_class() -> None:
    """Unstubbed, awaiting gives a fake of what __await__ gives, with exactly its attributes."""
    db = af.fake(Db)
    page = await db.select("sales")
    assert isinstance(page, Page)
    with pytest.raises(AttributeError):
        page.totl
    assert await db.lazy() is db.lazy.return_value
    assert await db.done() is None
    assert [row async for row in db.select("sales")] == []


async def test_typecheck_checks_the_awaited_value_and_each_item() -> None:
    """With typecheck=True, returns() is checked against the awaited type, yields() each item."""
    db = af.fake(Db, typecheck=True)
    with pytest.raises(SpecTypeError) as caught:
        af.when(db.select).yields(Row(), "row")
    assert str(caught.value) == (
        "af.when(Db.select).yields('row'): Db.select gives Row, not str (typecheck=True)"
    )
    with pytest.raises(SpecTypeError) as caught:
        af.when(db.select).returns(Row())
    assert str(caught.value).startswith("af.when(Db.select).returns(<")
    assert str(caught.value).endswith(": Db.select gives Page, not Row (typecheck=True)")
    af.when(db.select).called_with("a").runs(lambda table: Row())
    with pytest.raises(SpecTypeError, match=r"^af.when\(Db.select\).runs\(<lambda>\) gave <"):
        db.select("a")
    page = Page()
    af.when(db.select).called_with("b").returns(page)
    af.when(db.select).called_with("c").yields(Row())
    af.when(db.vague).yields("anything")
    assert await db.select("b") is page
    assert len([row async for row in db.select("c")]) == 1
    assert [row async for row in db.vague()] == ["anything"]
    other = af.fake(Db)
    af.when(db.select).called_with("d").returns(other.select("d"))
    assert isinstance(await db.select("d"), Page)


async def test_a_property_returning_an_awaitable_async_iterable_is_awaitable() -> None:
    """A property whose class is awaitable stays an awaitable property, as before."""
    member = class_spec(Db).member("current")
    assert member is not None
    assert member.kind is Kind.AWAITABLE_PROPERTY
    db = af.fake(Db)
    af.when(db.current).returns(Page())
    assert isinstance(await db.current, Page)


class Client:
    """A callable object whose call returns an awaitable async iterable."""

    def __call__(self, query: str) -> Query[Page]:
        raise NotImplementedError


def select(table: str) -> Query[Page]:
    """A function returning an awaitable async iterable."""
    raise NotImplementedError


async def test_callable_objects_and_functions_return_one_too() -> None:
    """A fake callable object and a fake function return an AwaitableIterator as methods do."""
    client = af.fake(Client)
    af.when(client).yields(Row())
    assert len([row async for row in client("q")]) == 1
    assert isinstance(await client("q"), Page)
    assert function_spec(select).kind is Kind.AWAITABLE_ITER
    fake_select = af.fake(select)
    assert isinstance(fake_select("t"), AwaitableIterator)
    assert isinstance(await fake_select("t"), Page)


async def test_runs_gets_the_call_s_keyword_arguments_and_returns_hands_over_a_plain_iterator() -> (
    None
):
    """runs() is called with the call's keywords; an async iterator from returns() is what await gives."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.cursor).called_with("SELECT 1", timeout=ANY).runs(
        lambda query, *args, timeout=None, **kwargs: (query, timeout)
    )
    assert await conn.cursor("SELECT 1", timeout=3) == ("SELECT 1", 3)
    rows = af.async_iter([{"id": 1}])
    af.when(conn.cursor).called_with("SELECT 2").returns(rows)  # type: ignore[arg-type]
    assert await conn.cursor("SELECT 2") is rows
