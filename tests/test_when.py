"""af.when(): outcome scripts, argument rules, and refusals of the wrong kind of stub."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from unittest.mock import ANY

import pytest
from dirty_equals import IsInt, IsStr

import asyncfakes as af
from _shapes import Api, Response

# ------------------------------------------------------------------ matching


async def test_returns_answers_any_arguments() -> None:
    """A rule without called_with matches every call."""
    api = af.fake(Api)
    ok = Response()
    af.when(api.get).returns(ok)
    assert await api.get("https://a") is ok
    assert await api.get("https://b", timeout=1) is ok


async def test_called_with_matches_those_arguments_only() -> None:
    """A called_with rule answers matching calls; others get the default."""
    api = af.fake(Api)
    a = Response()
    af.when(api.get).called_with("https://a").returns(a)
    assert await api.get("https://a") is a
    assert await api.get("https://b") is not a


async def test_arguments_match_after_binding_to_the_real_signature() -> None:
    """called_with("a") matches get(url="a"), and defaults count."""
    api = af.fake(Api)
    a = Response()
    af.when(api.get).called_with(url="https://a", timeout=5.0).returns(a)
    assert await api.get("https://a") is a
    assert await api.get("https://a", timeout=1) is not a


async def test_the_latest_matching_rule_wins() -> None:
    """Of several matching rules, the one added last answers."""
    api = af.fake(Api)
    first, second, specific = Response(1), Response(2), Response(3)
    af.when(api.get).returns(first)
    af.when(api.get).called_with("https://a").returns(specific)
    af.when(api.get).returns(second)
    assert await api.get("https://a") is second
    af.when(api.get).called_with("https://a").returns(specific)
    assert await api.get("https://a") is specific
    assert await api.get("https://b") is second


async def test_matchers_compare_with_eq() -> None:
    """ANY and dirty-equals matchers work in called_with."""
    api = af.fake(Api)
    a, b = Response(1), Response(2)
    af.when(api.get).called_with(ANY, timeout=IsInt).returns(a)
    af.when(api.get).called_with(IsStr(regex=r"https://b.*"), timeout=ANY).returns(b)
    assert await api.get("https://x", timeout=3) is a
    assert await api.get("https://b/1", timeout=3.5) is b


def test_called_with_refuses_arguments_the_real_signature_rejects() -> None:
    """A called_with the real method would reject is an immediate error."""
    api = af.fake(Api)
    with pytest.raises(af.SpecError) as caught:
        af.when(api.get).called_with("https://a", tmeout=1)
    assert isinstance(caught.value, TypeError)
    assert str(caught.value) == (
        "af.when(Api.get).called_with('https://a', tmeout=1): "
        "Api.get() got an unexpected keyword argument 'tmeout'. Did you mean 'timeout'?\n"
        "  signature: Api.get(url, *, timeout=...)"
    )


async def test_plain_fakes_match_arguments_as_passed() -> None:
    """Unspec'd fakes compare args and kwargs as they were passed."""
    op = af.AsyncFake(name="op")
    af.when(op).called_with(1, key="k").returns("one")
    assert await op(1, key="k") == "one"
    assert await op(key="k") != "one"


# -------------------------------------------------------------------- scripts


async def test_outcomes_are_consumed_one_per_call_and_the_last_repeats() -> None:
    """A script serves one outcome per call; the last one repeats forever."""
    op = af.AsyncFake(name="op")
    af.when(op).returns(1).returns(2)
    assert [await op(), await op(), await op()] == [1, 2, 2]


async def test_times_makes_an_outcome_serve_several_calls() -> None:
    """times(n) makes the previous outcome serve n calls in all."""
    op = af.AsyncFake(name="op")
    af.when(op).raises(ConnectionError).times(2).returns("ok")
    results = []
    for _ in range(4):
        try:
            results.append(await op())
        except ConnectionError:
            results.append("error")
    assert results == ["error", "error", "ok", "ok"]


async def test_a_used_up_rule_falls_back_to_older_rules() -> None:
    """When times() limits the last outcome, the rule is used up after n calls."""
    op = af.AsyncFake(name="op", return_value="default")
    af.when(op).returns("older")
    af.when(op).returns("newer").times(2)
    assert [await op(), await op(), await op()] == ["newer", "newer", "older"]


