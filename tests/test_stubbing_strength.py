"""af.when(), edge by edge: what each branch of the stubbing module does, checked exactly.

The tests in test_when.py show the features; these pin down the details that
mutation testing found unchecked: scripts with several counts, how rules are
described, which shape answers which verb, what each outcome hands over and to
which call it is bound, and the rules that never got an outcome.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
import trio
import trio.testing

import asyncfakes as af
from _shapes import Api, Response
from asyncfakes._cm import set_value_hooks
from asyncfakes._spec import Kind
from asyncfakes._stubbing import _KIND_SHAPE, pop_incomplete_rules


class Hooked:
    """A value that learns which call handed it out (as af.httpx_response does)."""

    def __init__(self) -> None:
        self.bound: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        set_value_hooks(self, bind=self._bind)

    def _bind(self, name: str, args: tuple[Any, ...], kwargs: Any) -> None:
        self.bound.append((name, args, dict(kwargs)))


class HookedIterable(Hooked):
    def __aiter__(self) -> AsyncIterator[int]:
        return af.async_iter([1, 2]).__aiter__()


class HookedContext(Hooked):
    async def __aenter__(self) -> str:
        return "entered"

    async def __aexit__(self, *exc_info: object) -> None:
        return None


# -------------------------------------------------------------------- scripts


async def test_counted_outcomes_serve_their_counts_in_turn() -> None:
    """Each times(n) outcome serves exactly n calls, then the next outcome takes over."""
    op = af.AsyncFake(name="op", return_value="default")
    af.when(op).returns(1).times(2).returns(2).times(3).returns(3).times(1)
    assert [await op() for _ in range(8)] == [1, 1, 2, 2, 2, 3, "default", "default"]


async def test_uncounted_outcomes_before_the_last_serve_one_call_each() -> None:
    """Outcomes without times() serve one call each; the last one repeats."""
    op = af.AsyncFake(name="op")
    af.when(op).returns(1).returns(2).returns(3)
    assert [await op() for _ in range(5)] == [1, 2, 3, 3, 3]


async def test_an_outcome_added_to_a_used_up_rule_revives_it() -> None:
    """A stub kept by the test can extend its rule's script after it was used up."""
    op = af.AsyncFake(name="op", return_value="default")
    stub = af.when(op).returns(1).times(1)
    assert [await op(), await op()] == [1, "default"]
    stub.returns(2)
    assert [await op(), await op()] == [2, 2]


async def test_an_after_alone_can_be_counted() -> None:
    """after(s).times(n): n calls get the default after s seconds, then the next outcome."""
    op = af.AsyncFake(name="op", return_value="default")
    af.when(op).after(1).times(2).returns("ok")
    async with af.virtual_time() as clock:
        assert [await op(), await op(), await op()] == ["default", "default", "ok"]
        assert clock.now() == pytest.approx(2)


async def test_after_zero_is_accepted() -> None:
    """after(0) is a valid (empty) delay."""
    op = af.AsyncFake(name="op")
    af.when(op).after(0).returns("now")
    assert await op() == "now"


def test_times_refuses_a_bool() -> None:
    """times(True) is refused: a bool is not a count."""
    op = af.AsyncFake(name="op")
    with pytest.raises(
        ValueError, match=r"^af\.when\(op\)\.times\(True\): count must be an int >= 1\.$"
    ):
        af.when(op).returns(1).times(True)


# ---------------------------------------------------------------- describing


async def test_the_unstubbed_message_describes_every_rule() -> None:
    """A strict fake's message lists the rules: arguments as written, script, used-up state."""
    api = af.fake(Api, strict=True)

    async def fetch(url: str, *, timeout: float = 5.0) -> Response:
        return Response()

    af.when(api.get).returns("r").times(1)  # type: ignore[call-overload]
    af.when(api.get).called_with("https://a", timeout=1).after(1).runs(fetch)
    af.when(api.get).called_with(url="https://b").raises(KeyError).after(2).times(3)
    assert await api.get("https://x") == "r"
    with pytest.raises(af.UnstubbedCallError) as caught:
        await api.get("https://y")
    assert str(caught.value) == (
        "Unstubbed call on a strict fake: Api.get('https://y')\n"
        "Stubs of Api.get (the latest added wins):\n"
        "  1. called_with(url='https://b'): raises(KeyError).after(2).times(3)\n"
        "     this call differs: url='https://y' (the rule has 'https://b')\n"
        "  2. called_with('https://a', timeout=1): after(1).runs(fetch)\n"
        "     this call differs: url='https://y' (the rule has 'https://a'), "
        "timeout=5.0 (the rule has 1)\n"
        "  3. any arguments: returns('r').times(1)  (used up)\n"
        "Stub it with: af.when(Api.get).called_with('https://y').returns(...)"
    )


