"""`AsyncFake` and `MagicFake`: `AsyncMock`/`MagicMock` that record into the core.

This is the only module that touches `unittest.mock` internals. The standard
mocks keep several parallel lists (`call_args_list`, `mock_calls`,
`method_calls` on every ancestor, `await_args_list`) and update them by hand on
every call; that bookkeeping is most of an `AsyncMock` call's cost. A fake
instead appends the call's raw record to a pending list (its own and each fake
ancestor's) and materialises the standard lists from those records the first
time anything reads them, producing exactly the objects `AsyncMock` would have.

What keeps the lazy lists exact:

- A record's names in an ancestor's `mock_calls`/`method_calls` are computed at
  materialisation time from the parent links. Before a fake's links or names
  change (`attach_mock`, adoption by assignment), its ancestors materialise
  their pending records, so every call keeps the names it had when made.
- A chain that contains a plain `Mock` ancestor (a fake attached to a
  `MagicMock`) is recorded eagerly with `CallableMixin._increment_mock_call`,
  since the plain mock keeps its lists eagerly; each lazy list syncs before it
  is appended to, so eager and lazy entries keep their order.
- Pending lists are drained in place under a lock: calls from other threads
  append while a reader materialises, and nothing is lost or seen twice.
- A shallow copy of a mock shares its lists with the original, so a copied
  fake and its original record eagerly from then on (no pending list), and so
  do the calls of their lazy descendants.

`unittest.mock` internals used here are the same on CPython 3.10-3.13:
`_Call`, `_CallList`, `_is_exception`, `_callable`, `_all_sync_magics`,
`_async_method_magics`, `AsyncMockMixin`, `CallableMixin._increment_mock_call`,
`_spec_asyncs`, the `_mock_parent`/`_mock_new_parent`/`_mock_name`/
`_mock_new_name` links, `_delegating_property` storage in ``_mock_<name>``, and
`NonCallableMock.__new__` creating one class per instance.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, SupportsIndex
from unittest import mock as _mock

from ._recorder import (
    ARGS,
    AWAITABLE,
    AWAITED,
    CANCELLED,
    ENDED,
    EXCEPTION,
    KWARGS,
    LOOP,
    NO_KWARGS,
    OUTCOME,
    RAISED,
    RESULT,
    RETURNED,
    TARGET,
    TRACK_ATTR,
    Deferred,
    Track,
    enter_context,
    exit_context,
    fail,
    finish,
    is_cancellation,
    new_record,
    run_awaited,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable

__all__ = ["AsyncFake", "MagicFake", "Stub"]

_Call: Any = _mock._Call
_CallList: Any = _mock._CallList
_is_exception: Callable[[object], bool] = _mock._is_exception  # type: ignore[attr-defined]
_callable: Callable[[object], bool] = _mock._callable  # type: ignore[attr-defined]
_all_sync_magics: set[str] = _mock._all_sync_magics  # type: ignore[attr-defined]
_async_method_magics: set[str] = _mock._async_method_magics  # type: ignore[attr-defined]
_iscoroutinefunction: Callable[[object], bool] = _mock.iscoroutinefunction  # type: ignore[attr-defined]
_AsyncMockMixin: type[Any] = _mock.AsyncMockMixin
_increment_mock_call: Callable[..., None] = _mock.CallableMixin._increment_mock_call  # type: ignore[attr-defined]
_DEFAULT: Any = _mock.DEFAULT
_getframe = sys._getframe
_monotonic = time.monotonic
_base_check_sig = _mock.Mock._mock_check_sig

_PENDING = "_af_pending"
_AWAIT_PENDING = "_af_await_pending"
_STUB = "_af_stub"
_ROLE = "_af_role"
_RESOLVER = "_af_resolver"

# Our per-object state: a copy gets its own (see `_Recording.__reduce_ex__`).
_PER_OBJECT = frozenset({TRACK_ATTR, _PENDING, _AWAIT_PENDING, _RESOLVER})

# The attributes `_relative_names` reads: changing one renames calls already made.
_LINKS = frozenset({"_mock_parent", "_mock_new_parent", "_mock_name", "_mock_new_name"})

# What configures a fake's calls the unittest.mock way; the stubbing layer, which
# sits above this module, registers hooks that run when they are set (a value no
# call could reach is refused) and when `reset_mock` resets them (its rules go too).
_CONFIGURATION = frozenset({"return_value", "side_effect"})
configuration_hooks: list[Callable[[Any, str, Any], None]] = []
reset_hooks: list[Callable[[Any], None]] = []

# What `type(fake)` reports: NonCallableMock.__new__ creates one class per
# instance with `type()`, which takes `__module__` from its caller, unittest.mock.
_PUBLIC_MODULE = "asyncfakes"

# Materialising drains pending lists in place while other threads may append.
# Reentrant: a hang would be far worse than a nested drain, which is harmless.
_sync_lock = threading.RLock()

Stub = Callable[[Any, tuple[Any, ...], dict[str, Any], list[Any]], Any]
"""The stubbing hook: ``stub(fake, args, kwargs, raw)`` returns the call's result,
or `unittest.mock.DEFAULT` to fall back to `return_value`/`side_effect`. For an
`AsyncFake` it may return an awaitable, which is awaited."""


def _relative_names(target: Any, ancestor: Any) -> tuple[str, str | None]:
    """The names under which `ancestor` lists a call of its descendant `target`.

    Returns the `mock_calls` name and the `method_calls` name (None when the
    call does not belong in `method_calls`), computed exactly as
    `CallableMixin._increment_mock_call` does while walking up the parents.
    """
    do_method_calls = target._mock_parent is not None
    method_call_name: str = target._mock_name
    mock_call_name: str = target._mock_new_name
    is_a_call = mock_call_name == "()"
    node = target._mock_new_parent
    while node is not None and node is not ancestor:
        if do_method_calls:
            do_method_calls = node._mock_parent is not None
            if do_method_calls:
                method_call_name = node._mock_name + "." + method_call_name
        if node._mock_new_name:
            dot = "" if is_a_call else "."
            is_a_call = node._mock_new_name == "()"
            mock_call_name = node._mock_new_name + dot + mock_call_name
        node = node._mock_new_parent
    return mock_call_name, (method_call_name if do_method_calls else None)


class _Lazy:
    """A standard mock list/counter, brought up to date before every read or write.

    A data descriptor where `unittest.mock` has a `_delegating_property`: like
    it, it reads and writes the delegate's attribute when the fake has one.
    """

    __slots__ = ("_name", "_storage")

    def __init__(self, name: str, storage: str) -> None:
        self._name = name
        self._storage = storage

    def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        namespace = instance.__dict__
        delegate = namespace["_mock_delegate"]
        if delegate is not None:
            return getattr(delegate, self._name)
        if namespace[_PENDING] or namespace.get(_AWAIT_PENDING):
            _sync(instance)
        return namespace[self._storage]

    def __set__(self, instance: Any, value: Any) -> None:
        namespace = instance.__dict__
        delegate = namespace["_mock_delegate"]
        if delegate is not None:
            setattr(delegate, self._name, value)
            return
        if namespace[_PENDING] or namespace.get(_AWAIT_PENDING):
            _sync(instance)
        namespace[self._storage] = value


def _drain(pending: list[list[Any]]) -> list[list[Any]]:
    """Take the records out of a pending list, leaving the ones appended meanwhile."""
    count = len(pending)
    batch = pending[:count]
    del pending[:count]
    return batch


def _sync(fake: Any) -> None:
    """Move pending records into the standard mock lists, as AsyncMock would have."""
    namespace = fake.__dict__
    with _sync_lock:
        pending: list[list[Any]] | None = namespace[_PENDING]
        if pending:
            names: dict[int, tuple[str, str | None]] = {}
            for raw in _drain(pending):
                # A fresh dict for a call recorded with the shared NO_KWARGS.
                args = raw[ARGS]
                kwargs: dict[str, Any] = raw[KWARGS] or {}
                target = raw[TARGET]
                if target is fake:
                    call = _Call((args, kwargs), two=True)
                    namespace["_mock_called"] = True
                    namespace["_mock_call_count"] += 1
                    namespace["_mock_call_args"] = call
                    namespace["_mock_call_args_list"].append(call)
                    namespace["_mock_mock_calls"].append(_Call(("", args, kwargs)))
                    continue
                relative = names.get(id(target))
                if relative is None:
                    relative = names[id(target)] = _relative_names(target, fake)
                mock_name, method_name = relative
                if method_name is not None:
                    namespace["method_calls"].append(_Call((method_name, args, kwargs)))
                namespace["_mock_mock_calls"].append(_Call((mock_name, args, kwargs)))
        awaits: list[list[Any]] | None = namespace.get(_AWAIT_PENDING)
        if awaits:
            for raw in _drain(awaits):
                call = _Call((raw[ARGS], raw[KWARGS] or {}), two=True)
                namespace["_mock_await_count"] += 1
                namespace["_mock_await_args"] = call
                namespace["_mock_await_args_list"].append(call)


def _sync_ancestors(node: Any) -> None:
    """Materialise the pending records of every ancestor of `node`.

    Called before `node` is renamed or moved: those records are listed under
    names that go through `node`, and must keep the names they were made with.
    """
    parent = node.__dict__.get("_mock_new_parent")
    while parent is not None:
        namespace = parent.__dict__
        if namespace.get(_PENDING):
            _sync(parent)
        parent = namespace.get("_mock_new_parent")


def _rebuild(kind: type[Any]) -> Any:
    """The new object of a copy: what `copy` makes of a mock, plus our own state."""
    create: Any = kind.__new__
    fake = create(kind)
    fake._af_setup()
    fake._af_record_eagerly()
    return fake


def _complete_awaitable(self: Any, raw: list[Any], args: tuple[Any, ...], kwargs: Any) -> Any:
    """The rest of an awaitable fake's call, once recorded: its awaitable."""
    raw[AWAITABLE] = awaitable = run_awaited(raw, self.__dict__[_RESOLVER])
    return awaitable


