"""Edges of the core, spec, stubbing and verification modules that other tests leave open.

Each test here pins down a behaviour that mutation testing (``nox -s
mutation``) or branch coverage (``nox -s coverage``) showed no other test
checked: a mutant of the code survived, or a branch never ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import os
from collections.abc import AsyncIterator, Awaitable, Coroutine, Generator
from typing import Any, Union

import attrs  # installed with aiohttp, a test dependency
import pytest

import asyncfakes as af


async def test_awaited_call_times_are_loop_times() -> None:
    """It stamps an awaited call's start and end with loop time, which virtual time makes exact."""
    op = af.AsyncFake(name="op")
    af.when(op).after(5).returns("late")
    async with af.virtual_time() as clock:
        await clock.advance(2)
        assert await op() == "late"
    (record,) = af.calls(op)
    assert (record.started_at, record.ended_at) == (2.0, 7.0)


async def test_raised_call_times_are_loop_times() -> None:
    """It stamps the end of a call that raised with loop time too."""
    op = af.AsyncFake(name="op")
    af.when(op).after(3).raises(ConnectionError("down"))
    async with af.virtual_time():
        with pytest.raises(ConnectionError):
            await op()
    (record,) = af.calls(op)
    assert (record.outcome, record.started_at, record.ended_at) == ("raised", 0.0, 3.0)


async def test_sync_call_times_are_loop_times_inside_a_loop() -> None:
    """It stamps a sync call made inside a running loop with that loop's time."""
    key = af.MagicFake(name="key", return_value="k")
    failing = af.MagicFake(name="failing", side_effect=KeyError("k"))
    async with af.virtual_time() as clock:
        await clock.advance(4)
        key()
        with pytest.raises(KeyError):
            failing()
    assert [(r.started_at, r.ended_at) for r in af.calls(key) + af.calls(failing)] == [
        (4.0, 4.0),
        (4.0, 4.0),
    ]


async def fail_inside(context: af.FakeAsyncContext[str]) -> None:
    async with context:
        await asyncio.sleep(2)
        raise KeyError("k")


async def test_context_block_times_are_loop_times() -> None:
    """It times an `async with` block of a fake context from entry to exit in loop time."""
    tx = af.async_context("tx", name="tx")
    failed = af.async_context("tx", name="failed")
    async with af.virtual_time():
        async with tx:
            await asyncio.sleep(1.5)
        with pytest.raises(KeyError):
            await fail_inside(failed)
    (block,) = af.calls(tx)
    (broken,) = af.calls(failed)
    assert (block.outcome, block.started_at, block.ended_at) == ("returned", 0.0, 1.5)
    assert (broken.outcome, broken.started_at, broken.ended_at) == ("raised", 1.5, 3.5)


async def test_entered_contexts_are_not_reported_as_unawaited() -> None:
    """It never lists a fake context's blocks or awaits as forgotten awaits."""
    acquiring = af.async_context("conn", awaitable=True, name="acquire")
    with af.Sandbox() as sandbox:
        async with acquiring:
            pass
        assert await acquiring == "conn"
        assert sandbox.journal.unawaited() == []
        af.assert_all_awaited()
    assert [record.awaited for record in af.calls(acquiring)] == [True, True]


# ------------------------------------------------------------- verification

HERE = os.path.relpath(__file__)


def line(offset: int = 0) -> int:
    """The caller's line number plus `offset`."""
    frame = inspect.currentframe()
    assert frame is not None
    assert frame.f_back is not None
    return frame.f_back.f_lineno + offset


class Api:
    async def get(self, url: str) -> bytes: ...

    def key(self, user_id: int) -> str: ...