async def test_a_function_without_a_qualname_is_shown_by_its_repr() -> None:
    """runs(functools.partial(...)) is named by its repr in messages."""
    api = af.fake(Api, typecheck=True)
    af.when(api.key).runs(functools.partial(int))
    with pytest.raises(af.SpecError) as caught:
        api.key(1)
    assert str(caught.value) == (
        "af.when(Api.key).runs(functools.partial(<class 'int'>)) gave 1: "
        "Api.key gives str, not int (typecheck=True)"
    )


def test_a_refusal_on_a_plain_magic_fake_names_it() -> None:
    """A verb a MagicFake cannot take says it is a sync fake."""
    with pytest.raises(af.SpecError) as caught:
        af.when(af.MagicFake(name="m")).hangs()
    assert str(caught.value) == (
        "af.when(m).hangs(): m is a sync fake (MagicFake); a sync call cannot hang. "
        "Use .returns(...) to set what calling it gives."
    )


# ---------------------------------------------------------- shapes and verbs


def test_every_kind_of_member_has_a_shape() -> None:
    """The table of shapes covers every Kind (a new kind must say how it is stubbed)."""
    assert set(_KIND_SHAPE) == set(Kind)


async def test_a_magic_fake_spec_d_on_a_coroutine_function_is_stubbed_as_awaitable() -> None:
    """A MagicFake made awaitable by its spec takes the awaitable verbs (after, hangs)."""

    async def fetch(url: str) -> bytes:
        raise NotImplementedError

    fake_fetch = af.MagicFake(spec=fetch)
    af.when(fake_fetch).after(1).returns(b"late")
    async with af.virtual_time() as clock:
        assert await fake_fetch("u") == b"late"
        assert clock.now() == pytest.approx(1)


def test_a_plain_magic_fake_raises_at_call_time() -> None:
    """raises() on a MagicFake raises when it is called, not later."""
    m = af.MagicFake(name="m")
    af.when(m).raises(KeyError("k"))
    with pytest.raises(KeyError):
        m()


async def test_a_plain_magic_fake_can_enter() -> None:
    """enters() on a MagicFake makes its calls return a context that enters the value."""
    m = af.MagicFake(name="m")
    af.when(m).enters("v")
    context = m()
    assert isinstance(context, af.FakeAsyncContext)
    async with context as value:
        assert value == "v"


async def test_a_callable_fake_instance_is_stubbed_like_a_function() -> None:
    """A fake of a class with __call__ takes when() directly."""

    class Handler:
        async def __call__(self, event: str) -> int:
            raise NotImplementedError

    handler = af.fake(Handler)
    af.when(handler).called_with("e").returns(3)
    assert await handler("e") == 3


async def test_runs_passes_keyword_arguments_in_every_shape() -> None:
    """runs() gets the call's keyword arguments, whatever the member returns."""
    api = af.fake(Api)

    async def get(url: str, *, timeout: float = 5.0) -> Response:
        return Response(int(timeout))

    af.when(api.get).runs(get)
    af.when(api.key).runs(lambda user_id: f"k{user_id}")
    af.when(api.events).runs(lambda topic: af.async_iter([topic]))
    af.when(api.stream).runs(lambda url: af.async_context(Response(len(url))))
    assert (await api.get(url="u", timeout=3)).status == 3
    assert api.key(user_id=4) == "k4"
    assert [event async for event in api.events(topic="t")] == ["t"]
    async with api.stream(url="abc") as response:
        assert response.status == 3


@pytest.mark.skipif(
    sys.version_info < (3, 12), reason="inspect.markcoroutinefunction is new in Python 3.12"
)
async def test_runs_awaits_what_a_coroutine_function_returns() -> None:
    """A function marked as a coroutine function has its awaitable result awaited."""

    def later(url: str, *, timeout: float = 5.0) -> asyncio.Future[Response]:
        future = asyncio.get_running_loop().create_future()
        future.set_result(Response(201))
        return future

    api = af.fake(Api)
    af.when(api.get).runs(inspect.markcoroutinefunction(later))
    assert (await api.get("u")).status == 201


# ----------------------------------------------------------------- typecheck


async def test_without_typecheck_runs_may_give_any_type() -> None:
    """Without typecheck=True, what runs() computes is not checked."""
    api = af.fake(Api)
    af.when(api.key).runs(lambda user_id: user_id)
    assert api.key(5) == 5