async def _await_fake(namespace: dict[str, Any], raw: list[Any], track: Track) -> Any:
    """The awaitable of an `AsyncFake` call: the core's `run_awaited`, specialised.

    The hot path of the library. It does what `run_awaited(raw, resolver)` does
    (the same record updates, in the same order), with the commonest outcome —
    a configured `return_value`, nothing else set, lists kept lazily — read
    straight from the fake's ``__dict__`` instead of through the resolver's
    extra call. Everything else goes to the resolver, as in `run_awaited`.
    """
    raw[AWAITED] = True
    raw[AWAITABLE] = None
    in_flight = track.in_flight = track.in_flight + 1
    if in_flight > track.max_in_flight:  # noqa: PLR1730 (cheaper than max())
        track.max_in_flight = in_flight
    try:
        result = namespace["_mock_return_value"]
        if (
            result is not _DEFAULT
            and namespace["_mock_side_effect"] is None
            and namespace[_STUB] is None
            and namespace[_ROLE] is None
            and namespace["_mock_delegate"] is None
            and namespace[_PENDING] is not None
        ):
            namespace[_AWAIT_PENDING].append(raw)
        else:
            result = namespace[_RESOLVER].resolve_call(raw)
            if type(result) is Deferred:
                result = await result.awaitable
    except BaseException as exception:
        raw[EXCEPTION] = exception
        raw[OUTCOME] = CANCELLED if is_cancellation(exception) else RAISED
        loop = raw[LOOP]
        raw[ENDED] = _monotonic() if loop is None else loop.time()
        track.in_flight -= 1
        raise
    raw[RESULT] = result
    raw[OUTCOME] = RETURNED
    loop = raw[LOOP]
    raw[ENDED] = _monotonic() if loop is None else loop.time()
    track.in_flight -= 1
    return result