async def test_raises_takes_classes_and_instances() -> None:
    """raises() takes an exception class (instantiated per call) or an instance."""
    api = af.fake(Api)
    error = TimeoutError("slow")
    af.when(api.get).called_with("https://a").raises(error)
    af.when(api.get).called_with("https://b").raises(ConnectionError)
    with pytest.raises(TimeoutError) as caught:
        await api.get("https://a")
    assert caught.value is error
    with pytest.raises(ConnectionError):
        await api.get("https://b")
    (_, record) = af.calls(api.get)
    assert record.outcome == "raised"


async def test_runs_computes_the_outcome_with_a_sync_or_async_function() -> None:
    """runs() calls a function with the call's arguments; async ones are awaited."""
    api = af.fake(Api)

    async def fetch(url: str, *, timeout: float = 5.0) -> Response:
        return Response(len(url))

    af.when(api.get).runs(fetch)
    af.when(api.key).runs(lambda user_id: f"user:{user_id}")
    assert (await api.get("https://a")).status == 9
    assert api.key(7) == "user:7"


async def test_returns_hands_over_an_awaitable_value_unawaited() -> None:
    """returns(future) gives the future itself: stubbed values are never awaited."""
    op = af.AsyncFake(name="op")
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    af.when(op).returns(future)
    assert await op() is future


async def test_hangs_until_cancelled() -> None:
    """hangs() never completes; a timeout cancels it and the record says so."""
    api = af.fake(Api)
    af.when(api.get).hangs()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(api.get("https://a"), 0.01)
    (record,) = af.calls(api.get)
    assert record.outcome == "cancelled"


async def test_after_delays_the_next_outcome_in_loop_time() -> None:
    """after(s) adds s seconds of loop time before the outcome (instant under virtual time)."""
    api = af.fake(Api)
    slow = Response()
    af.when(api.get).after(30).returns(slow)
    async with af.virtual_time() as clock:
        start = clock.now()
        assert await api.get("https://a") is slow
        assert clock.now() - start == pytest.approx(30)


async def test_after_without_an_outcome_delays_the_default() -> None:
    """after(s) at the end of a script delays the unstubbed default."""
    op = af.AsyncFake(name="op", return_value="default")
    af.when(op).after(5)
    async with af.virtual_time() as clock:
        assert await op() == "default"
        assert clock.now() == pytest.approx(5)


async def test_after_then_raises() -> None:
    """A delayed failure fails after the delay."""
    op = af.AsyncFake(name="op")
    af.when(op).after(2).raises(TimeoutError)
    async with af.virtual_time() as clock:
        with pytest.raises(TimeoutError):
            await op()
        assert clock.now() == pytest.approx(2)


async def test_after_delays_a_context_given_by_runs_or_returns() -> None:
    """after(s) before runs()/returns() of a context waits s before entering (and awaiting) it."""
    api = af.fake(Api)
    entered = Response()
    af.when(api.stream).after(3).runs(lambda url: af.async_context(entered))
    af.when(api.request).after(4).returns(af.async_context(entered, awaitable=True))
    async with af.virtual_time() as clock:
        async with api.stream("https://a") as response:
            assert response is entered
            assert clock.now() == pytest.approx(3)
        async with api.request("https://a") as response:
            assert response is entered
            assert clock.now() == pytest.approx(7)
        assert await api.request("https://a") is entered
        assert clock.now() == pytest.approx(11)


async def test_a_context_only_result_of_an_awaitable_context_member_is_awaitable() -> None:
    """returns(cm) on a member that is awaitable and a context: await gives cm, async with enters it."""
    steps: list[str] = []

    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[Response]:
        steps.append("enter")
        yield Response(201)
        steps.append("exit")

    api = af.fake(Api)
    context = opened()
    af.when(api.request).returns(context)
    assert await api.request("https://a") is context
    async with api.request("https://a") as response:
        assert response.status == 201
    assert steps == ["enter", "exit"]


def test_sync_members_are_stubbed_too() -> None:
    """A plain method's stubs answer at call time."""
    api = af.fake(Api)
    af.when(api.key).called_with(1).returns("one")
    af.when(api.key).called_with(2).raises(KeyError("two"))
    assert api.key(1) == "one"
    with pytest.raises(KeyError):
        api.key(2)
    assert isinstance(api.key(3), str)


# ------------------------------------------------------ iterators and contexts


