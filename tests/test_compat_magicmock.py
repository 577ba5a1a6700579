"""`af.MagicFake` behaves exactly like `unittest.mock.MagicMock`.

Every scenario runs twice, once with `MagicMock` (and `AsyncMock` where a
scenario needs one) and once with `MagicFake` (and `AsyncFake`), and the
observable results must be equal, assertion messages included. Reprs are
normalised only for the class name and the object id.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from unittest import mock
from unittest.mock import ANY, DEFAULT, MagicMock, PropertyMock, call, sentinel

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asyncfakes as af
from _compat import (
    OURS,
    STD,
    Kinds,
    failure,
    lists,
    norm,
    outcome,
    same,
)


class Repository:
    """A real class with sync and async members to spec fakes against."""

    table = "users"

    def get(self, user_id: int, *, fresh: bool = False) -> dict[str, int]:
        raise NotImplementedError

    async def save(self, user: dict[str, int]) -> None:
        raise NotImplementedError

    def __len__(self) -> int:
        return 0

    def __getitem__(self, key: int) -> int:
        return key


def make_key(user_id: int, *, prefix: str = "user") -> str:
    """A module-level function for `patch` to replace."""
    return f"{prefix}:{user_id}"


def cache_key(user_id: int) -> str:
    """Real code calling the patched `make_key`."""
    return make_key(user_id).upper()


# -- return_value and side_effect ---------------------------------------------


def test_return_value():
    """return_value is returned, defaults to a child, and can be replaced."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic(return_value=3)
        first = m(1)
        m.return_value = sentinel.value
        default = k.Magic()
        return [first, m(2), norm(default()), default() is default.return_value, lists(m)]

    same(scenario)


def test_side_effect():
    """side_effect raises, iterates, calls a function or falls back to return_value alike."""

    def scenario(k: Kinds) -> Any:
        effects: list[Callable[[], Any]] = [
            lambda: ValueError("boom"),
            lambda: KeyError,
            lambda: [1, ValueError("second"), 3, KeyError],
            lambda: iter("ab"),
            lambda: [],
            lambda: lambda *a, **kw: (a, kw),
            lambda: lambda *a, **kw: DEFAULT,
            lambda: None,
        ]
        seen = []
        for effect in effects:
            for return_value in (DEFAULT, "rv"):
                m = k.Magic(side_effect=effect(), return_value=return_value)
                seen.extend(outcome(m, i, key=i) for i in range(5))
                seen.append(lists(m))
        return seen

    same(scenario)


def test_side_effect_sees_its_own_call():
    """Inside side_effect the current call is already in every list, the parent's included."""

    def scenario(k: Kinds) -> Any:
        parent = k.Magic()
        seen: list[Any] = []

        def effect(*args: Any) -> Any:
            seen.append([lists(parent.child), lists(parent)])
            return DEFAULT

        parent.child.side_effect = effect
        parent.child(1)
        parent.child(2)
        return seen

    same(scenario)


# -- mock_calls and method_calls ------------------------------------------------