async def test_typecheck_accepts_what_runs_computes_of_the_right_type() -> None:
    """With typecheck=True, a runs() result of the declared type passes."""
    api = af.fake(Api, typecheck=True)
    af.when(api.key).runs(str)
    af.when(api.get).runs(lambda url, timeout=5.0: Response(7))
    assert api.key(5) == "5"
    assert (await api.get("u")).status == 7


def test_typecheck_does_not_check_an_unannotated_result() -> None:
    """With typecheck=True, a member without a return annotation gives anything."""
    api = af.fake(Api, typecheck=True)
    af.when(api.untyped).runs(lambda value: value * 2)
    af.when(api.untyped).called_with(0).returns("zero")
    assert api.untyped(3) == 6
    assert api.untyped(0) == "zero"


async def test_typecheck_accepts_yields_of_the_right_type() -> None:
    """With typecheck=True, yields() items of the declared type pass."""
    api = af.fake(Api, typecheck=True)
    af.when(api.events).yields(1, 2)
    assert [event async for event in api.events("t")] == [1, 2]


async def test_typecheck_on_an_awaitable_context_checks_plain_values_only() -> None:
    """For an awaitable context member, returns(context) passes; a plain value is checked."""
    api = af.fake(Api, typecheck=True)
    with pytest.raises(af.SpecError) as caught:
        af.when(api.request).returns("wrong")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "af.when(Api.request).returns('wrong'): Api.request gives Response, not str (typecheck=True)"
    )
    af.when(api.request).returns(af.async_context(Response(5)))  # type: ignore[arg-type]
    async with api.request("u") as response:
        assert response.status == 5


# ------------------------------------------------- iterators and contexts


async def test_an_awaitable_context_hands_over_a_returned_context_as_it_is() -> None:
    """returns(context) on an awaitable context member: entering enters that context."""
    api = af.fake(Api)
    context = af.async_context(Response(9))
    af.when(api.request).returns(context)  # type: ignore[arg-type]
    returned = api.request("u")
    assert returned is context
    async with returned as response:
        assert response.status == 9


async def test_a_delayed_plain_value_of_an_awaitable_context_waits_when_awaited() -> None:
    """after(s).returns(v) on an awaitable context member: awaiting waits s, then gives v."""
    api = af.fake(Api)
    af.when(api.request).after(4).returns(Response(3))  # type: ignore[arg-type]
    async with af.virtual_time() as clock:
        context = api.request("u")
        assert context.name == "Api.request()"
        assert (await context).status == 3
        assert clock.now() == pytest.approx(4)


async def test_a_context_member_after_alone_enters_the_default_value() -> None:
    """after(s) alone on a context member: entering waits, then gives what unstubbed calls give."""
    api = af.fake(Api)
    async with api.stream("u") as default:
        pass
    af.when(api.stream).after(2)
    async with af.virtual_time() as clock:
        context = api.stream("u")
        assert context.name == "Api.stream()"
        async with context as entered:
            assert entered is default
        assert clock.now() == pytest.approx(2)


async def test_a_context_member_fails_or_hangs_after_a_delay() -> None:
    """after(s).raises()/hangs() on a context member wait s before failing or hanging."""
    api = af.fake(Api)
    af.when(api.stream).called_with("down").after(2).raises(ConnectionError)
    af.when(api.stream).called_with("stuck").after(1).hangs()
    async with af.virtual_time() as clock:
        with pytest.raises(ConnectionError):
            async with api.stream("down"):
                pass
        assert clock.now() == pytest.approx(2)

        async def enter_stuck() -> None:
            async with api.stream("stuck"):
                pass

        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(enter_stuck(), 5)
        assert clock.now() == pytest.approx(7)


async def test_a_generator_member_can_hang_or_wait() -> None:
    """hangs() on a generator member: iterating never ends; after() alone: an empty iteration."""
    api = af.fake(Api)
    af.when(api.events).called_with("stuck").hangs()
    af.when(api.events).called_with("late").after(3)

    async def first(topic: str) -> list[int]:
        return [event async for event in api.events(topic)]

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(first("stuck"), 0.01)
    async with af.virtual_time() as clock:
        late = api.events("late")
        assert late.name == "Api.events()"
        assert [event async for event in late] == []
        assert clock.now() == pytest.approx(3)


# ---------------------------------------------------------------- binding