async def test_yields_gives_one_iteration_per_call() -> None:
    """Each yields() is one call's iteration; a raises() right after ends that iteration."""
    api = af.fake(Api)
    af.when(api.events).yields(1, 2).raises(EOFError).yields(3)
    seen: list[object] = []

    async def read_all() -> None:
        async for event in api.events("t"):
            seen.append(event)

    with pytest.raises(EOFError):
        await read_all()
    await read_all()
    assert seen == [1, 2, 3]


async def test_yields_on_a_plain_magic_fake() -> None:
    """An unspec'd MagicFake can be stubbed to return async iterators."""
    events = af.MagicFake(name="events")
    af.when(events).yields("a", "b")
    assert [event async for event in events()] == ["a", "b"]


async def test_returns_an_async_iterable_for_a_generator_member() -> None:
    """returns() on an async generator member takes an async iterable."""
    api = af.fake(Api)
    af.when(api.events).returns(af.async_iter([5, 6]))
    assert [event async for event in api.events("t")] == [5, 6]


async def test_enters_a_context_manager_member() -> None:
    """enters(v): `async with member(...) as x` gives v, with a fresh context per call."""
    api = af.fake(Api)
    ok = Response()
    af.when(api.stream).enters(ok)
    first = api.stream("https://a")
    async with first as response:
        assert response is ok
    assert isinstance(first, af.FakeAsyncContext)
    assert first is not api.stream("https://a")
    assert first.entered == first.exited == 1


async def test_enters_an_awaitable_context_member_both_ways() -> None:
    """For an awaitable context manager, awaiting and entering both give the value."""
    api = af.fake(Api)
    ok = Response()
    af.when(api.request).enters(ok)
    assert await api.request("https://a") is ok
    async with api.request("https://a") as response:
        assert response is ok


async def test_returns_a_plain_value_for_an_awaitable_context_member() -> None:
    """returns(v) on an awaitable context manager means awaiting and entering give v."""
    api = af.fake(Api)
    ok = Response()
    af.when(api.request).returns(ok)
    assert await api.request("https://a") is ok
    async with api.request("https://a") as response:
        assert response is ok


async def test_a_context_member_can_fail_or_hang_on_entry() -> None:
    """raises()/hangs()/after() on a context member act when it is entered or awaited."""
    api = af.fake(Api)
    af.when(api.request).called_with("https://down").raises(ConnectionError)
    af.when(api.request).called_with("https://slow").hangs()
    with pytest.raises(ConnectionError):
        async with api.request("https://down"):
            pass
    with pytest.raises(ConnectionError):
        await api.request("https://down")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(api.request("https://slow"), 0.01)
    af.when(api.stream).after(3).enters(Response(7))
    async with af.virtual_time() as clock:
        async with api.stream("u") as response:
            assert response.status == 7
        assert clock.now() == pytest.approx(3)


async def test_calls_inside_an_entered_context_see_it() -> None:
    """Calls made inside `async with member(...)` list its context in CallRecord.inside."""
    api = af.fake(Api)
    af.when(api.stream).enters(Response())
    async with api.stream("u"):
        await api.get("https://a")
    (stream_call,) = af.calls(api.stream)
    af.verify(api.get).awaited_inside(stream_call.result)


# ------------------------------------------------------------------ refusals


def test_when_refuses_a_real_function() -> None:
    """when() on something that is not a fake says what was passed and what to pass."""

    async def fetch(url: str) -> bytes:
        return b""

    with pytest.raises(TypeError) as caught:
        af.when(fetch)
    assert str(caught.value) == (
        "when() takes a fake's method or a fake callable, but got function "
        "'test_when_refuses_a_real_function.<locals>.fetch'. Make a fake with af.fake(...) or "
        "af.patch(...) and pass it (or its method) instead."
    )


def test_when_refuses_a_fake_instance_that_cannot_be_called() -> None:
    """when(fake_of_a_class) points at its methods."""
    api = af.fake(Api, name="api")
    with pytest.raises(TypeError) as caught:
        af.when(api)
    assert str(caught.value) == (
        "when() takes a fake's method or a fake callable, but api is a fake instance that "
        "is not callable. Pass one of its methods: af.when(api.<method>)."
    )