def test_children_grandchildren_and_return_values():
    """Calls through attributes and return values land in every ancestor's lists."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic(name="client")
        m.a(1)
        m.a.b.c(2, k=3)
        m().x(4)
        m.a().y.z(5)
        m(6)(7)
        return [
            lists(m),
            lists(m.a),
            lists(m.a.b.c),
            lists(m.return_value),
            lists(m.a.return_value),
        ]

    same(scenario)


def test_attach_mock_in_every_combination():
    """attach_mock between fakes and plain mocks records on the parent, in order."""

    def scenario(k: Kinds) -> Any:
        seen = []
        for parent_kind in (k.Magic, MagicMock):
            for child_kind in (k.Magic, MagicMock, k.Async):
                parent = parent_kind()
                child = child_kind(name="ignored")
                if child_kind is k.Async:
                    child.return_value = None
                    child("before").close()
                else:
                    child("before")
                parent.first(1)
                parent.attach_mock(child, "child")
                result = child(2)
                if child_kind is k.Async:
                    result.close()
                deeper = child.deeper(3)
                if inspect.isawaitable(deeper):
                    deeper.close()
                parent.last(4)
                seen.append([lists(parent), lists(child), norm(child)])
        return seen

    same(scenario)


def test_reattaching_keeps_old_names():
    """Calls made before a mock moves keep the names they had when made."""

    def scenario(k: Kinds) -> Any:
        old_parent = k.Magic()
        child = old_parent.child
        grandchild = child.grand
        child(1)
        grandchild(2)
        new_parent = k.Magic()
        new_parent.attach_mock(child, "moved")
        child(3)
        grandchild(4)
        third = k.Magic()
        third.attach_mock(new_parent, "nested")
        grandchild(5)
        return [lists(old_parent), lists(new_parent), lists(third), lists(child), lists(grandchild)]

    same(scenario)


def test_attach_under_plain_mock_chain():
    """A fake under a plain mock under a fake keeps every list in call order."""

    def scenario(k: Kinds) -> Any:
        top = k.Magic()
        top.early(0)
        plain = MagicMock()
        top.attach_mock(plain, "plain")
        bottom = k.Magic()
        plain.attach_mock(bottom, "bottom")
        bottom(1)
        top.direct(2)
        bottom.deep(3)
        plain(4)
        return [lists(top), lists(plain), lists(bottom), lists(bottom.deep)]

    same(scenario)


def test_assignment_adopts_mocks():
    """Assigning unnamed mocks as attributes or return values makes them children."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic()
        child = k.Magic()
        child("before")
        m.child = child
        m.child("after")
        m.factory.return_value = k.Magic()
        m.factory()(1)
        named = k.Magic(name="named")
        m.named = named
        m.named("not adopted")
        return [lists(m), lists(child), lists(named)]

    same(scenario)


def test_autospec_attached_to_fake():
    """An autospec'd function attached to a fake records there and checks its signature."""

    def scenario(k: Kinds) -> Any:
        parent = k.Magic()
        spec_key = mock.create_autospec(make_key)
        parent.attach_mock(spec_key, "make_key")
        parent.make_key(1, prefix="p")
        parent.other()
        return [
            lists(parent),
            outcome(parent.make_key, 1, 2, 3),
            outcome(parent.assert_has_calls, [call.make_key(user_id=1, prefix="p")]),
            outcome(parent.make_key.assert_called_once_with, 1, prefix="p"),
        ]

    same(scenario)


def test_property_mock_on_fake_type():
    """A PropertyMock set on a fake's own class behaves as on a MagicMock's."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic()
        prop = PropertyMock(return_value=3)
        type(m).size = prop
        value = m.size
        m.size = 4
        return [value, lists(prop), lists(m), outcome(lambda: k.Magic().size)]

    same(scenario)


# -- assertions ---------------------------------------------------------------------


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
    ("assert_any_call", (9,), {}),
    ("assert_has_calls", ([call(1, key="a"), call(2)],), {}),
    ("assert_has_calls", ([call(2), call(1, key="a")],), {}),
    ("assert_has_calls", ([call(2), call(1, key="a")],), {"any_order": True}),
    ("assert_has_calls", ([call(9)],), {"any_order": True}),
    ("assert_has_calls", ([call.child(1), call(2)],), {}),
    ("assert_has_calls", ([call.child(1), call(2)],), {"any_order": True}),
]


def test_every_assertion():
    """Every sync assert_* method passes and fails alike, with the same message."""

    def scenario(k: Kinds) -> Any:
        seen = []
        for name in (None, "repo"):
            for calls in ([], [(1,)], [(1, "a")], [(1, "a"), (2,)], [(2,), (1, "a"), (2,)]):
                m = k.Magic(name=name)
                for args in calls:
                    if len(args) == 2:
                        m(args[0], key=args[1])
                    else:
                        m(*args)
                m.child(1)
                m(2)
                for method, args, kwargs in ASSERTIONS:
                    seen.append(outcome(getattr(m, method), *args, **kwargs))
                seen.append(outcome(m.child.assert_called_once_with, 1))
                seen.append(outcome(m.child.assert_called_once_with, 2))
                seen.append(outcome(m.other.assert_not_called))
        return seen

    same(scenario)


def test_assertions_with_a_function_spec():
    """With a function spec, assertions match calls by the bound signature."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic(spec=make_key)
        m(1)
        m(user_id=2, prefix="p")
        return [
            outcome(m.assert_any_call, user_id=1),
            outcome(m.assert_called_with, 2, prefix="p"),
            outcome(m.assert_called_with, 2),
            outcome(m.assert_called_with, 1, 2, 3),
            outcome(m.assert_has_calls, [call(user_id=1), call(2, prefix="p")]),
            outcome(m.assert_has_calls, [call(1, 2, 3)]),
        ]

    same(scenario)