async def test_every_handed_out_value_is_bound_to_its_call() -> None:
    """A value with a bind hook learns the call that returned or entered it, in every shape."""
    api = af.fake(Api)
    op = af.AsyncFake(name="op")
    sync_value, awaited, delayed, computed = Hooked(), Hooked(), Hooked(), Hooked()
    iterable, context = HookedIterable(), HookedContext()
    af.when(api.key).returns(sync_value)  # type: ignore[arg-type]
    af.when(op).called_with(1).returns(awaited)
    af.when(op).called_with(2).after(1).returns(delayed)
    af.when(op).called_with(3).runs(lambda n: computed)
    af.when(api.events).returns(iterable)
    af.when(api.stream).returns(context)  # type: ignore[arg-type]
    api.key(7)
    async with af.virtual_time():
        assert [await op(1), await op(2), await op(3)] == [awaited, delayed, computed]
    assert api.events("t") is iterable
    async with api.stream("u") as entered:
        assert entered == "entered"
    assert sync_value.bound == [("Api.key", (), {"user_id": 7})]
    assert awaited.bound == [("op", (1,), {})]
    assert delayed.bound == [("op", (2,), {})]
    assert computed.bound == [("op", (3,), {})]
    assert iterable.bound == [("Api.events", (), {"topic": "t"})]
    assert context.bound == [("Api.stream", (), {"url": "u"})]


# -------------------------------------------------------------------- trio


def test_after_and_hangs_under_trio() -> None:
    """Delays and hangs use trio's clock and cancellation when no asyncio loop runs."""
    op = af.AsyncFake(name="op")
    af.when(op).called_with("late").after(5).returns("late")
    af.when(op).called_with("stuck").hangs()
    api = af.fake(Api)
    af.when(api.stream).after(2).hangs()

    async def main() -> list[object]:
        seen: list[object] = [await op("late"), trio.current_time()]
        with trio.move_on_after(10) as scope:
            await op("stuck")
        seen.append(scope.cancelled_caught)
        with trio.move_on_after(10) as scope:
            async with api.stream("u"):
                pass
        seen.extend([scope.cancelled_caught, trio.current_time()])
        return seen

    clock = trio.testing.MockClock(autojump_threshold=0)
    assert trio.run(main, clock=clock) == ["late", 5, True, True, 25]


# ------------------------------------------------- rules without an outcome


async def test_a_call_while_a_rule_has_no_outcome_is_refused() -> None:
    """A fake refuses its calls while a rule started on it has no outcome, naming the rule."""
    op = af.AsyncFake(name="op")
    af.when(op).called_with(1)
    line = sys._getframe().f_lineno - 1
    with pytest.raises(af.SpecError) as caught:
        await op(2)
    assert str(caught.value) == (
        "op(2): a rule of op was started but has no outcome (it would be ignored):\n"
        f"  af.when(op).called_with(1)  at tests/test_stubbing_strength.py:{line}\n"
        "End it with an outcome (use .returns(...) to set what awaiting it gives), "
        "or delete it."
    )


def test_several_rules_without_an_outcome_are_all_listed() -> None:
    """Every rule still missing its outcome is listed, oldest first."""
    api = af.fake(Api)
    first = af.when(api.key)
    line = sys._getframe().f_lineno - 1
    af.when(api.key).called_with(2)
    with pytest.raises(TypeError) as caught:
        api.key(user_id=3)
    assert str(caught.value) == (
        "Api.key(user_id=3): 2 rules of Api.key were started but have no outcome "
        "(they would be ignored):\n"
        f"  af.when(Api.key)  at tests/test_stubbing_strength.py:{line}\n"
        f"  af.when(Api.key).called_with(2)  at tests/test_stubbing_strength.py:{line + 2}\n"
        "End each with an outcome (use .returns(...) to set what calling it gives), "
        "or delete it."
    )
    assert repr(first) == "<Stub of Api.key>"


async def test_calls_are_answered_again_once_every_rule_has_its_outcome() -> None:
    """Giving each pending rule its outcome (or using when() to start rules) lifts the refusal."""
    api = af.fake(Api)
    stub = af.when(api.get)
    pending = stub.called_with("https://a")
    other = af.when(api.get).called_with("https://b")
    with pytest.raises(af.SpecError):
        await api.get("https://a")
    pending.returns(Response(1))
    with pytest.raises(af.SpecError):
        await api.get("https://a")
    other.raises(ConnectionError)
    assert (await api.get("https://a")).status == 1
    with pytest.raises(ConnectionError):
        await api.get("https://b")
    assert isinstance(await api.get("https://c"), Response)