def test_yields_on_a_coroutine_method_is_refused() -> None:
    """yields() on an `async def` says what the member is and what to use."""
    api = af.fake(Api)
    with pytest.raises(af.SpecError) as caught:
        af.when(api.get).yields(Response)  # type: ignore[misc, arg-type]
    assert isinstance(caught.value, TypeError)
    assert str(caught.value) == (
        "af.when(Api.get).yields(<class '_shapes.Response'>): Api.get is a coroutine "
        "method (async def); yields() is for async generator members. Use .returns(...) to set "
        "what awaiting it gives."
    ).replace("test_when.", f"{__name__}.")


def test_enters_on_a_plain_method_is_refused() -> None:
    """enters() on a plain method is an immediate error."""
    api = af.fake(Api)
    with pytest.raises(TypeError) as caught:
        af.when(api.key).enters("x")  # type: ignore[misc, arg-type]
    assert str(caught.value) == (
        "af.when(Api.key).enters('x'): Api.key is a plain (sync) method; enters() is for "
        "members that return an async context manager. Use .returns(...) to set what calling "
        "it gives."
    )


def test_returns_a_non_context_for_a_context_member_is_refused() -> None:
    """returns(value) on a context-manager member needs a context manager."""
    api = af.fake(Api)
    with pytest.raises(TypeError) as caught:
        af.when(api.stream).returns(42)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "af.when(Api.stream).returns(42): Api.stream is a method returning an async context "
        "manager; returns() needs an async context manager, not int. Use .enters(...) to set "
        "what `async with` gives."
    )


def test_returns_a_non_iterable_for_a_generator_member_is_refused() -> None:
    """returns(value) on an async generator member needs an async iterable."""
    api = af.fake(Api)
    with pytest.raises(TypeError) as caught:
        af.when(api.events).returns([1, 2])  # type: ignore[arg-type]
    assert str(caught.value) == (
        "af.when(Api.events).returns([1, 2]): Api.events is an async generator method; "
        "returns() needs an async iterable, not list. Use .yields(...) to set the items it gives."
    )


def test_hangs_and_after_on_a_sync_member_are_refused() -> None:
    """A sync call can neither hang nor be delayed."""
    api = af.fake(Api)
    with pytest.raises(TypeError) as caught:
        af.when(api.key).hangs()
    assert str(caught.value) == (
        "af.when(Api.key).hangs(): Api.key is a plain (sync) method; a sync call cannot hang. "
        "Use .returns(...) to set what calling it gives."
    )
    with pytest.raises(TypeError) as caught:
        af.when(api.key).after(1)
    assert str(caught.value) == (
        "af.when(Api.key).after(1): Api.key is a plain (sync) method; a sync call cannot be "
        "delayed. Use .returns(...) to set what calling it gives."
    )


def test_enters_on_an_async_fake_is_refused() -> None:
    """An unspec'd AsyncFake is awaited, so it cannot enter or yield."""
    op = af.AsyncFake(name="op")
    with pytest.raises(TypeError) as caught:
        af.when(op).enters(1)
    assert str(caught.value) == (
        "af.when(op).enters(1): op is an awaitable fake (AsyncFake); enters() is for members "
        "that return an async context manager. Use .returns(...) to set what awaiting it gives."
    )


def test_bad_verb_arguments_are_refused() -> None:
    """times() needs an outcome before it and a positive count; after() a non-negative delay."""
    op = af.AsyncFake(name="op")
    with pytest.raises(ValueError) as caught:
        af.when(op).times(2)
    assert str(caught.value) == (
        "af.when(op).times(2): times() repeats the outcome before it; call it after returns(), "
        "raises(), runs(), yields(), enters() or hangs()."
    )
    with pytest.raises(ValueError) as caught:
        af.when(op).returns(1).times(0)
    assert str(caught.value) == "af.when(op).times(0): count must be an int >= 1."
    with pytest.raises(ValueError) as caught:
        af.when(op).after(-1)
    assert str(caught.value) == "af.when(op).after(-1): seconds must be a number >= 0."
    with pytest.raises(TypeError) as caught:
        af.when(op).raises("boom")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "af.when(op).raises('boom'): raises() takes an exception instance or class."
    )
    with pytest.raises(TypeError) as caught:
        af.when(op).runs(42)  # type: ignore[arg-type]
    assert str(caught.value) == "af.when(op).runs(42): runs() takes a function (sync or async)."