def test_misspelled_assertions():
    """Misspelled assertion names raise AttributeError unless unsafe=True."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic()
        names = ["assret_called_once", "assert_called_twice", "called_once_with", "aseert_x"]
        return [outcome(getattr, m, name) for name in names] + [
            norm(k.Magic(unsafe=True).assret_called)
        ]

    same(scenario)


# -- reset_mock, configure_mock --------------------------------------------------------


def test_reset_mock():
    """reset_mock clears lists recursively and resets return_value/side_effect on request."""

    def scenario(k: Kinds) -> Any:
        seen = []
        for flags in ({}, {"return_value": True}, {"side_effect": True}):
            m = k.Magic(return_value=1, side_effect=[5, 6, 7])
            m.child.return_value = 2
            m(1)
            m.child(2)
            m.child.grand(3)
            m.__str__.return_value = "text"
            m.reset_mock(**flags)
            seen += [lists(m), lists(m.child), lists(m.child.grand)]
            seen += [outcome(m, 4), outcome(m.child), outcome(str, m), lists(m)]
            m.__str__.reset_mock(return_value=True)
            seen.append(outcome(str, m))
        return seen

    same(scenario)


def test_reset_before_any_read():
    """Calls reset before anything reads the lists are gone, later ones are kept."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic()
        m(1)
        m.child(2)
        m.child.reset_mock()
        m.child(3)
        parent_lists = lists(m)
        m.reset_mock()
        m.child(4)
        return [parent_lists, lists(m), lists(m.child)]

    same(scenario)


def test_configure_mock():
    """configure_mock sets nested return values, side effects and attributes."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic(**{"get.return_value": 1, "fail.side_effect": KeyError("k")})
        m.configure_mock(**{"a.b.c.return_value": 3, "value": 5, "__len__.return_value": 2})
        return [
            outcome(m.get),
            outcome(m.fail),
            outcome(m.a.b.c),
            m.value,
            len(m),
            lists(m),
        ]

    same(scenario)


# -- spec, spec_set, wraps -------------------------------------------------------------


def test_spec_and_spec_set():
    """A spec limits attributes and magic methods, and decides sync or async children."""

    def scenario(k: Kinds) -> Any:
        seen = []
        for kwargs in (
            {"spec": Repository},
            {"spec_set": Repository},
            {"spec": Repository()},
            {"spec": ["get", "save"]},
            {"spec": make_key},
        ):
            m = k.Magic(**kwargs)
            seen += [
                norm(m),
                outcome(lambda m=m: isinstance(m, Repository)),
                outcome(getattr, m, "get"),
                outcome(getattr, m, "nope"),
                outcome(setattr, m, "nope", 1),
                outcome(lambda m=m: type(m.save).__name__.replace("Fake", "Mock")),
                outcome(len, m),
                outcome(lambda m=m: m[1]),
                outcome(lambda m=m: iter(m)),
                outcome(m, 1),
            ]
            try:
                saved = m.save({"id": 1})
            except AttributeError as exception:
                seen.append(failure(exception))
            else:
                if inspect.isawaitable(saved):
                    saved.close()
                    seen.append("awaitable")
                else:
                    seen.append(norm(saved))
            seen.append(lists(m))
        return seen

    same(scenario)


def test_mock_add_spec_and_class_assignment():
    """mock_add_spec and assigning __class__ change what the fake claims to be."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic()
        m.mock_add_spec(Repository, spec_set=True)
        seen = [
            outcome(getattr, m, "nope"),
            outcome(setattr, m, "nope", 1),
            isinstance(m, Repository),
        ]
        other = k.Magic()
        other.__class__ = dict
        seen += [isinstance(other, dict), outcome(len, other)]
        return seen

    same(scenario)


