"""AsyncFake/MagicFake paths that only unusual set-ups reach, each compared with AsyncMock/MagicMock.

The compatibility suites (test_compat_*.py) cover what users do every day; these
cover the rest of `_fake.py`: a fake wrapped by `create_autospec`'s function
machinery (its lists delegate to the function copy), side effects of the
`__aenter__`/`__aexit__` of a fake context manager, side effects behind a
`when()` rule that does not match, and spec'd coroutine members of a MagicFake.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any
from unittest import mock

import pytest

import asyncfakes as af
from _compat import Kinds, acall, lists, norm, outcome, same, same_async


async def fetch(key: str, *, fresh: bool = False) -> str:
    return key


def autospec_function(klass: Any) -> Any:
    """What `create_autospec(fetch)` builds, with `klass` as the mock inside.

    `create_autospec` always uses AsyncMock here; the function copy it returns
    takes over the mock's lists (`_mock_delegate`), which is the path tested.
    """
    inner = klass()
    function = mock._set_signature(inner, fetch)  # type: ignore[attr-defined]
    mock._setup_async_mock(function)  # type: ignore[attr-defined]
    return function


@pytest.mark.asyncio
async def test_a_fake_behind_an_autospec_function_copy_delegates_as_asyncmock_does():
    """Calls, lists and side effects of a fake wrapped by create_autospec's function copy."""

    async def scenario(k: Kinds) -> Any:
        function = autospec_function(k.Async)
        inner = function.mock
        seen: list[Any] = [await acall(function, "a", fresh=True)]
        function.side_effect = ["x", ValueError("boom")]
        seen += [await acall(function, "b"), await acall(function, "c")]
        function.side_effect = None
        function.return_value = "fixed"
        seen += [await acall(function, "d"), outcome(function, 1, 2, 3)]
        inner.call_count = 10  # written through the delegate
        seen += [function.call_count, inner.call_count, lists(inner)]
        return seen

    await same_async(scenario)