# ------------------------------------------------------------------ typecheck


def test_typecheck_refuses_a_stubbed_value_of_the_wrong_type() -> None:
    """With typecheck=True, returns()/yields()/enters() values are checked at once."""
    api = af.fake(Api, typecheck=True)
    with pytest.raises(af.SpecError) as caught:
        af.when(api.get).returns(42)  # type: ignore[call-overload]
    assert str(caught.value) == (
        "af.when(Api.get).returns(42): Api.get gives Response, not int (typecheck=True)"
    )
    with pytest.raises(TypeError) as caught:
        af.when(api.events).yields(1, "two")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "af.when(Api.events).yields('two'): Api.events gives int, not str (typecheck=True)"
    )
    with pytest.raises(TypeError) as caught:
        af.when(api.stream).enters("x")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "af.when(Api.stream).enters('x'): Api.stream gives Response, not str (typecheck=True)"
    )


async def test_typecheck_checks_what_runs_computes() -> None:
    """With typecheck=True, a runs() function's result is checked at call time."""
    api = af.fake(Api, typecheck=True)
    af.when(api.get).runs(lambda url, timeout=5.0: "oops")
    with pytest.raises(TypeError) as caught:
        await api.get("https://a")
    assert re.sub(r"<lambda>", "fn", str(caught.value)) == (
        "af.when(Api.get).runs(fn) gave 'oops': Api.get gives Response, not str (typecheck=True)"
    )


def test_the_stub_repr_names_the_fake() -> None:
    """A Stub shows which fake it configures."""
    assert repr(af.when(af.fake(Api).get)) == "<Stub of Api.get>"


def test_runs_a_coroutine_function_for_a_sync_member_is_refused() -> None:
    """A sync member cannot run an async function: nobody would await its coroutine."""
    api = af.fake(Api)

    async def compute(user_id: int) -> str:
        return "k"

    with pytest.raises(TypeError) as caught:
        af.when(api.key).runs(compute)
    assert str(caught.value) == (
        "af.when(Api.key).runs(compute): Api.key is a plain (sync) method; a sync call cannot run a "
        "coroutine function (its coroutine would never be awaited). Use .returns(...) to set "
        "what calling it gives."
    )


# ------------------------------------------- rules and the unittest.mock way


async def test_a_call_no_rule_answers_gets_return_value_or_side_effect() -> None:
    """Rules answer first; other calls, or calls after a rule is used up, fall back."""
    fetch = af.AsyncFake(name="fetch")
    af.when(fetch).called_with(1).returns("one")
    fetch.return_value = "default"
    assert [await fetch(1), await fetch(2)] == ["one", "default"]
    counted = af.AsyncFake(name="counted")
    af.when(counted).returns("rule").times(2)
    counted.side_effect = ["effect"]
    assert [await counted(), await counted(), await counted()] == ["rule", "rule", "effect"]
    used_up = af.AsyncFake(name="used_up")
    af.when(used_up).returns("rule").times(1)
    assert await used_up() == "rule"
    used_up.return_value = "later"  # the rule is used up: the value is reachable
    assert await used_up() == "later"
    delayed = af.AsyncFake(name="delayed")
    af.when(delayed).after(2)  # no outcome: the default comes, later
    delayed.return_value = "late"
    async with af.virtual_time() as clock:
        assert await delayed() == "late"
        assert clock.now() == pytest.approx(2)


def test_configuring_a_fake_a_rule_answers_in_full_is_refused() -> None:
    """Setting return_value or side_effect that no call could reach raises, naming the rule."""
    fetch = af.MagicFake(name="fetch")
    af.when(fetch).returns(1)
    with pytest.raises(ValueError) as refused:
        fetch.return_value = "x" * 80
    assert str(refused.value) == (
        f"fetch.return_value = {('x' * 80)!r:.57}...: never used, because a when() rule "
        "answers every call of fetch first (any arguments: returns(1)). Add a rule instead "
        "(af.when(fetch).returns(...); the latest added wins), or drop the rules first with "
        "fetch.reset_mock(return_value=True, side_effect=True)."
    )
    # Also while a later rule still waits for its outcome.
    pending = af.when(fetch).called_with(2)
    with pytest.raises(ValueError, match=r"^fetch\.side_effect = \[3\]: never used"):
        fetch.side_effect = [3]
    pending.returns(2)
    assert [fetch(1), fetch(2)] == [1, 2]