def test_wraps():
    """wraps calls the wrapped function or object unless return_value or side_effect says otherwise."""

    class Real:
        table = "t"

        def get(self, key: int) -> int:
            return key * 10

    def scenario(k: Kinds) -> Any:
        plain = k.Magic(wraps=make_key)
        overridden = k.Magic(wraps=make_key, return_value="x")
        defaulting = k.Magic(wraps=make_key, side_effect=lambda *a, **kw: DEFAULT)
        obj = k.Magic(wraps=Real())
        return [
            plain(1),
            plain(2, prefix="p"),
            overridden(1),
            defaulting(3),
            obj.get(4),
            outcome(getattr, obj, "missing"),
            lists(plain),
            lists(obj),
            norm(type(plain.return_value).__name__),
        ]

    same(scenario)


# -- magic methods ---------------------------------------------------------------------


def test_magic_methods_defaults_and_configuration():
    """Magic methods have MagicMock's defaults, can be configured, and are recorded."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic()
        defaults = [
            len(m),
            bool(m),
            int(m),
            float(m),
            complex(m),
            m.__index__(),
            list(m),
            3 in m,
            m == m,
            m != m,
            m < 1 if False else None,
            norm(str(m)),
            re.sub(r"\d+$", "?", m.__fspath__()),
            norm(m["key"]),
            hash(m) == hash(m),
            norm(m.__round__()),
            norm(m + 1),
            norm(abs(m)),
        ]
        m.__getitem__.side_effect = lambda key: key * 2
        m.__iter__.return_value = [1, 2]
        m.__enter__.return_value = "entered"
        m.__exit__.return_value = True
        m.__eq__.return_value = True
        m["a"] = 1
        with m as value:
            raise ValueError("suppressed")
        configured = [m[3], list(m), list(m), value, m == 2, m.__setitem__.call_args]
        return [norm(defaults), norm(configured), lists(m), lists(m.__getitem__)]

    same(scenario)


def test_assigning_magic_methods():
    """Magic methods can be assigned plain functions, mocks and fakes; unsupported ones refuse."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic()
        m.__len__ = lambda self: 7
        m.__getitem__ = k.Magic(return_value="item")
        m.__call__ = k.Magic(return_value="called")
        seen = [len(m), m[0], outcome(m)]
        seen.append(outcome(setattr, m, "__getattr__", lambda s, n: 1))
        seen.append(outcome(setattr, k.Magic(spec=Repository), "__iter__", iter))
        del m.__len__
        seen.append(outcome(len, m))
        return [*seen, lists(m)]

    same(scenario)


def test_children_call_and_magic_children():
    """Children are callable, their magic methods too, and async magics are awaitable fakes."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic()
        m.child.__len__.return_value = 5
        seen = [
            norm(m.child()),
            len(m.child),
            norm(type(m.__aenter__).__name__),
            norm(type(m.__aexit__).__name__),
            norm(type(m.__aiter__).__name__),
            norm(type(m.__anext__).__name__),
            norm(type(m.child.__len__).__name__),
        ]
        return [*seen, lists(m), lists(m.child)]

    same(scenario)


def test_mock_open_with_a_fake():
    """`mock_open(mock=MagicFake())` configures the fake like a MagicMock."""

    def scenario(k: Kinds) -> Any:
        opener = mock.mock_open(mock=k.Magic(), read_data="line 1\nline 2\n")
        with mock.patch("builtins.open", opener):
            with open("data.txt") as handle:
                lines = [handle.readline(), handle.read(), handle.readlines()]
            with open("data.txt") as handle:
                iterated = list(handle)
        return [lines, iterated, lists(opener), lists(opener.return_value)]

    same(scenario)


# -- seal ----------------------------------------------------------------------------


def test_seal():
    """seal freezes the tree of a fake with MagicMock's messages."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic(name="repo")
        m.get.return_value = 1
        m.nested.deeper.return_value = 2
        m.attached = k.Magic()
        m.independent = k.Magic(name="independent")
        mock.seal(m)
        return [
            outcome(m.get),
            outcome(m.nested.deeper),
            outcome(getattr, m, "new"),
            outcome(getattr, m.nested, "new"),
            outcome(getattr, m.attached, "new"),
            outcome(m.attached),
            outcome(m),
            norm(m.independent.still_open),
            outcome(setattr, m, "added", 1),
            outcome(len, m),
            lists(m),
        ]

    same(scenario)


# -- patch ---------------------------------------------------------------------------