def _complete_fake_awaitable(self: Any, raw: list[Any], args: tuple[Any, ...], kwargs: Any) -> Any:
    """The rest of an `AsyncFake`'s call, once recorded: its awaitable."""
    namespace = self.__dict__
    raw[AWAITABLE] = awaitable = _await_fake(namespace, raw, namespace[TRACK_ATTR])
    return awaitable


# Not mutated (nox -s mutation), as the two `__call__` below: mutmut would wrap it
# in a trampoline, whose frame `_getframe(1)` would then record as the call site.
def _async_magic_call(self: Any, /, *args: Any, **kwargs: Any) -> Any:  # pragma: no mutate block
    """`__call__` of a `MagicFake` spec'd on a coroutine function: recorded, awaitable.

    Its awaits are counted by `AsyncMockMixin` itself (see `_af_eager_outcome`),
    so it takes the core's generic `run_awaited`, not `AsyncFake`'s fast path.
    """
    self._mock_check_sig(*args, **kwargs)
    namespace = self.__dict__
    raw = new_record(namespace[TRACK_ATTR], self, args, kwargs or NO_KWARGS, _getframe(1))
    self._af_propagate(raw, args, kwargs)
    return _complete_awaitable(self, raw, args, kwargs)


def _complete_sync(self: Any, raw: list[Any], args: tuple[Any, ...], kwargs: Any) -> Any:
    """The rest of a sync fake's call, once recorded: its outcome."""
    try:
        stub = self.__dict__[_STUB]
        result = _DEFAULT if stub is None else stub(self, args, kwargs, raw)
        if result is _DEFAULT:
            result = self._execute_mock_call(*args, **kwargs)
    except BaseException as exception:
        fail(raw, exception)
        raise
    finish(raw, result)
    return result