class Unequal:
    """A matcher that cannot be compared: its `==` raises."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("cannot compare")

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "<Unequal>"


async def test_a_failed_check_lists_each_call_with_how_it_ended() -> None:
    """It lists awaited, never-awaited and discarded calls of an async member, each with its status."""
    api = af.fake(Api)
    await api.get("a")
    first = line()
    forgotten = api.get("b")
    discarded = api.get("c")
    discarded.close()
    try:
        with pytest.raises(af.VerificationError) as caught:
            af.verify(api.get).awaited_with("z")
    finally:
        forgotten.close()
    assert str(caught.value) == "\n".join(
        [
            "The latest await of Api.get has other arguments:",
            "  expected: Api.get('z')",
            "  actual:   Api.get('a')",
            "                    ^^^",
            "Calls (3):",
            f"  1. Api.get('a')  [awaited, returned]  at {HERE}:{first - 1}",
            f"  2. Api.get('b')  [never awaited]  at {HERE}:{first + 1}",
            f"  3. Api.get('c')  [cancelled]  at {HERE}:{first + 2}",
        ]
    )


def test_a_failed_check_of_a_sync_member_shows_outcomes() -> None:
    """It lists a sync member's calls as returned, raised, or still running (checked from inside)."""
    seen: list[str] = []

    def effect(user_id: int) -> str:
        if user_id == 2:
            raise KeyError(user_id)
        if user_id == 3:
            with pytest.raises(af.VerificationError) as inside:
                af.verify(key).called(times=1)
            seen.append(str(inside.value))
        return "k"

    key = af.MagicFake(name="key", side_effect=effect)
    first = line()
    key(1)
    with pytest.raises(KeyError):
        key(2)
    key(3)
    assert seen == [
        "\n".join(
            [
                "Expected key to be called 1 time, but it was called 3 times.",
                "Calls (3):",
                f"  1. key(1)  [returned]  at {HERE}:{first + 1}",
                f"  2. key(2)  [raised]  at {HERE}:{first + 3}",
                f"  3. key(3)  [not awaited]  at {HERE}:{first + 4}",
            ]
        )
    ]


async def test_arguments_the_real_signature_rejects_never_match() -> None:
    """It reports a mismatch, not a TypeError, when the expected arguments do not fit the signature."""
    api = af.fake(Api)
    await api.get("a")
    with pytest.raises(af.VerificationError, match=r"^The latest await of Api\.get has other"):
        af.verify(api.get).awaited_with("a", bogus=1)
    with pytest.raises(af.VerificationError, match=r"^The latest await of Api\.get has other"):
        af.verify(api.get).awaited_with(Unequal())


def test_a_matcher_that_cannot_compare_does_not_match() -> None:
    """It treats an expected value whose `==` raises as different, for unspec'd fakes too."""
    ping = af.MagicFake(name="ping")
    ping("a")
    with pytest.raises(af.VerificationError) as caught:
        af.verify(ping).called_with(Unequal())
    assert str(caught.value).splitlines()[:3] == [
        "The latest call of ping has other arguments:",
        "  expected: ping(<Unequal>)",
        "  actual:   ping('a')",
    ]


async def test_awaited_inside_a_value_that_is_not_a_fake_names_it_by_its_repr() -> None:
    """It names a context that is neither a fake nor a named object by its repr."""
    op = af.AsyncFake(name="op")
    await op()
    call = line(-1)
    with pytest.raises(af.VerificationError) as caught:
        af.verify(op).awaited_inside(42)
    assert str(caught.value) == "\n".join(
        [
            "Expected every await of op inside 42, but 1 of 1 await ran outside it:",
            f"  - op()  at {HERE}:{call}  (inside: no fake context)",
            "Run the call inside `async with 42:` or check the context passed.",
        ]
    )


def test_in_order_without_any_call_says_so() -> None:
    """It says there were no calls at all when none of the fakes was called."""
    with af.Sandbox(), pytest.raises(af.VerificationError) as caught:
        af.assert_in_order(af.AsyncFake(name="begin"), af.AsyncFake(name="commit"))
    assert str(caught.value) == "\n".join(
        [
            "Calls were not made in the expected order.",
            "Expected order:",
            "  1. begin  <- not found after the previous one",
            "  2. commit",
            "Actual calls: none.",
        ]
    )