def test_a_refused_verb_does_not_leave_its_rule_pending() -> None:
    """A verb that raised already told the test: the fake's calls are not refused for it."""
    api = af.fake(Api)
    with pytest.raises(TypeError):
        af.when(api.key).hangs()
    with pytest.raises(ValueError, match="times"):
        af.when(api.key).times(0)
    assert isinstance(api.key(1), str)


async def test_a_rule_started_on_a_fake_with_complete_rules_keeps_them() -> None:
    """A new when() on a fake that has rules adds to them; the older rules still answer."""
    op = af.AsyncFake(name="op", return_value="default")
    af.when(op).called_with(1).returns("one")
    later = af.when(op).called_with(2)
    with pytest.raises(af.SpecError):
        await op(1)
    later.returns("two")
    assert [await op(1), await op(2), await op(3)] == ["one", "two", "default"]


def test_a_pending_rule_on_a_plain_magic_fake_is_refused_too() -> None:
    """The check covers unspec'd sync fakes."""
    m = af.MagicFake(name="m")
    af.when(m).called_with("a")
    with pytest.raises(af.SpecError, match=r"^m\('b'\): a rule of m was started"):
        m("b")


# ------------------------------------------------------------- more edges


async def test_the_unstubbed_message_describes_every_kind_of_outcome() -> None:
    """yields (with its raises), enters and hangs are described as written."""
    api = af.fake(Api, strict=True)
    af.when(api.events).called_with("a").yields(1, 2).raises(EOFError)
    af.when(api.events).called_with("b").after(1).hangs()
    af.when(api.events).called_with("c").yields(3)
    af.when(api.stream).called_with("c").enters(None).times(2)  # type: ignore[arg-type]
    with pytest.raises(af.UnstubbedCallError) as events:
        api.events("z")
    with pytest.raises(af.UnstubbedCallError) as stream:
        api.stream("z")
    assert str(events.value).splitlines()[1:8] == [
        "Stubs of Api.events (the latest added wins):",
        "  1. called_with('c'): yields(3)",
        "     this call differs: topic='z' (the rule has 'c')",
        "  2. called_with('b'): after(1).hangs()",
        "     this call differs: topic='z' (the rule has 'b')",
        "  3. called_with('a'): yields(1, 2).raises(EOFError)",
        "     this call differs: topic='z' (the rule has 'a')",
    ]
    assert str(stream.value).splitlines()[2:4] == [
        "  1. called_with('c'): enters(None).times(2)",
        "     this call differs: url='z' (the rule has 'c')",
    ]


class Unequal:
    """A matcher that cannot compare with anything."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("cannot compare")

    __hash__ = object.__hash__


async def test_a_matcher_that_cannot_compare_does_not_match() -> None:
    """A rule whose matcher raises on == is skipped; older rules answer."""
    op = af.AsyncFake(name="op")
    af.when(op).returns("older")
    af.when(op).called_with(Unequal()).returns("never")
    assert await op(1) == "older"


async def test_a_generator_member_can_fail_without_items() -> None:
    """raises() alone on a generator member: iterating raises at once."""
    api = af.fake(Api)
    af.when(api.events).raises(EOFError)
    with pytest.raises(EOFError):
        async for _ in api.events("t"):
            pass


def test_a_function_without_a_signature_matches_arguments_as_passed() -> None:
    """A fake of a builtin with no signature compares the arguments as they were passed."""
    fake_getattr = af.fake(getattr)
    af.when(fake_getattr).called_with(1, 2).returns("x")
    assert fake_getattr(1, 2) == "x"
    assert fake_getattr(1, b=2) != "x"


def test_rules_without_an_outcome_can_be_collected_for_an_exit_check() -> None:
    """pop_incomplete_rules() describes every rule still missing its outcome, then forgets them."""
    pop_incomplete_rules()  # rules left by earlier tests, whose fakes may still be alive
    op = af.AsyncFake(name="op", return_value="default")
    api = af.fake(Api)
    af.when(op).returns("complete")
    af.when(op).called_with(1)
    line = sys._getframe().f_lineno - 1
    af.when(api.key)
    assert sorted(pop_incomplete_rules()) == [
        f"af.when(Api.key) at tests/test_stubbing_strength.py:{line + 2} was started but has "
        "no outcome (it would be ignored). End it with an outcome (use .returns(...) to set "
        "what calling it gives), or delete it.",
        f"af.when(op).called_with(1) at tests/test_stubbing_strength.py:{line} was started but "
        "has no outcome (it would be ignored). End it with an outcome (use .returns(...) to "
        "set what awaiting it gives), or delete it.",
    ]
    assert pop_incomplete_rules() == []
    assert asyncio.run(op(1)) == "complete"
    assert isinstance(api.key(1), str)
