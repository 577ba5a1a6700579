"""`af.AsyncFake` behaves exactly like `unittest.mock.AsyncMock`.

Every scenario runs twice, once with the standard library's classes and once
with ours, and the observable results (values, lists, exception types and exact
messages) must be equal. Reprs are normalised only for the class name and the
object id, which necessarily differ.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import pickle
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from unittest import mock
from unittest.mock import ANY, DEFAULT, AsyncMock, MagicMock, call

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asyncfakes as af
from _compat import (
    OURS,
    STD,
    Kinds,
    acall,
    aoutcome,
    drive,
    failure,
    lists,
    norm,
    outcome,
    same,
    same_async,
)


class Service:
    """A real class with async and sync members to spec fakes against."""

    timeout: float = 1.0

    async def fetch(self, key: str, *, fresh: bool = False) -> bytes:
        raise NotImplementedError

    def key(self, user_id: int) -> str:
        raise NotImplementedError

    @property
    def size(self) -> int:
        return 0

    async def __aenter__(self) -> Service:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


async def fetch_user(user_id: int) -> dict[str, int]:
    """A module-level coroutine function for `patch` to replace."""
    raise NotImplementedError


async def load_profile(user_id: int) -> dict[str, Any]:
    """Real code that awaits the patched `fetch_user`."""
    user = await fetch_user(user_id)
    return {"user": user}


# -- return_value and side_effect ---------------------------------------------


@pytest.mark.asyncio
async def test_return_value():
    """A configured return_value is what every await returns."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value={"id": 1})
        first = await m(1)
        m.return_value = 2
        return [first, await m(2), lists(m)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_default_return_value_is_a_child():
    """Without return_value an await returns the mock's return_value child."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async()
        result = await m()
        return [norm(result), result is m.return_value, norm(m.return_value.x), lists(m)]

    await same_async(scenario)


@pytest.mark.parametrize(
    "effect",
    [
        pytest.param(lambda: ValueError("boom"), id="exception-instance"),
        pytest.param(lambda: KeyError, id="exception-class"),
        pytest.param(lambda: [1, ValueError("second"), 3, KeyError], id="iterable-mixed"),
        pytest.param(lambda: iter([1, 2]), id="iterator"),
        pytest.param(lambda: (x for x in "ab"), id="generator"),
        pytest.param(lambda: [], id="exhausted"),
        pytest.param(lambda: lambda *a, **k: ("sync", a, k), id="sync-function"),
        pytest.param(lambda: lambda *a, **k: DEFAULT, id="sync-default"),
        pytest.param(lambda: _async_effect, id="async-function"),
        pytest.param(lambda: _async_default, id="async-default"),
        pytest.param(lambda: _raising_effect, id="sync-raising"),
        pytest.param(lambda: None, id="none"),
    ],
)
@pytest.mark.asyncio
async def test_side_effect(effect: Callable[[], Any]):
    """side_effect raises, iterates, delegates or falls back to return_value the same way."""

    async def scenario(k: Kinds) -> Any:
        seen = []
        for return_value in (DEFAULT, "rv"):
            m = k.Async(side_effect=effect(), return_value=return_value)
            seen.extend([await aoutcome(m(index, key=index)) for index in range(5)])
            seen.append(lists(m))
            m = k.Async(return_value=return_value)
            m.side_effect = effect()
            seen.append(await aoutcome(m(0)))
        return seen

    await same_async(scenario)


async def _async_effect(*args: Any, **kwargs: Any) -> Any:
    await asyncio.sleep(0)
    return ("async", args, kwargs)


async def _async_default(*args: Any, **kwargs: Any) -> Any:
    return DEFAULT


def _raising_effect(*args: Any, **kwargs: Any) -> Any:
    raise LookupError(args)


@pytest.mark.asyncio
async def test_exhausted_side_effect_raises_stop_async_iteration():
    """An exhausted side_effect raises StopAsyncIteration chained to StopIteration."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(side_effect=[1])
        await m()
        try:
            await m()
        except StopAsyncIteration as exception:
            return failure(exception)
        raise AssertionError("no StopAsyncIteration")

    await same_async(scenario)


@pytest.mark.asyncio
async def test_side_effect_exception_is_the_same_object():
    """An exception instance side_effect is raised as that very object."""

    async def scenario(k: Kinds) -> Any:
        error = ValueError("x")
        m = k.Async(side_effect=error)
        with pytest.raises(ValueError) as info:
            await m()
        return [info.value is error, lists(m)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_side_effect_sees_bookkeeping_of_its_own_call():
    """Inside side_effect, call and await bookkeeping already include the current call."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async()
        seen: list[Any] = []

        def effect(*args: Any) -> Any:
            seen.append(lists(m))
            return DEFAULT

        m.side_effect = effect
        await m(1)
        await m(2)
        return seen

    await same_async(scenario)


@pytest.mark.asyncio
async def test_side_effect_and_return_value_read_at_await_time():
    """side_effect and return_value are looked up when the call is awaited, not when made."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=1)
        pending = m("a")
        m.return_value = 2
        m.side_effect = [3]
        first = await pending
        m.side_effect = None
        return [first, await m("b"), lists(m)]

    await same_async(scenario)


# -- call and await bookkeeping -----------------------------------------------


@pytest.mark.asyncio
async def test_interleaved_calls_and_awaits():
    """Calls are listed in call order and awaits in await order."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=None)
        states = [lists(m)]
        first, second, third = m(1), m(2, k="v"), m(3)
        states.append(lists(m))
        await third
        states.append(lists(m))
        await first
        states.append(lists(m))
        await second
        states.append(lists(m))
        return states

    await same_async(scenario)


@pytest.mark.asyncio
async def test_interleaved_without_reading_in_between():
    """The lists come out the same when nothing reads them until the end."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=None)
        pending = [m(i) for i in range(4)]
        for index in (2, 0, 3, 1):
            await pending[index]
        await m(4)
        return lists(m)

    await same_async(scenario)


@pytest.mark.asyncio
async def test_calls_never_awaited():
    """A call that is never awaited counts as called but not awaited."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=None)
        dropped = m("never")
        await m("awaited")
        dropped.close()
        states = [lists(m)]
        other = m("later")
        other.close()
        states.append(lists(m))
        return states

    await same_async(scenario)


@pytest.mark.asyncio
async def test_concurrent_tasks():
    """Calls awaited by concurrent tasks are recorded in the order the tasks ran them."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(side_effect=_async_effect)

        async def worker(index: int) -> Any:
            await asyncio.sleep(0)
            return await m(index)

        results = await asyncio.gather(*(worker(i) for i in range(5)))
        task = asyncio.create_task(m("task"))
        return [norm(results), norm(await task), lists(m)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_create_task_accepts_the_call():
    """`asyncio.create_task(fake())` runs the call as a task."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=7)
        task = asyncio.create_task(m(1))
        before = lists(m)
        return [before, await task, lists(m)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_call_args_attributes():
    """call_args and await_args expose args and kwargs like the standard `call`."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=None)
        await m(1, 2, key="v")
        return [
            m.call_args.args,
            m.call_args.kwargs,
            m.await_args.args,
            m.await_args.kwargs,
            m.call_args == call(1, 2, key="v"),
            m.await_args_list == [call(1, 2, key=ANY)],
            call(1, 2, key="v") in m.mock_calls,
        ]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_bookkeeping_is_assignable():
    """The lists and counters can be assigned, as on AsyncMock."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=None)
        await m(1)
        pending = m(2)
        m.call_count = 10
        m.called = False
        m.call_args_list = []
        m.mock_calls = [call.x()]
        m.await_count = 5
        m.await_args = None
        m.await_args_list = []
        await pending
        await m(3)
        return lists(m)

    await same_async(scenario)


@pytest.mark.asyncio
async def test_lists_are_the_same_objects_between_reads():
    """Reading a list twice returns the same list object, which later calls extend."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=None)
        await m(1)
        calls, awaits, mock_calls = m.call_args_list, m.await_args_list, m.mock_calls
        await m(2)
        return [
            calls is m.call_args_list,
            awaits is m.await_args_list,
            mock_calls is m.mock_calls,
            norm(calls),
            norm(awaits),
            norm(mock_calls),
        ]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_cancellation():
    """A call cancelled before it starts is not awaited; one cancelled inside its side_effect is."""

    async def scenario(k: Kinds) -> Any:
        started = asyncio.Event()

        async def slow(*args: Any) -> None:
            started.set()
            await asyncio.sleep(10)

        m = k.Async(side_effect=slow)
        never_started = asyncio.create_task(m("early"))
        never_started.cancel()
        inside = asyncio.create_task(m("inside"))
        await started.wait()
        inside.cancel()
        results = await asyncio.gather(never_started, inside, return_exceptions=True)
        timed_out = await aoutcome(asyncio.wait_for(m("timeout"), 0.001))
        return [norm([type(r).__name__ for r in results]), timed_out[:2], lists(m)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_reset_while_in_flight():
    """A reset during an awaited call keeps the await, and the later ones, as AsyncMock does."""

    async def scenario(k: Kinds) -> Any:
        gate = asyncio.Event()

        async def wait(*args: Any) -> str:
            await gate.wait()
            return "done"

        m = k.Async(side_effect=wait)
        task = asyncio.create_task(m(1))
        await asyncio.sleep(0)
        pending = m(2)
        m.reset_mock()
        gate.set()
        return [await task, await pending, lists(m)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_side_effect_is_another_mock():
    """A fake (or AsyncMock) as side_effect is awaited, and records its own calls."""

    async def scenario(k: Kinds) -> Any:
        inner = k.Async(return_value="inner")
        outer = k.Async(side_effect=inner)
        sync_inner = k.Magic(return_value="sync")
        outer_sync = k.Async(side_effect=sync_inner)
        return [
            await outer(1),
            await outer_sync(2),
            lists(outer),
            lists(inner),
            lists(sync_inner),
        ]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_calls_from_another_thread():
    """Coroutines made in another thread and awaited in the loop are recorded alike."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=None)
        loop = asyncio.get_running_loop()

        def in_thread() -> Any:
            futures = [asyncio.run_coroutine_threadsafe(m(i), loop) for i in range(3)]
            return [future.result(5) for future in futures]

        results = await asyncio.to_thread(in_thread)
        return [results, lists(m)]

    await same_async(scenario)


def test_subclass_children():
    """Children of a subclass are AsyncFake/AsyncMock, as AsyncMock's children are AsyncMock."""

    def scenario(k: Kinds) -> Any:
        class Custom(k.Async):  # type: ignore[misc, name-defined]
            pass

        m = Custom()
        return [
            norm(type(m.child).__mro__[1].__name__),
            norm(type(m.return_value).__mro__[1].__name__),
            norm(type(m.__str__).__mro__[1].__name__),
            norm(m.child),
        ]

    same(scenario)


@pytest.mark.asyncio
async def test_calling_a_spec_class_fake():
    """Calling a fake spec'd on a class returns its awaited return value."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(spec=Service)
        instance = await m("arg")
        return [norm(instance), norm(type(instance.fetch).__name__), lists(m)]

    await same_async(scenario)


# -- mock_calls and method_calls through parents -------------------------------


@pytest.mark.asyncio
async def test_children_and_grandchildren():
    """Calls of children and grandchildren land in every ancestor's mock_calls and method_calls."""

    async def scenario(k: Kinds) -> Any:
        root = k.Async(return_value=None)
        root.a.return_value = "a"
        await root.a(1)
        await root.a.b(2)
        await root(3)
        await root.c.d.e(4)
        pending = root.a.b(5)
        states = [lists(root), lists(root.a), lists(root.a.b), lists(root.c.d)]
        await pending
        states += [lists(root), lists(root.a), lists(root.a.b), lists(root.c.d.e)]
        return states

    await same_async(scenario)


@pytest.mark.asyncio
async def test_return_value_children():
    """Calls made on return values, `m().x()`, are listed as `call().x()`."""

    async def scenario(k: Kinds) -> Any:
        m = k.Magic()
        m().x(1)
        m.a().b.c(2)
        inner = k.Async()
        child = await inner()
        await child.method(3)
        await inner.return_value.other(4)
        return [lists(m), lists(m.return_value), lists(m.a), lists(inner), lists(child)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_named_root():
    """A name given at construction prefixes nothing in mock_calls but appears in messages."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(name="client")
        await m.get("https://a")
        await m()
        return [lists(m), norm(m), norm(m.get), norm(m.return_value), norm(m.get.return_value)]

    await same_async(scenario)


@pytest.mark.parametrize("parent_kind", ["fake", "plain"])
@pytest.mark.parametrize("child_kind", ["fake", "plain"])
@pytest.mark.asyncio
async def test_attach_mock(parent_kind: str, child_kind: str):
    """attach_mock renames the child and records its calls on the parent, in order."""

    async def scenario(k: Kinds) -> Any:
        parent = k.Magic() if parent_kind == "fake" else MagicMock()
        child = k.Async(name="ignored") if child_kind == "fake" else AsyncMock(name="ignored")
        sync_child = k.Magic() if child_kind == "fake" else MagicMock()
        await child(0)
        parent.first(1)
        parent.attach_mock(child, "fetch")
        parent.attach_mock(sync_child, "key")
        await child(2)
        sync_child(3)
        await child.sub(4)
        parent.last(5)
        sync_child.deeper.still(6)
        return [lists(parent), lists(child), lists(sync_child), norm(child), norm(child.sub)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_attach_after_calls_keeps_old_names():
    """Calls made before a child is re-attached keep the names they had when made."""

    async def scenario(k: Kinds) -> Any:
        first = k.Async(return_value=None)
        second = k.Async(return_value=None)
        child = first.child
        grandchild = child.grand
        await child(1)
        await grandchild(2)
        second.attach_mock(child, "renamed")
        await child(3)
        await grandchild(4)
        return [lists(first), lists(second), lists(child), lists(grandchild)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_attach_intermediate_after_calls():
    """Re-attaching a middle node keeps earlier grandchild calls under the old ancestors."""

    async def scenario(k: Kinds) -> Any:
        root = k.Magic()
        root.a.b.c(1)
        middle = root.a
        other = k.Magic()
        other.attach_mock(middle, "moved")
        root.a.b.c(2)
        middle.b.c(3)
        return [lists(root), lists(other), lists(middle), lists(middle.b)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_setting_a_mock_attribute_adopts_it():
    """Assigning an unparented mock as an attribute makes it a child recorded on the parent."""

    async def scenario(k: Kinds) -> Any:
        parent = k.Magic()
        child = k.Async(return_value=None)
        await child("before")
        parent.child = child
        await parent.child("after")
        parent.rv_holder.return_value = k.Async(return_value=1)
        await parent.rv_holder()(2)
        return [lists(parent), lists(child)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_attach_plain_mock_to_fake_keeps_order():
    """Eagerly recorded plain children and lazily recorded fake children interleave correctly."""

    async def scenario(k: Kinds) -> Any:
        parent = k.Async(return_value=None)
        plain = MagicMock()
        parent.attach_mock(plain, "plain")
        await parent.a(1)
        plain(2)
        await parent.b(3)
        plain.x(4)
        await parent(5)
        middle = lists(parent)
        await parent.c(6)
        plain(7)
        return [middle, lists(parent), lists(parent.a), lists(plain)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_fake_under_plain_under_fake():
    """A fake below a plain mock below a fake records through the whole chain."""

    async def scenario(k: Kinds) -> Any:
        top = k.Magic()
        plain = MagicMock()
        top.attach_mock(plain, "plain")
        bottom = k.Async(return_value=None)
        plain.attach_mock(bottom, "bottom")
        await bottom(1)
        top.direct(2)
        await bottom.deep(3)
        return [lists(top), lists(plain), lists(bottom)]

    await same_async(scenario)


@pytest.mark.asyncio
@pytest.mark.parametrize("parent_kind", ["Magic", "Async"])
async def test_autospec_function_attached_to_fake(parent_kind: str):
    """A `create_autospec` function attached to a fake records on it and checks its signature."""

    async def scenario(k: Kinds) -> Any:
        parent = getattr(k, parent_kind)()
        spec_fetch = mock.create_autospec(Service.fetch)
        parent.attach_mock(spec_fetch, "fetch")
        await parent.fetch(None, "k", fresh=True)
        await acall(parent.other, 1)
        return [
            lists(parent),
            outcome(parent.assert_has_calls, [call.fetch(None, key="k", fresh=True)]),
            await acall(parent.fetch, 1, 2, 3),
            outcome(parent.fetch.assert_awaited_once_with, None, "k", fresh=True),
        ]

    await same_async(scenario)


def test_magic_method_calls_in_mock_calls():
    """Magic method calls are listed in mock_calls but not in method_calls."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic()
        seen = [len(m), str(m) == str(m), bool(m), int(m), 1 in m, m == m, list(m)]
        m.child.__len__.return_value = 3
        seen.append(len(m.child))
        return [norm(seen), lists(m), lists(m.child)]

    same(scenario)


# -- assertions -----------------------------------------------------------------


async def _state_none(m: Any) -> None:
    return None


async def _state_called_not_awaited(m: Any) -> None:
    m(1, key="a").close()


async def _state_one(m: Any) -> None:
    await m(1, key="a")


async def _state_two(m: Any) -> None:
    first = m(1, key="a")
    await m(2)
    await first


async def _state_three_one_dropped(m: Any) -> None:
    await m(1, key="a")
    m("dropped").close()
    await m(2)


async def _state_children(m: Any) -> None:
    await m.child(1)
    await m(2)
    m.other.sub(3).close()


STATES = [
    _state_none,
    _state_called_not_awaited,
    _state_one,
    _state_two,
    _state_three_one_dropped,
    _state_children,
]

ASSERTIONS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("assert_called", (), {}),
    ("assert_called_once", (), {}),
    ("assert_not_called", (), {}),
    ("assert_called_with", (1,), {"key": "a"}),
    ("assert_called_with", (2,), {}),
    ("assert_called_with", (ANY,), {}),
    ("assert_called_once_with", (1,), {"key": "a"}),
    ("assert_called_once_with", (3,), {}),
    ("assert_any_call", (1,), {"key": "a"}),
    ("assert_any_call", (2,), {}),
    ("assert_any_call", (9,), {}),
    ("assert_has_calls", ([call(1, key="a"), call(2)],), {}),
    ("assert_has_calls", ([call(2), call(1, key="a")],), {}),
    ("assert_has_calls", ([call(2), call(1, key="a")],), {"any_order": True}),
    ("assert_has_calls", ([call(9)],), {"any_order": True}),
    ("assert_has_calls", ([call.child(1), call(2)],), {}),
    ("assert_has_calls", ([call.other.sub(3)],), {"any_order": True}),
    ("assert_has_calls", ([],), {}),
    ("assert_awaited", (), {}),
    ("assert_awaited_once", (), {}),
    ("assert_not_awaited", (), {}),
    ("assert_awaited_with", (1,), {"key": "a"}),
    ("assert_awaited_with", (2,), {}),
    ("assert_awaited_once_with", (1,), {"key": "a"}),
    ("assert_awaited_once_with", (2,), {}),
    ("assert_any_await", (1,), {"key": "a"}),
    ("assert_any_await", (2,), {}),
    ("assert_any_await", ("dropped",), {}),
    ("assert_has_awaits", ([call(1, key="a"), call(2)],), {}),
    ("assert_has_awaits", ([call(2), call(1, key="a")],), {}),
    ("assert_has_awaits", ([call(2), call(1, key="a")],), {"any_order": True}),
    ("assert_has_awaits", ([call(9)],), {"any_order": True}),
    ("assert_has_awaits", ([call(9)],), {}),
]


@pytest.mark.parametrize("state", STATES, ids=[state.__name__[7:] for state in STATES])
@pytest.mark.parametrize("name", [None, "fetch"])
@pytest.mark.asyncio
async def test_every_assertion(state: Callable[[Any], Awaitable[None]], name: str | None):
    """Every assert_* method passes and fails alike, with the same message."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(name=name, return_value=None)
        m.child.return_value = None
        await state(m)
        seen = [
            (method, args, kwargs, outcome(getattr(m, method), *args, **kwargs))
            for method, args, kwargs in ASSERTIONS
        ]
        seen.append(outcome(m.child.assert_awaited_once_with, 1))
        seen.append(outcome(m.child.assert_called_once_with, 2))
        seen.append(outcome(m.other.sub.assert_not_awaited))
        return seen

    await same_async(scenario)


@pytest.mark.asyncio
async def test_assertions_bind_against_a_spec_signature():
    """With a function spec, assertions match calls by the bound signature."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(spec=fetch_user)
        await m(1)
        await m(user_id=2)
        return [
            outcome(m.assert_any_await, user_id=1),
            outcome(m.assert_awaited_with, 2),
            outcome(m.assert_called_with, 3),
            outcome(m.assert_called_with, 1, 2),
            outcome(m.assert_has_awaits, [call(user_id=1), call(2)]),
            outcome(m.assert_has_calls, [call(user_id=1), call(1, 2)]),
            outcome(m.assert_has_awaits, [call(1, 2)], any_order=True),
        ]

    await same_async(scenario)


def test_assertion_on_misspelled_name():
    """Misspelled assertion methods raise AttributeError, as AsyncMock does."""

    def scenario(k: Kinds) -> Any:
        m = k.Async()
        names = ["assret_called", "asert_awaited", "assert_foo", "called_once", "awaited_once"]
        return [outcome(getattr, m, name) for name in names] + [
            norm(k.Async(unsafe=True).assret_called)
        ]

    same(scenario)


# -- reset_mock and configure_mock -----------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        {},
        {"return_value": True},
        {"side_effect": True},
        {"return_value": True, "side_effect": True},
    ],
)
@pytest.mark.asyncio
async def test_reset_mock(flags: dict[str, bool]):
    """reset_mock clears bookkeeping recursively and resets return_value/side_effect on request."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=1, side_effect=[1, 2, 3])
        m.child.return_value = 2
        m.child.side_effect = lambda: 5
        await m(1)
        await m.child()
        await m.child.grand(3)
        pending = m(4)
        before = [lists(m), lists(m.child)]
        m.reset_mock(**flags)
        after = [lists(m), lists(m.child), lists(m.child.grand)]
        awaited = await aoutcome(pending)
        return [
            before,
            after,
            awaited,
            lists(m),
            await aoutcome(m(5)),
            await aoutcome(m.child()),
            lists(m),
            lists(m.child),
        ]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_reset_child_keeps_parent_lists():
    """Resetting a child leaves the parent's record of the child's calls."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=None)
        await m.child(1)
        m.child.reset_mock()
        await m.child(2)
        return [lists(m), lists(m.child)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_reset_without_reading_first():
    """Calls made and reset before anything reads the lists are gone afterwards."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(return_value=None)
        await m(1)
        await m.child(2)
        m.reset_mock()
        await m(3)
        return [lists(m), lists(m.child)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_configure_mock():
    """configure_mock sets return values, side effects and attributes on children."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async()
        m.configure_mock(
            **{
                "fetch.return_value": {"id": 1},
                "fetch.side_effect": None,
                "fail.side_effect": KeyError("k"),
                "plain": 3,
                "nested.deeper.return_value": "deep",
            }
        )
        m2 = k.Async(**{"method.return_value": 4, "other.side_effect": ValueError})
        return [
            await aoutcome(m.fetch()),
            await aoutcome(m.fail()),
            m.plain,
            await aoutcome(m.nested.deeper()),
            await aoutcome(m2.method()),
            await aoutcome(m2.other()),
            lists(m),
        ]

    await same_async(scenario)


# -- spec, spec_set, wraps ----------------------------------------------------------


@pytest.mark.parametrize("how", ["spec", "spec_set", "instance", "list"])
@pytest.mark.asyncio
async def test_spec(how: str):
    """A spec decides which attributes exist and whether children are async or sync."""

    async def scenario(k: Kinds) -> Any:
        if how == "list":
            m = k.Async(spec=["fetch", "key"])
        elif how == "instance":
            m = k.Async(spec=Service())
        else:
            m = k.Async(**{how: Service})
        seen: list[Any] = [
            isinstance(m, Service) if how != "list" else None,
            norm(m),
            norm(type(m.fetch).__name__),
            norm(type(m.key).__name__),
            inspect.iscoroutinefunction(m.fetch),
            inspect.iscoroutinefunction(m.key),
            outcome(getattr, m, "nope"),
            outcome(setattr, m, "nope", 1),
            outcome(getattr, m, "__aenter__"),
        ]
        fetched = m.fetch("k")
        seen.append(norm(await fetched) if inspect.isawaitable(fetched) else norm(fetched))
        seen.append(norm(m.key(1)))
        seen.append(await aoutcome(m()))
        if how != "list":
            seen.append(norm(type(m.timeout).__name__))
            seen.append(norm(type(m.size).__name__))
        seen.append(lists(m))
        return seen

    await same_async(scenario)


@pytest.mark.asyncio
async def test_spec_on_magic_fake():
    """A MagicFake spec'd on a class gives async children for its async methods."""

    async def scenario(k: Kinds) -> Any:
        m = k.Magic(spec=Service)
        return [
            norm(type(m.fetch).__name__),
            norm(type(m.key).__name__),
            norm(await m.fetch("k")),
            norm(m.key(1)),
            lists(m),
            norm(type(m.__aenter__).__name__),
        ]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_spec_async_function():
    """Spec'd on a coroutine function, a MagicFake is awaitable like a spec'd MagicMock."""

    async def scenario(k: Kinds) -> Any:
        m = k.Magic(spec=fetch_user)
        pending = m(1)
        seen = [
            inspect.iscoroutinefunction(m),
            inspect.isawaitable(pending),
            norm(type(m.return_value).__name__),
            lists(m),
        ]
        seen.append(norm(await pending))
        seen.append(lists(m))
        seen.append(outcome(m.assert_awaited_once_with, 1))
        return seen

    await same_async(scenario)


def test_mock_add_spec():
    """mock_add_spec restricts attributes afterwards."""

    def scenario(k: Kinds) -> Any:
        m = k.Async()
        m.mock_add_spec(Service)
        return [outcome(getattr, m, "nope"), norm(type(m.fetch).__name__), isinstance(m, Service)]

    same(scenario)


def test_mock_add_spec_after_children_were_read():
    """Children read (and kept in the instance dict) before mock_add_spec obey the new spec."""

    def scenario(k: Kinds) -> Any:
        m = k.Async()
        before = m.nope  # read once: the fake keeps it for fast lookups
        assigned = m.kept = k.Async()
        m.mock_add_spec(Service)
        return [
            outcome(getattr, m, "nope"),
            m.kept is assigned,  # an assigned attribute stays, as on AsyncMock
            norm(type(before).__name__),
        ]

    same(scenario)


@pytest.mark.asyncio
async def test_wraps_functions():
    """wraps calls the wrapped sync or async function unless return_value is set."""

    async def add(a: int, b: int) -> int:
        return a + b

    def multiply(a: int, b: int) -> int:
        return a * b

    async def scenario(k: Kinds) -> Any:
        async_wrapped = k.Async(wraps=add)
        sync_wrapped = k.Async(wraps=multiply)
        overridden = k.Async(wraps=add, return_value=0)
        effect_default = k.Async(wraps=add, side_effect=lambda *a: DEFAULT)
        return [
            await async_wrapped(1, 2),
            await sync_wrapped(3, 4),
            await overridden(1, 2),
            await effect_default(5, 6),
            lists(async_wrapped),
            norm(type(async_wrapped.return_value).__name__),
        ]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_wraps_object():
    """Children of a wrapping mock wrap the object's attributes."""

    class Real:
        async def get(self, key: str) -> str:
            return key.upper()

        def size(self) -> int:
            return 3

    async def scenario(k: Kinds) -> Any:
        m = k.Async(wraps=Real())
        return [await aoutcome(m.get("a")), await aoutcome(m.size()), lists(m)]

    await same_async(scenario)


# -- magic methods ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_async_context_manager():
    """`async with` uses __aenter__/__aexit__ children like AsyncMock's."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async()
        async with m as entered:
            inside = norm(entered)
            await entered.query(1)
        configured = k.Magic()
        configured.__aenter__.return_value = "conn"
        configured.__aexit__.return_value = True
        async with configured as conn:
            raise ValueError("suppressed")
        return [
            inside,
            conn,
            lists(m),
            lists(m.__aenter__),
            lists(m.__aexit__),
            lists(configured),
            norm(type(m.__aenter__).__name__),
            outcome(configured.__aexit__.assert_awaited_once_with, ValueError, ANY, ANY),
        ]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_async_iteration():
    """`async for` over a mock iterates __aiter__'s return_value."""

    async def scenario(k: Kinds) -> Any:
        seen = []
        for make in (k.Async, k.Magic):
            m = make()
            m.__aiter__.return_value = [1, 2, 3]
            seen.append([item async for item in m])
            seen.append([item async for item in m])
            empty = make()
            seen.append([item async for item in empty])
            seen.append(norm(type(m.__aiter__).__name__))
            seen.append(lists(m))
        return seen

    await same_async(scenario)


def test_sync_magic_methods():
    """Sync magic methods of an AsyncFake are sync, with AsyncMock's defaults."""

    def scenario(k: Kinds) -> Any:
        seen = []
        for make in (k.Async, k.Magic):
            m = make()
            seen.append(
                [
                    norm(str(m)),
                    len(m),
                    bool(m),
                    int(m),
                    float(m),
                    hash(m) == hash(m),
                    m == m,
                    m != m,
                    2 in m,
                    list(iter(m)),
                ]
            )
            m.__str__.return_value = "text"
            m.__len__.return_value = 4
            m.__getitem__.side_effect = lambda key: key * 2
            seen.append([str(m), len(m), m[3], norm(type(m.__len__).__name__)])
            seen.append(lists(m))
        return seen

    same(scenario)


@pytest.mark.asyncio
async def test_assigning_magic_methods():
    """Magic methods can be assigned functions and mocks."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async()
        m.__len__ = lambda self: 8
        m.__aenter__ = k.Async(return_value="entered")
        async with m as value:
            pass
        return [len(m), value, lists(m), outcome(setattr, m, "__getattr__", lambda s, n: 1)]

    await same_async(scenario)


@pytest.mark.asyncio
async def test_call_on_children():
    """Children of an AsyncFake are awaitable; a MagicFake's are plain callables."""

    async def scenario(k: Kinds) -> Any:
        a = k.Async()
        m = k.Magic()
        child_call = a.child(1)
        seen = [inspect.isawaitable(child_call), norm(await child_call), norm(m.child(2))]
        seen.append(norm(type(a.child.__call__).__name__))
        seen.append(norm(type(m.child).__name__))
        return [*seen, lists(a), lists(m)]

    await same_async(scenario)


def test_deleting_attributes():
    """Deleted attributes raise AttributeError and can be set again."""

    def scenario(k: Kinds) -> Any:
        m = k.Async()
        _ = m.child
        del m.child
        seen = [outcome(getattr, m, "child"), outcome(delattr, m, "child")]
        m.child = 1
        seen.append(m.child)
        del m.__str__
        seen.append(outcome(str, m))
        return seen

    same(scenario)


# -- seal ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_seal():
    """A sealed fake refuses new attributes and new return-value children with AsyncMock's message."""

    async def scenario(k: Kinds) -> Any:
        m = k.Async(name="svc")
        m.known.return_value = 1
        m.known.nested.return_value = 2
        m.attached = k.Async(return_value=3)
        m.named = k.Async(name="independent")
        _ = m.configured_child
        mock.seal(m)
        return [
            await aoutcome(m.known()),
            await aoutcome(m.known.nested()),
            await aoutcome(m.attached()),
            outcome(getattr, m, "new"),
            outcome(getattr, m.known, "new"),
            outcome(getattr, m.attached, "new"),
            norm(m.named.still_open),
            outcome(setattr, m, "brand_new", 1),
            await aoutcome(m.configured_child()),
            await aoutcome(m()),
            lists(m),
        ]

    await same_async(scenario)


# -- patch ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_patch_new_callable():
    """`patch(..., new_callable=AsyncFake)` replaces an async function for real code."""

    async def scenario(k: Kinds) -> Any:
        with mock.patch(f"{__name__}.fetch_user", new_callable=k.Async) as patched:
            patched.return_value = {"id": 1}
            profile = await load_profile(1)
            seen = [profile, norm(patched), lists(patched)]
        with mock.patch(f"{__name__}.fetch_user", new_callable=k.Async, spec=True) as patched:
            patched.return_value = {"id": 2}
            seen += [await load_profile(2), outcome(patched.assert_awaited_once_with, user_id=2)]
            seen.append(await aoutcome(fetch_user(1, 2)))
        seen.append(fetch_user is globals()["fetch_user"])
        seen.append(
            outcome(
                mock.patch,
                f"{__name__}.fetch_user",
                new_callable=k.Async,
                autospec=True,
            )
        )
        return seen

    await same_async(scenario)


@pytest.mark.asyncio
async def test_patch_object_new_callable():
    """`patch.object(..., new_callable=AsyncFake)` replaces a method, and undoes it."""

    async def scenario(k: Kinds) -> Any:
        original = Service.fetch
        with mock.patch.object(Service, "fetch", new_callable=k.Async) as patched:
            patched.return_value = b"data"
            result = await Service().fetch("key")
            seen = [result, lists(patched), norm(patched)]

        @mock.patch.object(Service, "key", new_callable=k.Magic)
        def decorated(patched_key: Any) -> Any:
            patched_key.return_value = "k"
            return [Service().key(1), lists(patched_key)]

        seen.append(decorated())
        seen.append(Service.fetch is original)
        return seen

    await same_async(scenario)


@pytest.mark.asyncio
async def test_patch_as_async_decorator():
    """patch with new_callable decorates an async test function."""

    async def scenario(k: Kinds) -> Any:
        @mock.patch(f"{__name__}.fetch_user", new_callable=k.Async)
        async def check(patched: Any) -> Any:
            patched.return_value = {"id": 3}
            return [await load_profile(3), lists(patched)]

        return await check()

    await same_async(scenario)


# -- introspection -------------------------------------------------------------------


def test_introspection():
    """inspect and asyncio see an AsyncFake as a coroutine function and its call as awaitable."""

    def scenario(k: Kinds) -> Any:
        m = k.Async()
        pending = m()
        seen = [
            inspect.iscoroutinefunction(m),
            # Deprecated from 3.14 on, where it warns; inspect's answer is the same.
            asyncio.iscoroutinefunction(m) if sys.version_info < (3, 14) else True,
            inspect.isawaitable(pending),
            asyncio.iscoroutine(pending),
            inspect.iscoroutine(pending),
            inspect.iscoroutinefunction(m.child),
            inspect.iscoroutinefunction(k.Magic()),
            inspect.isfunction(m),
            callable(m),
            outcome(inspect.signature, m),
            m.__name__,
            m.__defaults__,
            m.__kwdefaults__,
            m.__code__.co_flags & inspect.CO_COROUTINE != 0,
        ]
        pending.close()
        return seen

    same(scenario)


def test_dir_and_repr():
    """dir() and repr() look like AsyncMock's."""

    def scenario(k: Kinds) -> Any:
        m = k.Async(name="svc", spec=Service)
        _ = m.fetch
        return [
            norm(dir(m)),
            norm(dir(k.Async())),
            norm(dir(k.Magic())),
            norm(m),
            norm(m.fetch),
            norm(k.Async(spec_set=Service)),
        ]

    same(scenario)


@pytest.mark.asyncio
async def test_children_are_fakes():
    """Children, return values and magic methods of fakes are fakes that record into the core."""
    fake = af.AsyncFake(name="svc")
    children = [fake.get, fake.return_value, fake.get.deeper, fake.__aenter__, fake.__str__]
    magic = af.MagicFake()
    children += [magic.x, magic.return_value, magic.__aexit__, magic.__len__]
    assert all(isinstance(child, (af.AsyncFake, af.MagicFake)) for child in children)
    assert [type(child).__bases__[0].__name__ for child in children] == [
        "AsyncFake",
        "AsyncFake",
        "AsyncFake",
        "AsyncFake",
        "MagicFake",
        "MagicFake",
        "MagicFake",
        "AsyncFake",
        "MagicFake",
    ]

    async def use() -> None:
        await fake.get("a")
        await fake.get.deeper()
        magic.x(1)

    await use()
    assert [(r.name, r.args, r.awaited) for r in af.calls(fake.get)] == [("svc.get", ("a",), True)]
    assert [r.name for r in af.calls(fake.get.deeper)] == ["svc.get.deeper"]
    assert [(r.name, r.awaited) for r in af.calls(magic.x)] == [("mock.x", False)]


def test_type_reports_asyncfakes():
    """The per-instance class of a fake reports the asyncfakes module and our class name."""
    for fake in (
        af.AsyncFake(),
        af.MagicFake(),
        af.AsyncFake().child,
        af.MagicFake(spec=fetch_user),
    ):
        kind = type(fake)
        assert kind.__module__ == "asyncfakes"
        assert kind.__qualname__ == kind.__name__
        assert kind.__name__ in ("AsyncFake", "MagicFake")
    assert repr(type(af.AsyncFake())) == "<class 'asyncfakes.AsyncFake'>"


@pytest.mark.asyncio
async def test_copy_and_pickle():
    """copy, deepcopy and pickle behave as they do on AsyncMock."""

    def shape(m: Any) -> list[Any]:
        # deepcopy turns recorded calls into `call.__deepcopy__(memo)`: compare names and sizes.
        return [
            m.call_count,
            m.await_count,
            [entry[0] if len(entry) == 3 else len(entry) for entry in m.mock_calls],
            [len(entry) for entry in m.call_args_list],
            [len(entry) for entry in m.await_args_list],
        ]

    async def scenario(k: Kinds) -> Any:
        seen: list[Any] = []
        for copier in (copy.copy, copy.deepcopy):
            m = k.Async(return_value=3)
            await m(0)
            m.child(1).close()
            duplicate = copier(m)
            seen.append([type(duplicate) is type(m), norm(type(duplicate).__name__)])
            seen.append(shape(duplicate))
            await duplicate(1)
            await m(2)
            seen.append([shape(duplicate), shape(m)])
            seen.append(norm(m.call_args_list) if copier is copy.copy else None)
        seen.append(outcome(lambda: pickle.dumps(k.Async()))[:2])
        return seen

    await same_async(scenario)


# -- threads -------------------------------------------------------------------------


def test_sync_calls_from_threads():
    """A MagicFake called from many threads, read while they run, records every call once."""
    parent = af.MagicFake()
    child = parent.child
    threads_count, per_thread = 8, 2000
    stop = threading.Event()
    reads: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            reads.append(len(parent.mock_calls) + child.call_count)

    def worker(index: int) -> None:
        for i in range(per_thread):
            child(index, i)

    watcher = threading.Thread(target=reader)
    watcher.start()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    stop.set()
    watcher.join()
    total = threads_count * per_thread
    assert child.call_count == total
    assert sorted(child.call_args_list) == sorted(
        call(n, i) for n in range(threads_count) for i in range(per_thread)
    )
    assert len(parent.mock_calls) == len(parent.method_calls) == total
    # The same calls on the parent and the child. Not necessarily in the same order:
    # a call is listed on the child and on its parent in two steps, and calls from
    # other threads can come in between (MagicMock does no better).
    assert sorted(c.args for c in parent.mock_calls) == sorted(c.args for c in child.call_args_list)
    assert len(af.calls(child)) == total
    assert reads


@pytest.mark.asyncio
async def test_to_thread():
    """`asyncio.to_thread(magic_fake, ...)` records like MagicMock."""

    async def scenario(k: Kinds) -> Any:
        m = k.Magic(return_value=1)
        results = await asyncio.gather(*(asyncio.to_thread(m, i) for i in range(4)))
        return [results, sorted(m.call_args_list), m.call_count]

    await same_async(scenario)


# -- random interleavings --------------------------------------------------------------


NODE_PATHS = ["", "a", "a.b", "()", "().x", "a.()", "s", "p", "q", "q.r"]
ATTRIBUTES = ["call_args_list", "mock_calls", "method_calls", "call_count", "await_args_list"]

operation = st.one_of(
    st.tuples(st.just("call"), st.integers(0, len(NODE_PATHS) - 1), st.integers(0, 3)),
    st.tuples(st.just("await"), st.integers(0, 20), st.just(0)),
    st.tuples(st.just("close"), st.integers(0, 20), st.just(0)),
    st.tuples(st.just("read"), st.integers(0, len(NODE_PATHS) - 1), st.integers(0, 4)),
    st.tuples(st.just("reset"), st.integers(0, len(NODE_PATHS) - 1), st.integers(0, 3)),
    st.tuples(st.just("attach"), st.integers(0, len(NODE_PATHS) - 1), st.integers(0, 9)),
    st.tuples(st.just("effect"), st.integers(0, len(NODE_PATHS) - 1), st.integers(0, 3)),
)


def _node(nodes: dict[str, Any], path: str) -> Any:
    return nodes[path]


def _build(k: Kinds) -> dict[str, Any]:
    root = k.Async()
    nodes = {"": root, "a": root.a, "a.b": root.a.b, "()": root.return_value}
    nodes["().x"] = root.return_value.x
    nodes["a.()"] = root.a.return_value
    nodes["s"] = k.Async(return_value=None)  # standalone, attachable
    nodes["p"] = MagicMock()  # a plain mock in the tree
    nodes["q"] = k.Magic()  # a sync fake with a child
    nodes["q.r"] = nodes["q"].r
    return nodes


def _interleave(k: Kinds, operations: list[tuple[str, int, int]]) -> list[Any]:
    nodes = _build(k)
    pending: list[Coroutine[Any, Any, Any]] = []
    seen: list[Any] = []
    for op, first, second in operations:
        if op == "call":
            node = nodes[NODE_PATHS[first]]
            try:
                result = node(second, key=second) if second % 2 else node(second)
            except Exception as exception:
                seen.append(failure(exception))
                continue
            if inspect.isawaitable(result):
                pending.append(result)
            else:
                seen.append(norm(result))
        elif op in ("await", "close") and pending:
            coroutine = pending.pop(first % len(pending))
            if op == "await":
                seen.append(drive(coroutine))
            else:
                coroutine.close()
        elif op == "read":
            node = nodes[NODE_PATHS[first]]
            seen.append(outcome(lambda n=node: getattr(n, ATTRIBUTES[second])))
        elif op == "reset":
            node = nodes[NODE_PATHS[first]]
            node.reset_mock(return_value=bool(second & 1), side_effect=bool(second & 2))
        elif op == "attach":
            parent = nodes[NODE_PATHS[first]]
            child = nodes[NODE_PATHS[second]]
            seen.append(outcome(parent.attach_mock, child, f"n{second}"))
        elif op == "effect":
            node = nodes[NODE_PATHS[first]]
            node.side_effect = [None, ValueError("e"), DEFAULT, None] if second else None
    for coroutine in pending:
        coroutine.close()
    for path in NODE_PATHS:
        seen.append((path, lists(nodes[path])))
    return seen


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=40))
def test_random_interleavings_match_asyncmock(operations: list[tuple[str, int, int]]):
    """Random calls, awaits, reads, resets and re-attachments leave identical lists."""
    assert _interleave(OURS, operations) == _interleave(STD, operations)