def test_patch_with_new_callable():
    """patch, patch.object and patch.multiple accept new_callable=MagicFake."""

    def scenario(k: Kinds) -> Any:
        seen = []
        with mock.patch(f"{__name__}.make_key", new_callable=k.Magic) as patched:
            patched.return_value = "k"
            seen += [cache_key(1), lists(patched), norm(patched)]
        with mock.patch(f"{__name__}.make_key", new_callable=k.Magic, spec=True) as patched:
            seen += [outcome(cache_key, 1), outcome(make_key, 1, 2, 3)]
        with mock.patch.object(Repository, "get", new_callable=k.Magic) as patched:
            patched.return_value = {"id": 1}
            seen += [Repository().get(1), lists(patched)]
        with mock.patch.multiple(
            Repository, get=DEFAULT, table=DEFAULT, new_callable=k.Magic
        ) as patched:
            seen += [norm(sorted(patched)), norm(Repository.table), lists(patched["get"])]
        seen.append(make_key(2))
        return seen

    same(scenario)


def test_patch_decorator_with_new_callable():
    """patch as a decorator passes the MagicFake and undoes the patch."""

    def scenario(k: Kinds) -> Any:
        @mock.patch.object(Repository, "table", new_callable=k.Magic)
        @mock.patch(f"{__name__}.make_key", new_callable=k.Magic)
        def check(patched_key: Any, patched_table: Any) -> Any:
            patched_key.return_value = "x"
            return [cache_key(3), lists(patched_key), norm(patched_table)]

        return [check(), Repository.table, make_key(3)]

    same(scenario)


# -- copy, threads, subclasses -----------------------------------------------------------


def test_copy():
    """copy shares the call lists with the original, deepcopy copies them, as for MagicMock."""

    def scenario(k: Kinds) -> Any:
        seen = []
        for copier in (copy.copy, copy.deepcopy):
            m = k.Magic(return_value=1)
            m(0)
            m.child(1)
            duplicate = copier(m)
            duplicate(2)
            m(3)
            seen.append(
                [
                    duplicate.call_count,
                    m.call_count,
                    len(duplicate.call_args_list),
                    len(m.call_args_list),
                    [c[0] for c in duplicate.mock_calls],
                    [c[0] for c in m.mock_calls],
                    type(duplicate) is type(m),
                ]
            )
        return seen

    same(scenario)


def test_copy_then_call_children():
    """Children shared by a copy and its original record where MagicMock's do."""

    def scenario(k: Kinds) -> Any:
        seen = []
        for copier in (copy.copy, copy.deepcopy):
            parent = k.Magic()
            m = parent.m
            m.child(0)
            duplicate = copier(m)
            duplicate.child(1)
            m.child.grand(2)
            duplicate.other(3)
            duplicate()(4)
            seen.append(
                [
                    [c[0] for c in duplicate.mock_calls],
                    [c[0] for c in m.mock_calls],
                    [c[0] for c in parent.mock_calls],
                    [c[0] for c in duplicate.method_calls],
                    duplicate.child is m.child,
                    duplicate.child.call_count,
                    m.child.call_count,
                ]
            )
        return seen

    same(scenario)


def test_subclass_children():
    """Children of a subclass are instances of that subclass, as with MagicMock."""

    def scenario(k: Kinds) -> Any:
        class Custom(k.Magic):  # type: ignore[misc, name-defined]
            pass

        m = Custom()
        return [type(m.child).__mro__[1] is Custom, type(m()).__mro__[1] is Custom, norm(m.child)]

    same(scenario)


def test_thread_pool_calls():
    """Calls from a thread pool leave the same counts and call sets as on MagicMock."""

    def scenario(k: Kinds) -> Any:
        m = k.Magic(return_value=1)
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(m.work, range(200)))
        return [
            results.count(m.work.return_value),
            m.work.call_count,
            sorted(c.args for c in m.work.call_args_list),
            len(m.mock_calls),
        ]

    same(scenario)


def test_threads_record_exactly_while_read():
    """Eight threads calling a MagicFake child while another reads lose and duplicate nothing."""
    parent = af.MagicFake()
    child = parent.child
    per_thread, threads_count = 3000, 8
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            _ = parent.mock_calls, child.call_args_list, parent.method_calls

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
    expected = sorted((n, i) for n in range(threads_count) for i in range(per_thread))
    assert child.call_count == len(expected)
    assert sorted(c.args for c in child.call_args_list) == expected
    assert sorted(c.args for c in parent.mock_calls) == expected
    assert sorted(c.args for c in parent.method_calls) == expected
    assert sorted(r.args for r in af.calls(child)) == expected


