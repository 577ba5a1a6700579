"""`AsyncFake` and `MagicFake`: `AsyncMock`/`MagicMock` that record into the core.

This is the only module that touches `unittest.mock` internals. The standard
mocks keep several parallel lists (`call_args_list`, `mock_calls`,
`method_calls` on every ancestor, `await_args_list`) and update them by hand on
every call; that bookkeeping is most of an `AsyncMock` call's cost. A fake
instead appends one `CallRecord` to a pending list (its own and each fake
ancestor's) and materialises the standard lists from those records the first
time anything reads them, producing exactly the objects `AsyncMock` would have.

`unittest.mock` internals used here are the same on CPython 3.10-3.13:
`_Call`, `_CallList`, `_is_exception`, `_callable`, `_all_sync_magics`,
`_spec_asyncs`, `_mock_new_parent`/`_mock_new_name`, `_delegating_property`
storage in ``_mock_<name>``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar
from unittest import mock as _mock

from ._recorder import (
    ARGS,
    AWAITABLE,
    KWARGS,
    TARGET,
    TRACK_ATTR,
    Deferred,
    Track,
    enter_context,
    exit_context,
    fail,
    finish,
    new_record,
    run_awaited,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable

__all__ = ["AsyncFake", "MagicFake", "Stub"]

_Call: Any = _mock._Call  # type: ignore[attr-defined]
_CallList: Any = _mock._CallList  # type: ignore[attr-defined]
_is_exception: Callable[[object], bool] = _mock._is_exception  # type: ignore[attr-defined]
_callable: Callable[[object], bool] = _mock._callable  # type: ignore[attr-defined]
_all_sync_magics: set[str] = _mock._all_sync_magics  # type: ignore[attr-defined]
_iscoroutinefunction: Callable[[object], bool] = _mock.iscoroutinefunction  # type: ignore[attr-defined]
_DEFAULT: Any = _mock.DEFAULT
_getframe = sys._getframe
_base_check_sig = _mock.Mock._mock_check_sig  # type: ignore[attr-defined]

_PENDING = "_af_pending"
_AWAIT_PENDING = "_af_await_pending"
_STUB = "_af_stub"
_ROLE = "_af_role"

Stub = Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]
"""The stubbing hook: ``stub(fake, args, kwargs)`` returns the call's result,
or `unittest.mock.DEFAULT` to fall back to `return_value`/`side_effect`. For an
`AsyncFake` it may return an awaitable, which is awaited."""


def _relative_names(target: Any, ancestor: Any) -> tuple[str, str | None]:
    """The names under which `ancestor` lists a call of its descendant `target`.

    Returns the `mock_calls` name and the `method_calls` name (None when the
    call does not belong in `method_calls`), computed exactly as
    `NonCallableMock._increment_mock_call` does while walking up the parents.
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


def _lazy_property(name: str, storage: str) -> property:
    """A standard mock list/counter that is brought up to date before every read or write."""

    def get(self: Any) -> Any:
        namespace = self.__dict__
        delegate = namespace["_mock_delegate"]
        if delegate is not None:
            return getattr(delegate, name)
        if namespace[_PENDING] or namespace.get(_AWAIT_PENDING):
            _sync(self)
        return namespace[storage]

    def set(self: Any, value: Any) -> None:
        namespace = self.__dict__
        delegate = namespace["_mock_delegate"]
        if delegate is not None:
            setattr(delegate, name, value)
            return
        if namespace[_PENDING] or namespace.get(_AWAIT_PENDING):
            _sync(self)
        namespace[storage] = value

    return property(get, set, doc=f"As `unittest.mock.Mock.{name}` (materialised lazily).")