class _Resolver:
    """Computes the outcome of a fake's awaited calls: the core's `Resolver`.

    A separate object, so that no `resolve_call` attribute on the fake shadows
    a child of that name, as it would not on an `AsyncMock`.
    """

    __slots__ = ("resolve_call",)

    def __init__(self, resolve_call: Callable[[list[Any]], Any]) -> None:
        self.resolve_call = resolve_call


class _Recording:
    """What AsyncFake and MagicFake share: a track, pending records, lazy lists."""

    if TYPE_CHECKING:
        # As typeshed declares them on NonCallableMock: read and written as plain values.
        called: bool
        call_count: int
        call_args: Any
        call_args_list: _mock._CallList
        mock_calls: _mock._CallList
        method_calls: _mock._CallList
    else:
        called = _Lazy("called", "_mock_called")
        call_count = _Lazy("call_count", "_mock_call_count")
        call_args = _Lazy("call_args", "_mock_call_args")
        call_args_list = _Lazy("call_args_list", "_mock_call_args_list")
        mock_calls = _Lazy("mock_calls", "_mock_mock_calls")
        method_calls = _Lazy("method_calls", "method_calls")

    _af_is_async: ClassVar[bool] = False

    def __new__(cls, /, *args: Any, **kwargs: Any) -> Any:
        instance = super().__new__(cls, *args, **kwargs)
        kind: Any = type(instance)
        kind.__module__ = _PUBLIC_MODULE
        if not cls._af_is_async and issubclass(kind, _AsyncMockMixin):
            # Spec'd on a coroutine function, NonCallableMock.__new__ made this
            # MagicFake an AsyncMockMixin: its calls are awaitable, and recorded so.
            kind._af_is_async = True
            kind._af_complete = _complete_awaitable
            kind.__call__ = _async_magic_call
        return instance

    def __init__(self, /, *args: Any, **kwargs: Any) -> None:
        namespace = self.__dict__
        self._af_setup()
        namespace[_STUB] = None
        namespace[_ROLE] = None
        super().__init__(*args, **kwargs)

    def _af_setup(self) -> None:
        namespace = self.__dict__
        namespace[TRACK_ATTR] = Track(self._af_name)
        namespace[_PENDING] = []
        namespace[_RESOLVER] = _Resolver(self._af_resolve_call)

    def _af_name(self) -> str:
        return self._extract_mock_name()  # type: ignore[attr-defined, no-any-return]

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LINKS:
            _sync_ancestors(self)
        elif (
            name in _CONFIGURATION
            and self.__dict__.get(_STUB) is not None
            and not _is_default_child(self, value)
        ):
            for hook in configuration_hooks:
                hook(self, name, value)
        super().__setattr__(name, value)

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        # copy/deepcopy of an AsyncMock copies its __dict__, sharing (or deep
        # copying) its lists: ours are materialised first, the copy gets a track
        # of its own, and both record eagerly from now on, since a call of
        # either must show in the shared lists at once.
        _sync(self)
        self._af_record_eagerly()
        state = {k: v for k, v in self.__dict__.items() if k not in _PER_OBJECT}
        return (_rebuild, (type(self),), state)

    def _af_record_eagerly(self) -> None:
        # No pending list: this fake's calls, and those of lazy descendants that
        # meet it on their way up, take the eager path of `_af_propagate`.
        namespace = self.__dict__
        namespace[_PENDING] = None
        namespace[_RESOLVER] = _Resolver(self._af_resolve_eagerly)

    _af_complete = _complete_sync

    def _af_propagate(self, raw: list[Any], args: tuple[Any, ...], kwargs: Any) -> None:
        namespace = self.__dict__
        pending = namespace[_PENDING]
        if pending is not None and namespace["_mock_delegate"] is None:
            node = namespace["_mock_new_parent"]
            if node is None:
                pending.append(raw)
                return
            # The pending list of every ancestor, found in one walk; a node
            # without one is a plain Mock or a copied fake: see below.
            node_namespace = node.__dict__
            node_pending: list[list[Any]] | None = node_namespace.get(_PENDING)
            node = node_namespace.get("_mock_new_parent")
            if node_pending is not None:
                if node is None:  # one parent: the common case
                    pending.append(raw)
                    node_pending.append(raw)
                    return
                lists = [pending, node_pending]
                while node is not None:
                    node_namespace = node.__dict__
                    node_pending = node_namespace.get(_PENDING)
                    if node_pending is None:
                        break
                    lists.append(node_pending)
                    node = node_namespace.get("_mock_new_parent")
                else:
                    for each in lists:
                        each.append(raw)
                    return
        # A plain Mock ancestor (attach_mock onto a MagicMock) or a copied fake
        # keeps its lists eagerly: so does the whole chain, with the standard
        # bookkeeping.
        _increment_mock_call(self, *args, **kwargs)

    def _af_resolve_call(self, raw: list[Any]) -> Any:
        # An awaitable MagicFake (spec'd on a coroutine function) runs
        # AsyncMockMixin._execute_mock_call, which keeps the await lists itself.
        return Deferred(self._af_eager_outcome(raw))

    _af_resolve_eagerly = _af_resolve_call

    async def _af_eager_outcome(self, raw: list[Any]) -> Any:
        args = raw[ARGS]
        kwargs: dict[str, Any] = raw[KWARGS] or {}
        stub = self.__dict__[_STUB]
        if stub is not None:
            result = stub(self, args, kwargs, raw)
            if result is not _DEFAULT:
                call = _Call((args, kwargs), two=True)
                self.await_count += 1  # type: ignore[attr-defined]
                self.await_args = call
                self.await_args_list.append(call)  # type: ignore[attr-defined]
                return (await result) if _isawaitable(result) else result
        return await self._execute_mock_call(*args, **kwargs)  # type: ignore[attr-defined]

    # A typed __getattr__ would let every attribute type-check; always true at run time.
    if not TYPE_CHECKING:  # pragma: no branch

        def __getattr__(self, name: str) -> Any:
            child = _base_getattr(self, name)
            if type(self).__getattr__ is _Recording.__getattr__:
                cache_child(self, name, child)
            return child

    def mock_add_spec(self, spec: Any, spec_set: bool = False) -> None:
        """As `unittest.mock.Mock.mock_add_spec`; children read before obey the new spec too."""
        _forget_cached_children(self)
        super().mock_add_spec(spec, spec_set)  # type: ignore[misc]

    def reset_mock(self, /, *args: Any, **kwargs: Any) -> None:
        """As `unittest.mock.Mock.reset_mock`; also forgets this fake's recorded calls."""
        namespace = self.__dict__
        with _sync_lock:
            pending = namespace[_PENDING]
            if pending:
                del pending[:]
            awaits = namespace.get(_AWAIT_PENDING)
            if awaits:
                del awaits[:]
        namespace[TRACK_ATTR].reset()
        if (kwargs.get("return_value") or kwargs.get("side_effect")) and namespace.get(
            _STUB
        ) is not None:
            for hook in reset_hooks:
                hook(self)
        super().reset_mock(*args, **kwargs)  # type: ignore[misc]

    def _get_child_mock(self, /, **kw: Any) -> Any:
        """Children are fakes, of the kind `NonCallableMock._get_child_mock` would pick."""
        namespace = self.__dict__
        if namespace["_mock_sealed"]:
            attribute = f".{kw['name']}" if "name" in kw else "()"
            raise AttributeError(self._extract_mock_name() + attribute)  # type: ignore[attr-defined]
        new_name = kw.get("_new_name")
        kind = type(self)
        klass: type[Any]
        if new_name in namespace["_spec_asyncs"] or (
            issubclass(kind, _mock.MagicMock) and new_name in _async_method_magics
        ):
            klass = AsyncFake
        elif issubclass(kind, _AsyncMockMixin):
            methods = namespace["_mock_methods"]
            if new_name in _all_sync_magics or (methods and new_name in methods):
                klass = MagicFake
            else:
                klass = AsyncFake
        else:
            # As for MagicMock: the class this instance's own class was made from.
            klass = kind.__mro__[1]
        child = klass(**kw)
        if isinstance(child, AsyncFake) and new_name in ("__aenter__", "__aexit__"):
            child.__dict__[_ROLE] = new_name
        return child