def test_only_the_return_value_child_itself_is_exempt_from_the_refusal() -> None:
    """Another child of the fake, or another fake's return value, set as return_value is refused."""
    fetch = af.MagicFake(name="fetch")
    other = af.MagicFake(name="other")
    af.when(fetch).returns(1)
    for value in (fetch.session, other.return_value):
        with pytest.raises(ValueError, match=r"^fetch\.return_value = .*: never used"):
            fetch.return_value = value
    assert fetch() == 1


async def test_reading_return_value_next_to_rules_is_not_a_set() -> None:
    """Reading return_value (which creates and stores a child) is allowed while rules answer."""
    fetch = af.AsyncFake(name="fetch")
    af.when(fetch).returns(1)
    assert fetch.return_value is fetch.return_value
    api = af.fake(Api)
    af.when(api.stream).enters(Response())
    context = api.stream.return_value
    assert context is api.stream.return_value
    assert await fetch() == 1


async def test_reset_mock_of_return_value_or_side_effect_forgets_the_rules() -> None:
    """reset_mock(return_value=True) or (side_effect=True) drops the rules; reset_mock() keeps them."""
    api = af.fake(Api)
    ok = Response()
    af.when(api.get).returns(ok)
    api.get.reset_mock()
    assert await api.get("https://a") is ok
    api.get.reset_mock(side_effect=True)
    assert await api.get("https://a") is not ok
    api.get.return_value = ok  # accepted now: no rule answers first
    assert await api.get("https://a") is ok
    fetch = af.AsyncFake(name="fetch")
    af.when(fetch).returns(1)
    fetch.reset_mock(return_value=True)
    assert isinstance(await fetch(), af.AsyncFake)
    strict = af.fake(Api, strict=True, name="strict")  # a member hook, and no rules yet
    strict.get.reset_mock(return_value=True)
    with pytest.raises(af.UnstubbedCallError):
        await strict.get("https://a")


async def test_a_strict_fake_marks_how_a_call_differs_from_each_rule() -> None:
    """Under each called_with rule it lists the call's differing arguments; a used-up match has none."""
    api = af.fake(Api, strict=True, name="api")
    ok = Response()
    af.when(api.get).called_with("https://a").returns(ok).times(1)
    af.when(api.get).called_with("https://b", timeout=1).returns(ok)
    assert await api.get("https://a") is ok
    with pytest.raises(af.UnstubbedCallError) as caught:
        await api.get("https://a")
    assert str(caught.value).splitlines()[1:5] == [
        "Stubs of api.get (the latest added wins):",
        "  1. called_with('https://b', timeout=1): returns(<_shapes.Response object at "
        f"{id(ok):#x}>)",
        "     this call differs: url='https://a' (the rule has 'https://b'), "
        "timeout=5.0 (the rule has 1)",
        "  2. called_with('https://a'): returns(<_shapes.Response object at "
        f"{id(ok):#x}>).times(1)  (used up)",
    ]


async def test_after_delays_awaiting_a_context_only_result_and_a_plain_context_is_not_awaitable() -> (
    None
):
    """after() delays `await` of a context-only result on an awaitable member; a plain one refuses await."""
    steps: list[str] = []

    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[Response]:
        steps.append("enter")
        yield Response(201)

    api = af.fake(Api)
    context = opened()
    af.when(api.request).after(2).returns(context)
    async with af.virtual_time() as clock:
        assert await api.request("https://a") is context
        assert clock.now() == pytest.approx(2)
    af.when(api.stream).after(1).runs(lambda url: af.async_context(Response()))
    with pytest.raises(TypeError, match=r"can't be used in 'await' expression"):
        await api.stream("https://a")  # type: ignore[misc]
    assert steps == []


def test_a_configuration_value_is_shown_whole_up_to_60_characters() -> None:
    """The refusal shows a value's repr whole up to 60 characters, cut with "..." beyond."""
    fetch = af.MagicFake(name="fetch")
    af.when(fetch).returns(1)
    for value, shown in (("x" * 58, repr("x" * 58)), ("x" * 59, repr("x" * 59)[:57] + "...")):
        with pytest.raises(ValueError) as refused:
            fetch.return_value = value
        assert str(refused.value).startswith(f"fetch.return_value = {shown}: never used")