def _sync(fake: Any) -> None:
    """Move pending records into the standard mock lists, as AsyncMock would have."""
    namespace = fake.__dict__
    pending: list[list[Any]] = namespace[_PENDING]
    if pending:
        namespace[_PENDING] = []
        for raw in pending:
            args, kwargs = raw[ARGS], raw[KWARGS]
            if raw[TARGET] is fake:
                call = _Call((args, kwargs), two=True)
                namespace["_mock_called"] = True
                namespace["_mock_call_count"] += 1
                namespace["_mock_call_args"] = call
                namespace["_mock_call_args_list"].append(call)
                namespace["_mock_mock_calls"].append(_Call(("", args, kwargs)))
            else:
                mock_name, method_name = _relative_names(raw[TARGET], fake)
                if method_name is not None:
                    namespace["method_calls"].append(_Call((method_name, args, kwargs)))
                namespace["_mock_mock_calls"].append(_Call((mock_name, args, kwargs)))
    awaits: list[list[Any]] | None = namespace.get(_AWAIT_PENDING)
    if awaits:
        namespace[_AWAIT_PENDING] = []
        for raw in awaits:
            call = _Call((raw[ARGS], raw[KWARGS]), two=True)
            namespace["_mock_await_count"] += 1
            namespace["_mock_await_args"] = call
            namespace["_mock_await_args_list"].append(call)


class _Recording:
    """What AsyncFake and MagicFake share: a track, pending records, lazy lists."""

    called = _lazy_property("called", "_mock_called")
    call_count = _lazy_property("call_count", "_mock_call_count")
    call_args = _lazy_property("call_args", "_mock_call_args")
    call_args_list = _lazy_property("call_args_list", "_mock_call_args_list")
    mock_calls = _lazy_property("mock_calls", "_mock_mock_calls")
    method_calls = _lazy_property("method_calls", "method_calls")

    _af_is_async: ClassVar[bool] = False

    def __init__(self, /, *args: Any, **kwargs: Any) -> None:
        namespace = self.__dict__
        namespace[TRACK_ATTR] = Track(self._af_name)
        namespace[_PENDING] = []
        namespace[_STUB] = None
        namespace[_ROLE] = None
        super().__init__(*args, **kwargs)

    def _af_name(self) -> str:
        return self._extract_mock_name()  # type: ignore[attr-defined, no-any-return]

    def _af_propagate(self, raw: list[Any], args: tuple[Any, ...], kwargs: Any) -> None:
        namespace = self.__dict__
        eager = namespace["_mock_delegate"] is not None
        node = namespace["_mock_new_parent"]
        while node is not None and not eager:
            if isinstance(node, _Recording):
                node = node.__dict__["_mock_new_parent"]
            else:
                eager = True
        if eager:
            # A plain Mock ancestor (attach_mock onto a MagicMock) keeps its own
            # lists eagerly: fall back to the standard bookkeeping for the whole chain.
            _mock.NonCallableMock._increment_mock_call(self, *args, **kwargs)  # type: ignore[attr-defined]
            return
        namespace[_PENDING].append(raw)
        node = namespace["_mock_new_parent"]
        while node is not None:
            node_namespace = node.__dict__
            node_namespace[_PENDING].append(raw)
            node = node_namespace["_mock_new_parent"]

    def reset_mock(self, /, *args: Any, **kwargs: Any) -> None:
        """As `unittest.mock.Mock.reset_mock`; also forgets this fake's recorded calls."""
        namespace = self.__dict__
        namespace[_PENDING] = []
        if _AWAIT_PENDING in namespace:
            namespace[_AWAIT_PENDING] = []
        namespace[TRACK_ATTR].reset()
        super().reset_mock(*args, **kwargs)  # type: ignore[misc]

    def _get_child_mock(self, /, **kw: Any) -> Any:
        """Children are fakes: AsyncFake for async members, MagicFake for sync ones."""
        namespace = self.__dict__
        if namespace["_mock_sealed"]:
            attribute = f".{kw['name']}" if "name" in kw else "()"
            raise AttributeError(self._extract_mock_name() + attribute)  # type: ignore[attr-defined]
        new_name = kw.get("_new_name")
        if new_name in namespace["_spec_asyncs"]:
            return AsyncFake(**kw)
        klass: type[Any]
        if self._af_is_async:
            if new_name in _all_sync_magics or (
                namespace["_mock_methods"] and new_name in namespace["_mock_methods"]
            ):
                klass = MagicFake
            else:
                klass = AsyncFake
        elif new_name in _async_magics:
            klass = AsyncFake
        else:
            klass = MagicFake
        child = klass(**kw)
        if new_name == "__aenter__" or new_name == "__aexit__":
            child.__dict__[_ROLE] = new_name
        return child