async def test_called_inside_checks_every_sync_call() -> None:
    """It holds for sync calls made inside the context and names each one made outside."""
    cache = af.MagicFake(name="cache")
    lock = af.async_context(name="lock")
    async with lock:
        cache.get("k")
    af.verify(cache.get).called_inside(lock)
    cache.get("x")
    outside = line(-1)
    with pytest.raises(af.VerificationError) as caught:
        af.verify(cache.get).called_inside(lock)
    assert str(caught.value) == "\n".join(
        [
            "Expected every call of cache.get inside lock, but 1 of 2 calls ran outside it:",
            f"  - cache.get('x')  at {HERE}:{outside}  (inside: no fake context)",
            "Run the call inside `async with lock:` or check the context passed.",
        ]
    )


# ----------------------------------------------------------------- stubbing


class Feed:
    async def get(self, url: str) -> bytes: ...

    async def events(self, topic: str) -> AsyncIterator[int]:
        yield 0


async def test_a_strict_fake_lists_every_kind_of_outcome_in_its_rules() -> None:
    """It describes each rule's whole script, latest first, when no rule matches a strict call."""
    feed = af.fake(Feed, strict=True)
    af.when(feed.get).called_with("a").after(1).returns(b"a").times(2)
    af.when(feed.get).called_with("b").raises(ConnectionError)
    af.when(feed.get).called_with("d").hangs()
    af.when(feed.get).called_with("e").after(2.5)
    af.when(feed.get).called_with("f").raises(KeyError("k")).returns(b"f")
    af.when(feed.get).called_with("g").returns(b"g").times(1)
    assert await feed.get("g") == b"g"
    with pytest.raises(af.UnstubbedCallError) as caught:
        await feed.get("zzz")
    assert str(caught.value) == "\n".join(
        [
            "Unstubbed call on a strict fake: Feed.get('zzz')",
            "Stubs of Feed.get (the latest added wins):",
            "  1. called_with('g'): returns(b'g').times(1)  (used up)",
            "     this call differs: url='zzz' (the rule has 'g')",
            "  2. called_with('f'): raises(KeyError('k')).returns(b'f')",
            "     this call differs: url='zzz' (the rule has 'f')",
            "  3. called_with('e'): after(2.5)",
            "     this call differs: url='zzz' (the rule has 'e')",
            "  4. called_with('d'): hangs()",
            "     this call differs: url='zzz' (the rule has 'd')",
            "  5. called_with('b'): raises(ConnectionError)",
            "     this call differs: url='zzz' (the rule has 'b')",
            "  6. called_with('a'): after(1).returns(b'a').times(2)",
            "     this call differs: url='zzz' (the rule has 'a')",
            "Stub it with: af.when(Feed.get).called_with('zzz').returns(...)",
        ]
    )
    af.when(feed.events).called_with("t").yields(1, 2).raises(EOFError)
    with pytest.raises(af.UnstubbedCallError) as iterated:
        feed.events("u")
    assert str(iterated.value).splitlines()[1:3] == [
        "Stubs of Feed.events (the latest added wins):",
        "  1. called_with('t'): yields(1, 2).raises(EOFError)",
    ]


async def test_a_runs_rule_names_its_function() -> None:
    """It names the function of a `runs` outcome as written: ``runs(compute)``."""
    feed = af.fake(Feed, strict=True)

    def compute(url: str) -> bytes:
        return url.encode()

    af.when(feed.get).called_with("c").runs(compute)
    with pytest.raises(af.UnstubbedCallError) as caught:
        await feed.get("zzz")
    assert "  1. called_with('c'): runs(compute)" in str(caught.value).splitlines()


async def test_a_matcher_that_cannot_compare_matches_no_call() -> None:
    """It skips a rule whose matcher raises on comparison, and answers with the next rule."""
    feed = af.fake(Feed)
    af.when(feed.get).returns(b"any")
    af.when(feed.get).called_with(Unequal()).returns(b"never")
    assert await feed.get("a") == b"any"


async def test_a_used_up_script_falls_back_to_older_rules() -> None:
    """It moves on to older rules once every outcome of the newest one was used its times."""
    op = af.AsyncFake(name="op")
    af.when(op).returns("old")
    af.when(op).raises(ConnectionError).times(1).returns("new").times(1)
    with pytest.raises(ConnectionError):
        await op()
    assert [await op(), await op()] == ["new", "old"]