def test_records_land_in_the_core():
    """Every call of a MagicFake and of its children is a CallRecord."""
    repo = af.MagicFake(name="repo")
    repo.get(1)
    repo.get.child()(2)
    repo(3)
    assert [(r.name, r.args, r.awaited, r.outcome) for r in af.calls(repo.get)] == [
        ("repo.get", (1,), False, "returned")
    ]
    assert [r.describe() for r in af.calls(repo.get.child.return_value)] == ["repo.get.child()(2)"]
    assert [r.args for r in af.calls(repo)] == [(3,)]


def test_spec_on_coroutine_function_is_awaited_in_the_core():
    """A MagicFake spec'd on a coroutine function records awaited calls."""

    async def fetch(key: str) -> bytes:
        raise NotImplementedError

    fake = af.MagicFake(spec=fetch, return_value=b"data")

    async def use() -> bytes:
        return await fake("k")  # type: ignore[no-any-return]

    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(use()) == b"data"
    finally:
        loop.close()
    (record,) = af.calls(fake)
    assert (record.args, record.awaited, record.outcome, record.result) == (
        ("k",),
        True,
        "returned",
        b"data",
    )
    fake.assert_awaited_once_with("k")


# -- random interleavings ------------------------------------------------------------


PATHS = ["", "a", "a.b", "()", "().x", "a.()", "s", "p", "p.q"]

operation = st.one_of(
    st.tuples(st.just("call"), st.integers(0, len(PATHS) - 1), st.integers(0, 3)),
    st.tuples(st.just("read"), st.integers(0, len(PATHS) - 1), st.integers(0, 3)),
    st.tuples(st.just("reset"), st.integers(0, len(PATHS) - 1), st.integers(0, 1)),
    st.tuples(st.just("attach"), st.integers(0, len(PATHS) - 1), st.integers(0, len(PATHS) - 1)),
    st.tuples(st.just("assign"), st.integers(0, len(PATHS) - 1), st.integers(0, len(PATHS) - 1)),
    st.tuples(st.just("effect"), st.integers(0, len(PATHS) - 1), st.integers(0, 2)),
    st.tuples(st.just("copy"), st.integers(0, len(PATHS) - 1), st.just(0)),
)
READS = ["call_args_list", "mock_calls", "method_calls", "call_count"]


def _interleave(k: Kinds, operations: list[tuple[str, int, int]]) -> list[Any]:
    root = k.Magic()
    nodes = {"": root, "a": root.a, "a.b": root.a.b, "()": root.return_value}
    nodes["().x"] = root.return_value.x
    nodes["a.()"] = root.a.return_value
    nodes["s"] = k.Magic()
    nodes["p"] = MagicMock()
    nodes["p.q"] = nodes["p"].q
    seen: list[Any] = []
    extras: list[Any] = []
    for op, first, second in operations:
        node = nodes[PATHS[first]]
        if op == "call":
            seen.append(outcome(node, second) if second % 2 else outcome(node, second, k=second))
        elif op == "read":
            seen.append(outcome(getattr, node, READS[second]))
        elif op == "reset":
            node.reset_mock(return_value=bool(second))
        elif op == "attach":
            seen.append(outcome(node.attach_mock, nodes[PATHS[second]], f"n{second}"))
        elif op == "assign":
            seen.append(outcome(setattr, node, f"m{second}", nodes[PATHS[second]]))
        elif op == "effect":
            node.side_effect = [None, KeyError("e"), DEFAULT] * 10 if second == 1 else None
        elif op == "copy":
            # The copy stands in for the node from now on; both share its lists.
            nodes[PATHS[first]] = copy.copy(node)
            extras.append(node)
    for path in PATHS:
        seen.append((path, outcome(lists, nodes[path])))
    seen.extend(outcome(lists, extra) for extra in extras)
    return seen


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=40))
def test_random_interleavings_match_magicmock(operations: list[tuple[str, int, int]]):
    """Random calls, reads, resets, attachments and assignments leave identical lists."""
    assert _interleave(OURS, operations) == _interleave(STD, operations)