_async_magics: set[str] = _mock._async_method_magics  # type: ignore[attr-defined]


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

    await_count = _lazy_property("await_count", "_mock_await_count")
    await_args = _lazy_property("await_args", "_mock_await_args")
    await_args_list = _lazy_property("await_args_list", "_mock_await_args_list")

    _af_is_async: ClassVar[bool] = True

    def __init__(self, /, *args: Any, **kwargs: Any) -> None:
        self.__dict__[_AWAIT_PENDING] = []
        super().__init__(*args, **kwargs)

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        if type(self)._mock_check_sig is not _base_check_sig:
            self._mock_check_sig(*args, **kwargs)
        namespace = self.__dict__
        raw = new_record(namespace[TRACK_ATTR], self, args, kwargs, _getframe(1))
        if namespace["_mock_new_parent"] is None and namespace["_mock_delegate"] is None:
            namespace[_PENDING].append(raw)
        else:
            self._af_propagate(raw, args, kwargs)
        raw[AWAITABLE] = awaitable = run_awaited(raw, self)
        return awaitable

    def resolve_call(self, raw: list[Any]) -> Any:
        """Compute the outcome of an awaited call (the core's `Resolver` protocol)."""
        namespace = self.__dict__
        namespace[_AWAIT_PENDING].append(raw)
        if (
            namespace[_STUB] is None
            and namespace[_ROLE] is None
            and self._mock_side_effect is None
            and namespace["_mock_delegate"] is None
        ):
            value = self._mock_return_value
            if value is not _DEFAULT:
                # The common case, a configured return_value: no extra coroutine.
                return value
        return Deferred(self._af_outcome(raw[ARGS], raw[KWARGS]))

    async def _af_outcome(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        namespace = self.__dict__
        stub = namespace[_STUB]
        result = _DEFAULT
        if stub is not None:
            result = stub(self, args, kwargs)
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
        # AsyncMockMixin._execute_mock_call (identical on 3.10-3.13), minus the
        # await_* bookkeeping that the records replace.
        if self.__dict__["_mock_delegate"] is None:
            effect = self._mock_side_effect
        else:
            effect = self.side_effect
        if effect is not None:
            if _is_exception(effect):
                raise effect
            if not _callable(effect):
                try:
                    result = next(effect)
                except StopIteration:
                    # A StopIteration cannot cross a coroutine (PEP 479).
                    raise StopAsyncIteration from None
                if _is_exception(result):
                    raise result
            elif _iscoroutinefunction(effect):
                result = await effect(*args, **kwargs)
            else:
                result = effect(*args, **kwargs)
            if result is not _DEFAULT:
                return result
        if self._mock_return_value is not _DEFAULT:
            return self.return_value
        wraps = self._mock_wraps
        if wraps is not None:
            if _iscoroutinefunction(wraps):
                return await wraps(*args, **kwargs)
            return wraps(*args, **kwargs)
        return self.return_value


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

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        if type(self)._mock_check_sig is not _base_check_sig:
            self._mock_check_sig(*args, **kwargs)
        namespace = self.__dict__
        raw = new_record(namespace[TRACK_ATTR], self, args, kwargs, _getframe(1))
        if namespace["_mock_new_parent"] is None and namespace["_mock_delegate"] is None:
            namespace[_PENDING].append(raw)
        else:
            self._af_propagate(raw, args, kwargs)
        try:
            stub = namespace[_STUB]
            result = _DEFAULT if stub is None else stub(self, args, kwargs)
            if result is _DEFAULT:
                result = self._execute_mock_call(*args, **kwargs)  # type: ignore[attr-defined]
        except BaseException as exception:
            fail(raw, exception)
            raise
        finish(raw, result)
        return result


def _isawaitable(value: object) -> bool:
    return hasattr(type(value), "__await__")


def set_stub(fake: Any, stub: Stub | None) -> None:
    """Install the stubbing hook of a fake (None removes it)."""
    fake.__dict__[_STUB] = stub


def get_stub(fake: Any) -> Stub | None:
    """The stubbing hook of a fake, if any."""
    return fake.__dict__.get(_STUB)  # type: ignore[no-any-return]


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