async def test_a_delayed_yields_waits_before_each_item() -> None:
    """It sleeps the `after()` delay of a yields outcome before each item, in loop time."""
    feed = af.fake(Feed)
    af.when(feed.events).after(1).yields(1, 2)
    async with af.virtual_time() as clock:
        events = feed.events("t")
        assert events.name == "Feed.events()"
        assert [event async for event in events] == [1, 2]
        assert clock.now() == 2.0


async def test_a_delay_without_items_still_waits() -> None:
    """It waits the `after()` delay before an empty iteration ends or its error is raised."""
    quiet, failing = af.fake(Feed), af.fake(Feed)
    af.when(quiet.events).after(2)
    af.when(failing.events).after(0.5).raises(EOFError)
    async with af.virtual_time() as clock:
        assert [event async for event in quiet.events("t")] == []
        assert clock.now() == 2.0
        with pytest.raises(EOFError):
            async for _ in failing.events("t"):
                pass
        assert clock.now() == 2.5


# ------------------------------------------------- tracebacks hide the library


def _failures() -> list[tuple[str, Any]]:
    """One failing use of each check, by name."""
    op = af.AsyncFake(name="op")
    key = af.MagicFake(name="key")
    key(1)
    done = af.AsyncFake(name="done")
    asyncio.run(done())
    context = af.async_context(name="context")
    return [
        ("awaited", lambda: af.verify(op).awaited()),
        ("not_awaited", lambda: af.verify(done).not_awaited()),
        ("awaited_with", lambda: af.verify(op).awaited_with(1)),
        ("awaited_once_with", lambda: af.verify(op).awaited_once_with(1)),
        ("awaited_inside", lambda: af.verify(op).awaited_inside(context)),
        ("called", lambda: af.verify(op).called()),
        ("not_called", lambda: af.verify(key).not_called()),
        ("called_with", lambda: af.verify(key).called_with(2)),
        ("called_once_with", lambda: af.verify(key).called_once_with(2)),
        ("called_inside", lambda: af.verify(key).called_inside(context)),
        ("assert_in_order", lambda: af.assert_in_order(op, key)),
        ("assert_all_awaited", _forgotten_await),
    ]


def _forgotten_await() -> None:
    with af.Sandbox():
        af.AsyncFake(name="later")()
        af.assert_all_awaited()


@pytest.mark.parametrize("name", [name for name, _ in _failures()])
def test_failed_checks_hide_the_library_frames(name: str) -> None:
    """It marks every frame of the verification code with `__tracebackhide__`, as pytest reads it."""
    check = dict(_failures())[name]
    with pytest.raises(af.VerificationError) as caught:
        check()
    library = [
        entry for entry in caught.traceback if os.path.basename(str(entry.path)) == "_verify.py"
    ]
    assert library
    assert all(entry.frame.f_locals.get("__tracebackhide__") is True for entry in library)


class Sized:
    """A value whose repr is exactly `width` characters long."""

    def __init__(self, width: int) -> None:
        self.width = width

    def __repr__(self) -> str:
        return "x" * self.width


def test_a_non_fake_is_shown_whole_up_to_sixty_characters() -> None:
    """It shows a value's repr whole up to 60 characters, and cuts a longer one to 57 plus '...'."""
    with pytest.raises(TypeError) as whole:
        af.calls(Sized(60))
    with pytest.raises(TypeError) as cut:
        af.calls(Sized(61))
    assert str(whole.value).startswith(f"calls() takes a fake, but got Sized {'x' * 60}. ")
    assert str(cut.value).startswith(f"calls() takes a fake, but got Sized {'x' * 57}.... ")


# -------------------------------------------------------------------- specs


@dataclasses.dataclass(slots=True)
class SlottedPoint:
    """A slotted dataclass: its field defaults are kept out of the class dict."""

    needed: int
    x: int = 3
    label: str = "p"
    tags: list[str] = dataclasses.field(default_factory=list)
    size: int = dataclasses.field(default=7)


@attrs.define
class Settings:
    """An attrs class: its defaults live in __attrs_attrs__ only."""

    needed: int
    retries: int = 5
    name: str = attrs.field(default="svc")
    items: list[str] = attrs.Factory(list)