class AsyncFake(_Recording, _mock.AsyncMock):
    """A drop-in `unittest.mock.AsyncMock` whose calls land in the call-recording core.

    Everything an `AsyncMock` does, it does the same way; on top, each call is a
    `CallRecord` (see `af.calls`), and awaited calls are several times cheaper
    because the standard call lists are built only when read.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> fetch = af.AsyncFake(return_value={"id": 1})
        >>> asyncio.run(fetch(1))
        {'id': 1}
        >>> fetch.assert_awaited_once_with(1)
        >>> af.calls(fetch)[0].outcome
        'returned'
    """

    if TYPE_CHECKING:
        # As typeshed declares them on AsyncMockMixin.
        await_count: int
        await_args: _mock._Call | None
        await_args_list: _mock._CallList
    else:
        await_count = _Lazy("await_count", "_mock_await_count")
        await_args = _Lazy("await_args", "_mock_await_args")
        await_args_list = _Lazy("await_args_list", "_mock_await_args_list")

    _af_is_async: ClassVar[bool] = True

    def _af_setup(self) -> None:
        super()._af_setup()
        self.__dict__[_AWAIT_PENDING] = []

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:  # pragma: no mutate block
        if type(self)._mock_check_sig is not _base_check_sig:
            self._mock_check_sig(*args, **kwargs)
        namespace = self.__dict__
        track = namespace[TRACK_ATTR]
        raw = new_record(track, self, args, kwargs or NO_KWARGS, _getframe(1))
        pending = namespace[_PENDING]
        if (
            pending is not None
            and namespace["_mock_new_parent"] is None
            and namespace["_mock_delegate"] is None
        ):
            pending.append(raw)
        else:
            self._af_propagate(raw, args, kwargs)
        raw[AWAITABLE] = awaitable = _await_fake(namespace, raw, track)
        return awaitable

    _af_complete = _complete_fake_awaitable

    def _af_resolve_eagerly(self, raw: list[Any]) -> Any:
        call = _Call((raw[ARGS], raw[KWARGS] or {}), two=True)
        self.await_count += 1
        self.await_args = call
        self.await_args_list.append(call)
        return Deferred(self._af_outcome(raw))

    def _af_resolve_call(self, raw: list[Any]) -> Any:
        """Compute the outcome of an awaited call (the core's `Resolver` protocol).

        AsyncMockMixin._execute_mock_call's rules, run without a coroutine of
        their own whenever nothing needs awaiting: a configured return_value, an
        exception, an iterable or a sync function as side_effect, a sync `wraps`.
        """
        namespace = self.__dict__
        if namespace["_mock_delegate"] is not None:
            # Wrapped by create_autospec's function copy, which holds the
            # await_* lists (AsyncMockMixin's delegating properties): keep them
            # there, eagerly, as AsyncMock does.
            return self._af_resolve_eagerly(raw)
        namespace[_AWAIT_PENDING].append(raw)
        # CallableMixin.__init__ stores the `_mock_*` values in the instance
        # dict: reading them there skips the attribute lookup through the MRO.
        if namespace[_STUB] is not None or namespace[_ROLE] is not None:
            return Deferred(self._af_outcome(raw))
        # A configured return_value with no side_effect never gets here: the
        # fake's coroutine (`_await_fake`) returns it without this call. A sync
        # function as side_effect, the next commonest, is called right here.
        effect = namespace["_mock_side_effect"]
        if effect is not None and _effect_kind(namespace, effect) is _CALLS:
            result = effect(*raw[ARGS], **raw[KWARGS])
            if result is not _DEFAULT:
                return result
            effect = None  # DEFAULT: on to return_value and wraps
        return self._af_default_outcome(effect, raw[ARGS], raw[KWARGS])

    def _af_default_outcome(
        self, effect: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """AsyncMockMixin._execute_mock_call's rules (identical on 3.10-3.13) for `effect`.

        Minus the await_* bookkeeping that the records replace, and without a
        coroutine of its own: returns the result, or a `Deferred` when something
        must be awaited first (an async side_effect or `wraps`).
        """
        if effect is not None:
            kind = _effect_kind(self.__dict__, effect)
            if kind is _AWAITS:
                return Deferred(self._af_after_effect(effect(*args, **kwargs), args, kwargs))
            if kind is _RAISES:
                raise effect
            if kind is _ITERATES:
                try:
                    result = next(effect)
                except StopIteration:
                    # A StopIteration cannot cross a coroutine (PEP 479); raised
                    # inside the handler, chained to it, exactly as AsyncMock does.
                    raise StopAsyncIteration  # noqa: B904
                if _is_exception(result):
                    raise result
            else:
                result = effect(*args, **kwargs)
            if result is not _DEFAULT:
                return result
        if self.__dict__["_mock_return_value"] is not _DEFAULT:
            return self.return_value
        wraps = self._mock_wraps
        if wraps is not None:
            if _iscoroutinefunction(wraps):
                return Deferred(wraps(*args, **kwargs))
            return wraps(*args, **kwargs)
        return self.return_value

    async def _af_after_effect(
        self, awaitable: Awaitable[Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """An async side_effect's result, or what the mock gives when it returns DEFAULT."""
        result = await awaitable
        if result is _DEFAULT:
            result = self._af_default_outcome(None, args, kwargs)
            if type(result) is Deferred:
                result = await result.awaitable
        return result

    async def _af_outcome(self, raw: list[Any]) -> Any:
        args, kwargs = raw[ARGS], raw[KWARGS]
        namespace = self.__dict__
        stub = namespace[_STUB]
        result = _DEFAULT
        if stub is not None:
            result = stub(self, args, kwargs, raw)
            if result is not _DEFAULT and _isawaitable(result):
                result = await result
        if result is _DEFAULT:
            result = await self._af_default(args, kwargs)
        role = namespace[_ROLE]
        if role is not None:
            parent = namespace["_mock_new_parent"]
            if role == "__aenter__":
                enter_context(parent)
            else:
                exit_context(parent)
        return result

    async def _af_default(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        # Behind a stub that gave nothing, a context role or a delegate: the
        # delegate (create_autospec's function copy) holds the side_effect then.
        namespace = self.__dict__
        if namespace["_mock_delegate"] is None:
            effect = namespace["_mock_side_effect"]
        else:
            effect = self.side_effect
        result = self._af_default_outcome(effect, args, kwargs)
        if type(result) is Deferred:
            result = await result.awaitable
        return result


class MagicFake(_Recording, _mock.MagicMock):
    """A drop-in `unittest.mock.MagicMock` whose calls land in the call-recording core.

    Sync members of spec'd fakes and sync magic methods of an `AsyncFake` are
    `MagicFake` instances.

    Example:
        >>> import asyncfakes as af
        >>> key = af.MagicFake(return_value="user:1")
        >>> key(1)
        'user:1'
        >>> key.assert_called_once_with(1)
        >>> af.calls(key)[0].awaited
        False
    """

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:  # pragma: no mutate block
        if type(self)._mock_check_sig is not _base_check_sig:
            self._mock_check_sig(*args, **kwargs)
        namespace = self.__dict__
        raw = new_record(namespace[TRACK_ATTR], self, args, kwargs or NO_KWARGS, _getframe(1))
        pending = namespace[_PENDING]
        if (
            pending is not None
            and namespace["_mock_new_parent"] is None
            and namespace["_mock_delegate"] is None
        ):
            pending.append(raw)
        else:
            self._af_propagate(raw, args, kwargs)
        try:
            stub = namespace[_STUB]
            result = _DEFAULT if stub is None else stub(self, args, kwargs, raw)
            if result is _DEFAULT:
                result = self._execute_mock_call(*args, **kwargs)
        except BaseException as exception:
            fail(raw, exception)
            raise
        finish(raw, result)
        return result


_base_getattr: Callable[[Any, str], Any] = _mock.NonCallableMock.__getattr__
_CACHED = "_af_cached_children"


def cache_child(fake: Any, name: str, child: object) -> None:
    """Keep a child the mock machinery created in the instance dict.

    `unittest.mock` finds an auto-created child through `__getattr__` on every
    read (about a microsecond: `client.get(...)` pays it per call); a child in
    the instance dict is found by the normal lookup, as an assigned child
    already is. Only plain children are kept: `mock_add_spec` forgets them, so
    the new spec still decides what exists.
    """
    namespace = fake.__dict__
    # A frozenset, replaced rather than changed: a copy of the fake shares it safely.
    namespace[_CACHED] = namespace.get(_CACHED, frozenset()) | {name}
    namespace[name] = child


def _forget_cached_children(fake: Any) -> None:
    namespace = fake.__dict__
    for name in namespace.pop(_CACHED, ()):
        if namespace.get(name) is namespace["_mock_children"].get(name):
            del namespace[name]


_EFFECT = "_af_effect_kind"
_RAISES, _ITERATES, _AWAITS, _CALLS = "raises", "iterates", "awaits", "calls"


def _effect_kind(namespace: dict[str, Any], effect: object) -> str:
    """How AsyncMock would use `effect`, worked out once per side_effect value.

    `_is_exception`, `_callable` and `iscoroutinefunction` cost over half a
    microsecond together; a side_effect is set once and used for many calls.
    """
    cached: tuple[object, str] | None = namespace.get(_EFFECT)
    if cached is not None and cached[0] is effect:
        return cached[1]
    if _is_exception(effect):
        kind = _RAISES
    elif not _callable(effect):
        kind = _ITERATES
    elif _iscoroutinefunction(effect):
        kind = _AWAITS
    else:
        kind = _CALLS
    namespace[_EFFECT] = (effect, kind)
    return kind


def _isawaitable(value: object) -> bool:
    return hasattr(type(value), "__await__")


def _is_default_child(fake: Any, value: object) -> bool:
    """True for the child that reading `fake.return_value` creates and stores: not a user's set."""
    if not isinstance(value, _Recording):
        return False
    namespace = value.__dict__
    return namespace["_mock_new_parent"] is fake and namespace["_mock_new_name"] == "()"


def set_stub(fake: Any, stub: Stub | None) -> None:
    """Install the stubbing hook of a fake (None removes it)."""
    fake.__dict__[_STUB] = stub


def get_stub(fake: Any) -> Stub | None:
    """The stubbing hook of a fake, if any."""
    stub: Stub | None = fake.__dict__.get(_STUB)
    return stub


def is_fake(value: object) -> bool:
    """True for AsyncFake and MagicFake instances."""
    return isinstance(value, _Recording)


if TYPE_CHECKING:
    _: Awaitable[Any]


def is_descendant(node: object, ancestor: object) -> bool:
    """True when `ancestor` is a parent (or grandparent...) of the fake `node`."""
    if not isinstance(node, _Recording):
        return False
    parent = node.__dict__["_mock_new_parent"]
    while parent is not None:
        if parent is ancestor:
            return True
        parent = getattr(parent, "_mock_new_parent", None)
    return False