@pytest.mark.asyncio
async def test_a_fake_behind_an_autospec_function_copy_records_its_calls():
    """The delegating fake still records every call in the core, with its outcome."""
    function = autospec_function(af.AsyncFake)
    function.side_effect = [1, KeyError("k")]
    assert await function("a") == 1
    with pytest.raises(KeyError):
        await function("b")
    records = af.calls(function.mock)
    assert [(r.args, r.outcome, r.awaited) for r in records] == [
        (("a",), "returned", True),
        (("b",), "raised", True),
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize("member", ["__aenter__", "__aexit__"])
async def test_side_effects_of_a_context_managers_enter_and_exit(member: str):
    """`__aenter__`/`__aexit__` side effects (iterable, exception, sync and async functions)."""

    async def scenario(k: Kinds) -> Any:
        session = k.Magic()
        method = getattr(session, member)

        async def enter() -> Any:
            async with session as entered:
                return entered is session or norm(entered)

        async def later(*args: object) -> str:
            await asyncio.sleep(0)
            return "async"

        seen: list[Any] = []
        for effect in (
            ["first", ConnectionError("down")],
            OSError("refused"),
            lambda *args: "sync",
            later,
        ):
            method.side_effect = effect
            seen.append(await acall(enter))
            seen.append(await acall(enter))
        method.side_effect = iter(())
        seen.append(await acall(enter))
        method.side_effect = lambda *args: mock.DEFAULT
        method.return_value = "configured"
        seen.append(await acall(enter))
        return [seen, lists(method)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_an_unmatched_when_rule_falls_back_to_side_effect_and_wraps():
    """A call no rule matches gets what AsyncMock would give: side_effect, then wraps."""
    fake = af.AsyncFake(name="fetch")
    af.when(fake).called_with("stubbed").returns("from the rule")
    fake.side_effect = ["first", LookupError("second")]
    assert await fake("stubbed") == "from the rule"
    assert await fake("other") == "first"
    with pytest.raises(LookupError, match=r"^second$"):
        await fake("other")
    fake.side_effect = iter(())
    with pytest.raises(StopAsyncIteration):
        await fake("other")
    fake.side_effect = None
    fake.configure_mock(_mock_wraps=fetch)
    assert await fake("wrapped") == "wrapped"

    def sync_double(key: str) -> str:
        return key * 2

    fake.configure_mock(_mock_wraps=sync_double)
    assert await fake("ab") == "abab"
    fake.configure_mock(_mock_wraps=None)
    assert isinstance(await fake("none"), af.AsyncFake)  # the return_value child, as on AsyncMock
    assert fake.await_count == 7


@pytest.mark.asyncio
async def test_an_async_method_of_a_spec_d_magicfake_is_recorded_and_awaited():
    """A MagicFake spec'd on a class: its coroutine methods are awaitable fakes, as on MagicMock."""

    class Service:
        async def fetch(self, key: str) -> str:
            return key

    async def scenario(k: Kinds) -> Any:
        service = k.Magic(spec=Service)
        service.fetch.return_value = "value"
        seen = [
            await acall(service.fetch, "a"),
            outcome(service.fetch.assert_awaited_once_with, "a"),
        ]
        return [seen, lists(service.fetch), lists(service)]

    await same_async(scenario)


def test_method_call_names_skip_ancestors_that_are_not_attributes():
    """Names in ancestors' lists: through a return value, and through a mock made with parent=."""

    def scenario(k: Kinds) -> Any:
        client = k.Magic()
        client.connect().cursor.execute("select 1")
        client.connect.return_value.cursor.execute("select 2")
        # Made with parent= and no attribute name: not a step of the listed names.
        pool = k.Magic(parent=client, name="pool")
        pool.acquire("slot")
        return [
            lists(client),
            lists(client.connect),
            lists(client.connect.return_value),
            lists(pool),
        ]

    same(scenario)


@pytest.mark.asyncio
async def test_a_when_rule_on_a_magicfake_spec_d_on_a_coroutine_function():
    """The rule's result is awaited and counted; unmatched calls run the mock's own rules."""
    fake = af.MagicFake(spec=fetch)
    af.when(fake).called_with("a").returns("from the rule")
    fake.return_value = "configured"
    assert await fake("a") == "from the rule"
    assert await fake("b") == "configured"
    assert fake.await_count == 2
    assert fake.await_args_list == [mock.call("a"), mock.call("b")]
    assert [(r.args, r.result) for r in af.calls(fake)] == [
        (("a",), "from the rule"),
        (("b",), "configured"),
    ]


def test_a_signature_checked_by_create_autospec_machinery_is_enforced():
    """A fake whose class got create_autospec's signature check refuses calls as AsyncMock does."""

    def scenario(k: Kinds) -> Any:
        seen = []
        for klass in (k.Async, k.Magic):
            fake = klass()
            mock._check_signature(fetch, fake, False, False)  # type: ignore[attr-defined]
            call = fake("a", fresh=True)
            seen.append(norm(call) if klass is k.Magic else type(call).__name__)
            if klass is k.Async:
                call.close()
            seen += [outcome(fake, "a", "b"), outcome(fake, nope=1), lists(fake)]
        return seen

    same(scenario)


@pytest.mark.asyncio
async def test_a_subclass_with_its_own_getattr_keeps_its_children_working():
    """Children of a subclass that overrides __getattr__ are not cached past it."""
    reads: list[str] = []

    class Counting(af.AsyncFake):
        def __getattr__(self, name: str) -> Any:
            reads.append(name)
            return super().__getattr__(name)

    client = Counting()
    client.get.return_value = 1
    assert await client.get() == 1
    assert await client.get() == 1
    assert [name for name in reads if name == "get"] == ["get", "get", "get"]


def test_mock_add_spec_keeps_an_attribute_the_user_assigned():
    """An assigned plain value survives mock_add_spec, as on AsyncMock; read children do not."""

    def scenario(k: Kinds) -> Any:
        fake = k.Async()
        fake.get
        fake.post
        fake.get = 5
        fake.mock_add_spec(["get"])
        return [fake.get, outcome(getattr, fake, "post")]

    same(scenario)


# -- what the mutation run of _fake found untested ---------------------------------


def keywords(*args: object, **kwargs: object) -> tuple[object, ...]:
    return (args, kwargs)


async def async_keywords(*args: object, **kwargs: object) -> tuple[object, ...]:
    return (args, kwargs)


@pytest.mark.asyncio
async def test_keyword_arguments_reach_wraps_as_on_asyncmock():
    """A wrapped function gets the call's keyword arguments, sync or async."""

    async def scenario(k: Kinds) -> Any:
        return [
            await acall(k.Async(wraps=keywords), 1, key="a"),
            await acall(k.Async(wraps=async_keywords), 2, key="b"),
        ]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_keyword_arguments_reach_the_fallbacks_of_an_unmatched_rule():
    """Behind a when() rule, side_effect and wraps still get the keyword arguments."""
    fake = af.AsyncFake()
    af.when(fake).called_with("stubbed").returns("rule")
    fake.side_effect = keywords
    assert await fake(1, key="a") == ((1,), {"key": "a"})
    fake.side_effect = None
    fake.configure_mock(_mock_wraps=async_keywords)
    assert await fake(2, key="b") == ((2,), {"key": "b"})
    fake.configure_mock(_mock_wraps=keywords)
    assert await fake(3, key="c") == ((3,), {"key": "c"})


@pytest.mark.asyncio
async def test_a_rule_on_a_magicfake_spec_d_on_a_coroutine_function_counts_each_await():
    """Rules matched on keyword arguments; await_count/await_args as AsyncMock keeps them."""

    async def coroutine(*args: object, **kwargs: object) -> None:
        return None

    fake = af.MagicFake(spec=coroutine)
    af.when(fake).called_with(1, key="a").returns("rule")
    fake.side_effect = keywords
    assert await fake(1, key="a") == "rule"
    assert await fake(1, key="a") == "rule"
    assert await fake(2, key="b") == ((2,), {"key": "b"})
    assert fake.await_count == 3
    assert fake.await_args == mock.call(2, key="b")
    assert fake.await_args_list == [mock.call(1, key="a")] * 2 + [mock.call(2, key="b")]
    assert await fake(1, key="a") == "rule"
    assert fake.await_args == mock.call(1, key="a")


class Store:
    def key(self, user: int, *, prefix: str = "user") -> str:
        return f"{prefix}:{user}"


def test_a_spec_d_sync_member_passes_keywords_on_and_records_its_exception():
    """A sync member's side_effect gets keyword arguments; what it raises is recorded."""
    store = af.fake(Store)
    store.key.side_effect = lambda user, prefix="user": f"{prefix}/{user}"
    assert store.key(1, prefix="admin") == "admin/1"
    error = LookupError("no such user")
    store.key.side_effect = error
    with pytest.raises(LookupError):
        store.key(2)
    assert [(r.outcome, r.exception) for r in af.calls(store.key)] == [
        ("returned", None),
        ("raised", error),
    ]


def test_calls_keep_their_names_when_the_fake_is_attached_elsewhere_later():
    """Calls made before attach_mock keep the names they had, in every ancestor's lists."""

    def scenario(k: Kinds) -> Any:
        app = k.Magic()
        child = app.db.query
        child(1)
        other = k.Magic()
        other.attach_mock(child, "moved")
        child(2)
        return [lists(app), lists(app.db), lists(other), lists(child)]

    same(scenario)


@pytest.mark.asyncio
async def test_reset_mock_forgets_calls_not_yet_copied_into_the_mock_lists():
    """Calls recorded but not yet read into call_args_list & co. are forgotten, as on a mock."""

    async def scenario(k: Kinds) -> Any:
        magic, fake = k.Magic(), k.Async()
        magic(1)
        await fake(1)
        magic.reset_mock()
        fake.reset_mock()
        return [lists(magic), lists(fake), magic.call_count, fake.await_count]

    await same_async(scenario)


def test_a_sealed_fake_refuses_to_create_its_return_value():
    """After seal(), calling for an unset return value raises as on AsyncMock/MagicMock."""

    def scenario(k: Kinds) -> Any:
        seen = []
        for klass in (k.Async, k.Magic):
            sealed = klass(name="sealed")
            mock.seal(sealed)
            seen.append(outcome(lambda sealed=sealed: sealed.return_value))
        return seen

    same(scenario)


def test_mock_add_spec_forgets_every_child_read_before_and_allows_setting_others():
    """Every cached child obeys the new spec; without spec_set, new attributes may be set."""

    def scenario(k: Kinds) -> Any:
        fake = k.Async()
        fake.get, fake.post, fake.put
        fake.mock_add_spec(["get"])
        fake.extra = 1
        return [
            outcome(getattr, fake, "post"),
            outcome(getattr, fake, "put"),
            norm(fake.get),
            fake.extra,
        ]

    same(scenario)


@pytest.mark.asyncio
async def test_every_call_made_inside_a_fake_context_stays_inside_it():
    """Calls of a context's own methods do not take the task out of the context."""
    connection = af.AsyncFake(name="connection")
    async with connection:
        await connection.execute("a")
        await connection.execute("b")
    await connection.execute("c")
    assert [(r.args, r.inside) for r in af.calls(connection.execute)] == [
        (("a",), (connection,)),
        (("b",), (connection,)),
        (("c",), ()),
    ]


@pytest.mark.asyncio
async def test_assert_in_order_of_a_parent_counts_grandchildren_and_not_other_recorders():
    """A parent stands for calls of its descendants; other recorded things are left out."""
    db = af.AsyncFake(name="db")
    audit = af.AsyncFake(name="audit")
    retry = af.flaky(None, name="retry")
    await audit.log("start")
    await retry()
    await db.tables.users.insert(1)
    af.assert_in_order(audit, db)
    with pytest.raises(af.VerificationError) as raised:
        af.assert_in_order(db, audit)
    assert str(raised.value).splitlines()[-3:] == [
        "Actual calls (2):",
        f"  1. audit.log('start')  at {af.calls(audit.log)[0].site}",
        f"  2. db.tables.users.insert(1)  at {af.calls(db.tables.users.insert)[0].site}",
    ]


def test_a_spec_given_positionally_is_the_spec():
    """AsyncFake(cls) and MagicFake(cls) take the spec as their first argument, as the mocks do."""

    def scenario(k: Kinds) -> Any:
        return [
            [outcome(getattr, klass(Store), "key"), outcome(getattr, klass(Store), "nope")]
            for klass in (k.Async, k.Magic)
        ]

    same(scenario)


@pytest.mark.asyncio
async def test_setting_an_await_list_after_only_awaits_are_pending_keeps_asyncmock_s_order():
    """An await made after the call lists were read, then the await list set: as AsyncMock."""

    async def scenario(k: Kinds) -> Any:
        fake = k.Async(return_value=1)
        call = fake("a")
        seen = [norm(fake.call_args_list)]  # the call is listed; its await is not made yet
        await call
        fake.await_args_list = mock._CallList()  # type: ignore[attr-defined]
        fake.await_count = 5
        return [seen, lists(fake)]

    await same_async(scenario)


def test_the_lazy_lists_are_descriptors_on_the_class():
    """Read on the class, each standard list is its data descriptor (for introspection tools)."""
    names = ["called", "call_count", "call_args", "call_args_list", "mock_calls", "method_calls"]
    for klass in (af.AsyncFake, af.MagicFake):
        members = dict(inspect.getmembers(klass))
        for name in names:
            assert inspect.isdatadescriptor(members[name]), (klass, name)
    for name in ("await_count", "await_args", "await_args_list"):
        assert inspect.isdatadescriptor(af.AsyncFake.__dict__[name])
        assert getattr(af.AsyncFake, name) is af.AsyncFake.__dict__[name]


@pytest.mark.asyncio
async def test_an_async_side_effect_giving_default_falls_back_to_return_value_then_wraps():
    """An async side_effect returning DEFAULT hands over to return_value, else to wraps."""

    async def passes(*args: object, **kwargs: object) -> object:
        return mock.DEFAULT

    async def scenario(k: Kinds) -> Any:
        wrapped = k.Async(wraps=async_keywords, side_effect=passes)
        configured = k.Async(side_effect=passes, return_value="configured")
        return [
            await acall(wrapped, 1, key="a"),
            await acall(configured, 2),
            lists(wrapped),
        ]

    await same_async(scenario)