def test_field_defaults_of_slotted_dataclasses_are_read_from_their_fields() -> None:
    """It gives a slotted dataclass field's immutable default; fields without one are fakes."""
    point = af.fake(SlottedPoint)
    assert (point.x, point.label, point.size) == (3, "p", 7)
    assert isinstance(point.tags, af.MagicFake)  # a default factory is not a default
    assert isinstance(point.needed, af.MagicFake)


def test_field_defaults_of_attrs_classes_are_read_from_their_attributes() -> None:
    """It gives an attrs field's immutable default; a factory or no default gives a fake."""
    settings = af.fake(Settings)
    assert (settings.retries, settings.name) == (5, "svc")
    assert isinstance(settings.items, af.MagicFake)
    assert isinstance(settings.needed, af.MagicFake)


class Widget:
    size: int = 1


class Gadget:
    pass


class Client:
    """Members annotated with every shape of awaitable result."""

    def execute_command(self, *args: Any) -> Any: ...

    def plain(self) -> Awaitable[Widget]: ...

    def coroutine(self) -> Coroutine[Any, Any, Widget]: ...

    def future(self) -> asyncio.Future[Widget]: ...

    def bare(self) -> Awaitable: ...  # type: ignore[type-arg]

    def either(self) -> Union[Awaitable[Widget], Widget]: ...  # noqa: UP007

    def several(self) -> Union[Awaitable[Widget], Widget, Gadget]: ...  # noqa: UP007

    def only_awaitables(self) -> Union[Awaitable[Widget], Awaitable[Gadget]]: ...  # noqa: UP007

    @property
    def ready(self) -> Awaitable[Widget]: ...


class AsyncClient(Client):
    """redis-py's style: commands are awaitable because execute_command is a coroutine."""

    async def execute_command(self, *args: Any) -> Any: ...


async def test_awaiting_an_unstubbed_member_gives_a_fake_of_the_awaited_class() -> None:
    """It specs the result of awaiting a member to the class its annotation awaits, when there is one."""
    client = af.fake(Client)
    for member in (client.plain, client.coroutine, client.future):
        assert isinstance(await member(), Widget)
    for member in (client.bare, client.only_awaitables):
        result = await member()
        assert not isinstance(result, (Widget, Gadget))
    redis_like = af.fake(AsyncClient)
    assert isinstance(await redis_like.either(), Widget)
    several = await redis_like.several()
    assert not isinstance(several, (Widget, Gadget))  # Widget | Gadget is no one class


async def test_awaiting_a_property_gives_a_fake_of_the_awaited_class() -> None:
    """It specs what awaiting an awaitable property gives, whatever the form of its annotation."""
    client = af.fake(Client)
    assert isinstance(await client.ready, Widget)


class Store:
    """Static and class methods, sync and async."""

    @staticmethod
    async def connect(dsn: str) -> Store: ...

    @classmethod
    def create(cls, dsn: str, *, pool: int = 1) -> Store: ...

    @staticmethod
    def normalize(name: str) -> str: ...


async def test_static_and_class_methods_keep_their_kind_and_signature() -> None:
    """It binds static and class methods to their own signature (no self, no cls) and kind."""
    store = af.fake(Store)
    assert isinstance(await store.connect("dsn"), Store)
    assert isinstance(store.create("dsn"), Store)
    assert isinstance(store.normalize("Name"), str)
    bound = [call.bound for call in af.calls(store.connect) + af.calls(store.create)]
    assert [arguments.arguments for arguments in bound if arguments is not None] == [
        {"dsn": "dsn"},
        {"dsn": "dsn", "pool": 1},
    ]
    with pytest.raises(TypeError) as connect:
        await store.connect("a", 1)
    with pytest.raises(TypeError) as create:
        store.create()
    with pytest.raises(TypeError) as normalize:
        store.normalize(name="n", x=2)
    assert [str(error.value) for error in (connect, create, normalize)] == [
        "Store.connect() takes 1 positional argument but 2 were given\n"
        "  call:      Store.connect('a', 1)\n"
        "  signature: Store.connect(dsn)",
        "Store.create() missing 1 required positional argument: 'dsn'\n"
        "  call:      Store.create()\n"
        "  signature: Store.create(dsn, *, pool=...)",
        "Store.normalize() got an unexpected keyword argument 'x'\n"
        "  call:      Store.normalize(name='n', x=2)\n"
        "  signature: Store.normalize(name)",
    ]


def test_called_once_with_fails_for_two_matching_calls() -> None:
    """It fails `called_once_with` and `not_called` for two identical calls, saying how many there were."""
    key = af.MagicFake(name="key")
    key(1)
    key(1)
    site = line(-1)
    with pytest.raises(af.VerificationError) as once:
        af.verify(key).called_once_with(1)
    with pytest.raises(af.VerificationError) as never:
        af.verify(key).not_called()
    calls = [
        "Calls (2):",
        f"  1. key(1)  [returned]  at {HERE}:{site - 1}",
        f"  2. key(1)  [returned]  at {HERE}:{site}",
    ]
    assert str(once.value) == "\n".join(
        ["Expected key to be called once as key(1), but it was called 2 times.", *calls]
    )
    assert str(never.value) == "\n".join(
        ["Expected key not to be called, but it was called 2 times.", *calls]
    )


async def test_awaited_once_with_fails_for_two_matching_awaits() -> None:
    """It fails `awaited_once_with` for two identical awaits, and refuses it on a sync fake."""
    op = af.AsyncFake(name="op")
    await op(1)
    await op(1)
    site = line(-1)
    with pytest.raises(af.VerificationError) as once:
        af.verify(op).awaited_once_with(1)
    assert str(once.value) == "\n".join(
        [
            "Expected op to be awaited once as op(1), but it was awaited 2 times.",
            "Calls (2):",
            f"  1. op(1)  [awaited, returned]  at {HERE}:{site - 1}",
            f"  2. op(1)  [awaited, returned]  at {HERE}:{site}",
        ]
    )
    key = af.MagicFake(name="key")
    with pytest.raises(TypeError) as sync:
        af.verify(key).awaited_once_with(1)
    assert str(sync.value) == (
        "verify(key).awaited_once_with(): key is a sync fake and is never awaited; "
        "use verify(key).called_once_with(...) instead."
    )


async def test_a_call_outside_the_expected_context_names_the_contexts_it_was_in() -> None:
    """It lists the fake contexts a call was made in when it was not the expected one."""
    outer, inner = af.async_context(name="outer"), af.async_context(name="inner")
    execute = af.AsyncFake(name="execute")
    async with outer, inner:
        await execute()
        site = line(-1)
    with pytest.raises(af.VerificationError) as caught:
        af.verify(execute).awaited_inside(af.async_context(name="tx"))
    assert str(caught.value) == "\n".join(
        [
            "Expected every await of execute inside tx, but 1 of 1 await ran outside it:",
            f"  - execute()  at {HERE}:{site}  (inside: outer, inner)",
            "Run the call inside `async with tx:` or check the context passed.",
        ]
    )


class Response:
    status: int = 200


class Pending:
    """aiohttp's shape: awaiting it and entering it both give the response."""

    def __await__(self) -> Generator[Any, None, Response]: ...

    async def __aenter__(self) -> Response: ...

    async def __aexit__(self, *args: object) -> None: ...


class Session:
    def get(self, url: str) -> Pending: ...

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[str]:
        yield "real"


async def test_a_stubbed_context_manager_member_enters_raises_waits_or_hands_over() -> None:
    """It makes each call of a context-manager member a named context that does what the stub says."""
    session = af.fake(Session)
    af.when(session.transaction).enters("tx")
    context = session.transaction()
    assert context.name == "Session.transaction()"
    async with context as value:
        assert value == "tx"
    with pytest.raises(TypeError, match=r"^Session\.transaction\(\) is an async context manager"):
        await context  # type: ignore[misc]
    af.when(session.transaction).raises(ConnectionError("down"))
    with pytest.raises(ConnectionError):
        await session.transaction().__aenter__()
    async with af.virtual_time() as clock:
        af.when(session.transaction).after(1).enters("late")
        async with session.transaction() as value:
            assert (value, clock.now()) == ("late", 1.0)
    own = af.async_context("own")
    af.when(session.transaction).returns(own)
    assert session.transaction() is own
    af.when(session.transaction).runs(lambda: own)
    assert session.transaction() is own


async def test_a_stubbed_awaitable_context_member_gives_the_same_either_way() -> None:
    """It makes an awaitable context member's stub answer `await` and `async with` alike."""
    session = af.fake(Session)
    response = Response()
    af.when(session.get).enters(response)
    assert await session.get("u") is response
    async with session.get("u") as entered:
        assert entered is response
    af.when(session.get).runs(lambda url: url.upper())
    assert await session.get("u") == "U"
    af.when(session.get).returns("plain")
    assert await session.get("u") == "plain"
    af.when(session.get).raises(KeyError("k"))
    with pytest.raises(KeyError):
        await session.get("u")
    async with af.virtual_time() as clock:
        af.when(session.get).after(2).enters(response)
        assert await session.get("u") is response
        assert clock.now() == 2.0
    unstubbed = af.fake(Session)
    assert isinstance(await unstubbed.get("u"), Response)


@pytest.mark.parametrize(
    ("script", "outcomes"),
    [
        ("returns(1).times(2).returns(2)", [1, 1, 2, 2, 2, 2]),
        ("returns(1).returns(2)", [1, 2, 2, 2, 2, 2]),
        ("returns(1).times(2)", [1, 1, "default", "default", "default", "default"]),
        (
            "raises(KeyError).times(2).returns('ok').times(1)",
            ["KeyError", "KeyError", "ok", "default", "default", "default"],
        ),
        ("returns(1).times(1).returns(2).times(1).returns(3)", [1, 2, 3, 3, 3, 3]),
        ("returns(1).times(3).returns(2).times(2)", [1, 1, 1, 2, 2, "default"]),
    ],
)
async def test_a_script_serves_each_outcome_its_times_then_repeats_the_last(
    script: str, outcomes: list[object]
) -> None:
    """It serves outcomes in order, each `times(n)` calls; the last repeats unless counted."""
    op = af.AsyncFake(name="op", return_value="default")
    eval(f"af.when(op).{script}", {"af": af, "op": op})  # the script, as a test would write it
    seen: list[object] = []
    for _ in outcomes:
        try:
            seen.append(await op())
        except KeyError:
            seen.append("KeyError")
    assert seen == outcomes


async def test_a_delayed_outcome_is_described_with_its_delay() -> None:
    """It writes a rule's `after()` delay before the outcome it delays, for every kind of outcome."""
    feed = af.fake(Feed, strict=True)
    af.when(feed.get).called_with("a").after(1).raises(KeyError)
    af.when(feed.get).called_with("c").after(3).hangs()
    af.when(feed.events).called_with("t").after(0.5).yields(1)
    with pytest.raises(af.UnstubbedCallError) as fetched:
        await feed.get("z")
    with pytest.raises(af.UnstubbedCallError) as iterated:
        feed.events("z")
    assert str(fetched.value).splitlines()[1:6] == [
        "Stubs of Feed.get (the latest added wins):",
        "  1. called_with('c'): after(3).hangs()",
        "     this call differs: url='z' (the rule has 'c')",
        "  2. called_with('a'): after(1).raises(KeyError)",
        "     this call differs: url='z' (the rule has 'a')",
    ]
    assert str(iterated.value).splitlines()[2] == "  1. called_with('t'): after(0.5).yields(1)"


async def test_an_iterator_member_can_raise_or_run_a_function() -> None:
    """It ends a stubbed iteration with the error of `raises()`, or hands over what `runs()` gives."""
    feed = af.fake(Feed)
    af.when(feed.events).raises(EOFError)
    events = feed.events("t")
    assert events.name == "Feed.events()"
    seen: list[int] = []

    async def read() -> None:
        async for event in events:
            seen.append(event)

    with pytest.raises(EOFError):
        await read()
    assert seen == []
    af.when(feed.events).runs(lambda topic: af.async_iter([topic, topic]))
    assert [event async for event in feed.events("q")] == ["q", "q"]
