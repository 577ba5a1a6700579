"""Spec'd fakes: `fake()` and the fake classes it builds.

A spec'd fake is an `AsyncFake`/`MagicFake` whose attributes, calls and
results follow a real class or function (`_spec` describes them):

- the instance fake (`fake(httpx.AsyncClient)`) has exactly the real
  attributes; an unknown name, read or set, is a `SpecAttributeError` naming
  the closest real ones;
- each member is a fake of its real kind, created on first access: an
  awaitable `AsyncFake` for coroutine methods, a `MagicFake` for plain ones,
  and for async generator and context-manager members a `MagicFake` whose
  calls return a recorded async iterator or context; a member that returns
  an awaitable async iterable (asyncpg's ``conn.cursor()``) returns an
  `AwaitableIterator`, which ``await`` and ``async for`` both accept;
- every call is bound to the real signature before it is recorded, and the
  bound arguments are kept on the call's record (`CallRecord.bound`);
- unstubbed calls return what `AsyncMock` would, spec'd to the declared
  result class, or raise `UnstubbedCallError` on a strict fake.

Building fakes must be cheap (a fake of ``redis.asyncio.Redis`` costs a small
fraction of ``create_autospec``): the standard mock constructor is run once
per fake class, for a prototype, and each fake is a copy of the prototype's
state with fresh containers, a fresh class (mocks keep one class per
instance) and its own recording state.
"""

from __future__ import annotations

import inspect
import sys
import typing
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, TypeVar, cast, final, overload

from ._cm import FakeAsyncContext
from ._errors import SpecAttributeError, SpecTypeError, UnstubbedCallError
from ._fake import _DEFAULT as DEFAULT
from ._fake import AsyncFake, MagicFake, Stub, cache_child, get_stub, is_fake, set_stub
from ._format import format_args, format_call
from ._iter import FakeAsyncIterator, Run, hang, make_error, sleep
from ._recorder import (
    BOUND,
    NO_KWARGS,
    TRACK_ATTR,
    begin_await,
    fail,
    finish,
    get_track,
    new_record,
)
from ._spec import (
    NONE,
    BindError,
    ClassSpec,
    Kind,
    MemberSpec,
    class_spec,
    function_spec,
    is_instance_of,
    suggest,
)

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Generator, Iterable
    from types import FrameType

__all__ = [
    "AwaitableAttribute",
    "AwaitOutcome",
    "AwaitableIterator",
    "DEFAULT",
    "Options",
    "create_awaitable_iterator",
    "create_instance_fake",
    "fake",
    "fake_name",
    "member_of",
    "options_of",
]

T = TypeVar("T")

_getframe = sys._getframe
_PUBLIC_MODULE = "asyncfakes"

# Keys of our per-fake state in the fake's __dict__.
_MEMBER: Final = "_af_member"
_SPEC: Final = "_af_spec"
_OPTIONS: Final = "_af_options"
_TABLE: Final = "_af_table"
_AUTO: Final = "_af_auto_result"
_ENTERED: Final = "_af_entered"
_AWAITABLES: Final = "_af_awaitables"

_IMMUTABLE = (int, float, complex, str, bytes, bool, type(None), Enum, frozenset, range)


class Options:
    """How a spec'd fake (and every fake it hands out) behaves."""

    __slots__ = ("strict", "typecheck")

    def __init__(self, strict: bool, typecheck: bool) -> None:
        self.strict = strict
        self.typecheck = typecheck


_LOOSE = Options(strict=False, typecheck=False)


# ------------------------------------------------------------------ cloning


class _Prototype:
    """The state a fake of one class starts from: shared values, and containers to renew."""

    __slots__ = ("containers", "state")

    def __init__(self, base: type[Any]) -> None:
        prototype = base(name="prototype")
        self.state: dict[str, Any] = dict(prototype.__dict__)
        # Containers (call lists, children) are each fake's own; the rest is shared.
        self.containers: list[tuple[str, type[Any]]] = [
            (key, type(typing.cast("object", value)))
            for key, value in self.state.items()
            if isinstance(value, (list, dict))
        ]


_prototypes: dict[type, _Prototype] = {}


def _clone(base: type[Any], public_name: str, values: dict[str, Any], *, magics: bool) -> Any:
    """A new fake of class `base`, made from a prototype's state instead of the mock constructor.

    The mock constructor binds its arguments with `inspect`, builds a
    `NonCallableMock` for ``__code__`` and installs eighty magic methods: most
    of the cost of a fake. A prototype pays that once per class; each fake
    copies its state (fresh lists and dicts), gets a class of its own (as
    `NonCallableMock.__new__` gives every mock) and its own recording state.
    """
    prototype = _prototypes.get(base)
    if prototype is None:
        prototype = _prototypes[base] = _Prototype(base)
    kind = type(public_name, (base,), {"__doc__": base.__doc__, "__module__": _PUBLIC_MODULE})
    new: Any = object.__new__(kind)
    namespace = new.__dict__
    namespace.update(prototype.state)
    for key, container in prototype.containers:
        namespace[key] = container()
    namespace.update(values)
    new._af_setup()
    if magics:
        new._mock_set_magics()
    return new


def _is_immutable(value: object) -> bool:
    return isinstance(value, _IMMUTABLE)


def _links(
    name: str | None = None, parent: Any = None, new_name: str | None = None, new_parent: Any = None
) -> dict[str, Any]:
    """The attributes that place a mock in its tree (as the mock constructor sets them)."""
    return {
        "_mock_name": name,
        "_mock_parent": parent,
        "_mock_new_name": new_name or "",
        "_mock_new_parent": new_parent,
    }


# ---------------------------------------------------------------- messages


def fake_name(target: object) -> str:
    """The dotted name of a fake, as used in messages."""
    track = get_track(target)
    return track.name if track is not None else repr(target)


def _hint(suggestions: list[str]) -> str:
    if not suggestions:
        return "Check the name, or fake a class that has it."
    quoted = [repr(name) for name in suggestions]
    if len(quoted) == 1:
        return f"Did you mean {quoted[0]}?"
    return f"Did you mean {', '.join(quoted[:-1])} or {quoted[-1]}?"


class _UnknownAttributeError(SpecAttributeError):
    """An unknown attribute: the suggestions are computed only if the message is read.

    `hasattr()` and `getattr(fake, name, default)` probe fakes for optional
    attributes all the time; they never read the message.
    """

    def __init__(self, spec: ClassSpec, fake: object, attribute: str, setting: bool) -> None:
        super().__init__(attribute)
        self._spec = spec
        self._fake = fake
        self._attribute = attribute
        self._setting = setting
        self.name = attribute

    # In tracebacks it is what it is to the user: the error of the tree.
    __module__ = "asyncfakes"

    def __str__(self) -> str:
        spec, attribute = self._spec, self._attribute
        hint = _hint(suggest(attribute, spec.public_names()))
        owner = fake_name(self._fake)
        if self._setting:
            return (
                f"Cannot set {owner}.{attribute}: {spec.full_name} has no attribute "
                f"{attribute!r}. {hint}"
            )
        return (
            f"{owner} has no attribute {attribute!r}: {spec.full_name} does not define it. {hint}"
        )


_UnknownAttributeError.__name__ = _UnknownAttributeError.__qualname__ = "SpecAttributeError"


def _bind_message(
    target: object, member: MemberSpec, error: BindError, args: tuple[Any, ...], kwargs: Any
) -> str:
    return (
        f"{error}\n"
        f"  call:      {format_call(fake_name(target), args, kwargs)}\n"
        f"  signature: {member.signature_text()}"
    )


def _check_arguments(
    target: object, member: MemberSpec, bound: Any, args: tuple[Any, ...], kwargs: Any
) -> None:
    # Bound to the real signature: it is known.
    parameters = bound.signature.parameters
    arguments = bound.arguments
    for name, kind, classes, text in member.argument_checks():
        value = arguments.get(name)
        values: list[object]
        if kind.name == "VAR_POSITIONAL":
            values = list(value or ())
        elif kind.name == "VAR_KEYWORD":
            keywords: dict[str, object] = value or {}
            values = list(keywords.values())
        else:
            if value is parameters[name].default:
                continue  # an omitted argument: the real default, whatever its annotation says
            values = [value]
        for item in values:
            if not is_instance_of(item, classes):
                raise SpecTypeError(
                    f"{member.qualname}() argument {name!r} must be {text}, "
                    f"not {type(item).__name__}: {item!r} (typecheck=True)\n"
                    f"  call:      {format_call(fake_name(target), args, kwargs)}"
                )


# ------------------------------------------------------------ member fakes


def _is_configured(namespace: dict[str, Any]) -> bool:
    """True when the test configured the fake the `unittest.mock` way.

    Only ``return_value`` and ``side_effect`` can be: a spec'd fake is never
    made with ``wraps`` nor autospec'd (``_mock_delegate``).
    """
    value = namespace["_mock_return_value"]
    return namespace["_mock_side_effect"] is not None or (
        value is not DEFAULT and value is not namespace.get(_AUTO, DEFAULT)
    )


def _member_hook(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any], raw: list[Any]) -> Any:
    """The stubbing hook of every spec'd member that needs one.

    Asks the `when()` rules first; then, unless the test configured the fake
    the `unittest.mock` way, a strict fake refuses the call and an async
    generator or context-manager member hands out an empty iterator or a
    context entering a (spec'd) child fake; a member returning an awaitable
    async iterable hands out one whose iteration is empty (and see
    `_awaitable_iter_hook`).
    """
    namespace = target.__dict__
    table = namespace[_TABLE]
    if table is not None:
        result = table(target, args, kwargs, raw)
        if result is not DEFAULT:
            return result
    if _is_configured(namespace):
        return DEFAULT
    member: MemberSpec = namespace[_MEMBER]
    options: Options = namespace[_OPTIONS]
    if options.strict:
        bound = raw[BOUND]
        raise UnstubbedCallError(
            _unstubbed_message(
                target,
                member,
                table,
                args,
                kwargs,
                actual=None if bound is None else bound.arguments,
            )
        )
    kind = member.kind
    if kind is Kind.ASYNC_GEN:
        return FakeAsyncIterator((), name=f"{fake_name(target)}()")
    if kind is Kind.ASYNC_CM or kind is Kind.HYBRID:
        return FakeAsyncContext(
            entered_value(target), awaitable=kind is Kind.HYBRID, name=f"{fake_name(target)}()"
        )
    if kind is Kind.AWAITABLE_ITER:
        return create_awaitable_iterator(target, args, kwargs)
    return DEFAULT


def _awaitable_iter_hook(
    target: Any, args: tuple[Any, ...], kwargs: dict[str, Any], raw: list[Any]
) -> Any:
    """The stubbing hook of a member returning an awaitable async iterable.

    Configured the `unittest.mock` way, the member's `return_value` and
    `side_effect` say what ``await`` gives, as an `AsyncMock`'s do (and as
    they did when such a member was taken for a coroutine method); the call
    still returns an `AwaitableIterator`, whose iteration is empty.
    """
    result = _member_hook(target, args, kwargs, raw)
    if result is DEFAULT:  # only when configured: see `_member_hook`
        return create_awaitable_iterator(target, args, kwargs)
    return result


def _hook_for(member: MemberSpec) -> Stub:
    return _awaitable_iter_hook if member.kind is Kind.AWAITABLE_ITER else _member_hook


def entered_value(target: Any) -> Any:
    """What entering a context-manager member gives when nothing was stubbed: a child fake."""
    namespace = target.__dict__
    value = namespace.get(_ENTERED, DEFAULT)
    if value is DEFAULT:
        value = namespace[_ENTERED] = target._get_child_mock(_new_parent=target, _new_name="()")
    return value


_VERB_OF_KIND = {
    Kind.ASYNC: "returns(...)",
    Kind.AWAITABLE_PROPERTY: "returns(...)",
    Kind.SYNC: "returns(...)",
    Kind.ASYNC_GEN: "yields(...)",
    Kind.ASYNC_CM: "enters(...)",
    Kind.HYBRID: "enters(...)",
    Kind.AWAITABLE_ITER: "yields(...)",
}


def _unstubbed_message(
    target: Any,
    member: MemberSpec,
    table: Any,
    args: tuple[Any, ...],
    kwargs: Any,
    *,
    awaited: bool = False,
    actual: object = None,
) -> str:
    name = fake_name(target)
    call = format_call(name, args, kwargs)
    if awaited:
        head = f"Unstubbed await on a strict fake: await {call}: no stub sets what it gives"
        verb = "returns(...)"
    else:
        head = f"Unstubbed call on a strict fake: {call}"
        verb = _VERB_OF_KIND[member.kind]
    lines = [head]
    rules: list[str] = [] if table is None else table.describe(actual)
    if rules:
        lines.append(f"Stubs of {name} (the latest added wins):")
        lines.extend(f"  {index}. {rule}" for index, rule in enumerate(rules, 1))
    else:
        lines.append(f"{name} has no stubs.")
    lines.append(f"Stub it with: af.when({name}).called_with({format_args(args, kwargs)}).{verb}")
    return "\n".join(lines)


# ------------------------------------------------- awaitable async iterables

AwaitOutcome = Literal["default", "value", "raises", "hangs"]
"""What awaiting an `AwaitableIterator` gives: the member fake's `return_value` (or
`side_effect`, as awaiting an `AsyncMock`), a stubbed value, the stubbed error, or
nothing ever (it waits until cancelled)."""


class AwaitableIterator(FakeAsyncIterator[T]):
    """What a call of a member returning an awaitable async iterable gives.

    asyncpg's ``conn.cursor(query)`` is the model: ``await`` on it gives one
    value (a cursor), ``async for`` over it gives the items (the rows). Each
    iteration and each await is a call in the core (`af.calls(result)`),
    named after the member's call, as on `FakeAsyncIterator` and
    `FakeAsyncContext`. Built by the member fake (`create_awaitable_iterator`).

    Attributes:
        awaits: how many times it was awaited.
    """

    def __init__(
        self,
        target: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        items: Iterable[T],
        *,
        delay: float,
        error: BaseException | type[BaseException] | None,
        awaits: AwaitOutcome,
        value: object,
        not_iterable: str | None,
    ) -> None:
        super().__init__(items, delay=delay, error=error, name=f"{fake_name(target)}()")
        self._target = target
        self._args = args
        self._kwargs = kwargs
        self._awaits = awaits
        self._value = value
        self._not_iterable = not_iterable
        self.awaits: int = 0

    def __aiter__(self) -> AsyncGenerator[T, object]:
        if self._not_iterable is not None:
            raise TypeError(self._not_iterable)
        return super().__aiter__()

    def _body(self, run: Run[T]) -> AsyncGenerator[T, object]:
        if self._awaits == "hangs":
            return _hanging(run)
        return super()._body(run)

    def __await__(self) -> Generator[Any, None, Any]:
        return self._await().__await__()

    async def _await(self) -> Any:  # pragma: no mutate block
        raw = new_record(self.__dict__[TRACK_ATTR], self, (), {}, sys._getframe(1))
        begin_await(raw)
        self.awaits += 1
        try:
            value = await self._outcome()
        except BaseException as error:
            fail(raw, error)
            raise
        finish(raw, value)
        return value

    async def _outcome(self) -> Any:
        delay = self._delay
        if delay:
            await sleep(delay)
        awaits = self._awaits
        if awaits == "value":
            return self._value
        if awaits == "raises":
            raise make_error(cast("BaseException | type[BaseException]", self._error))
        if awaits == "hangs":
            await hang()
        return await _awaited_default(self._target, self._args, self._kwargs)

    def __repr__(self) -> str:
        return (
            f"<AwaitableIterator {self.name}: awaits {self.awaits}, consumed {self.consumed}, "
            f"iterations {self.iterations}, closed={self.closed}>"
        )


async def _hanging(run: Run[Any]) -> AsyncGenerator[Any, object]:
    """An iteration that waits until cancelled (`af.when(member).hangs()`)."""
    run.start(sys._getframe())
    try:
        await hang()
    except BaseException as error:
        run.end_with(error)
        raise
    yield  # pragma: no cover - never reached


async def _awaited_default(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What awaiting an `AwaitableIterator` gives when no stub says: AsyncMock's rules."""
    namespace = target.__dict__
    options: Options = namespace[_OPTIONS]
    if options.strict and not _is_configured(namespace):
        member: MemberSpec = namespace[_MEMBER]
        raise UnstubbedCallError(
            _unstubbed_message(target, member, namespace[_TABLE], args, kwargs, awaited=True)
        )
    try:
        result = target._execute_mock_call(*args, **kwargs)
    except StopIteration:
        # An exhausted side_effect iterable: a StopIteration cannot cross a
        # coroutine (PEP 479); AsyncMock raises StopAsyncIteration instead.
        raise StopAsyncIteration  # noqa: B904
    if inspect.iscoroutine(result):  # an async side_effect, which AsyncMock awaits
        result = await result
    return result


def create_awaitable_iterator(
    target: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    items: Iterable[Any] = (),
    delay: float = 0.0,
    error: BaseException | type[BaseException] | None = None,
    awaits: AwaitOutcome = "default",
    value: object = None,
    stubbed_with: str | None = None,
) -> AwaitableIterator[Any]:
    """The result of a call of the member fake `target`, made with `args` and `kwargs`.

    ``async for`` gives `items` (one per `delay`), then raises `error` if
    given. ``await`` waits `delay`, then gives what `awaits` says: the fake's
    return value (`"default"`), `value` (`"value"`), `error` (`"raises"`), or
    nothing ever (`"hangs"`, which makes iterating hang too). A value stubbed
    with `stubbed_with` (``returns``, ``runs``) is for ``await`` only:
    ``async for`` over it is refused with an explanation.
    """
    not_iterable = None
    if stubbed_with is not None:
        name = fake_name(target)
        not_iterable = (
            f"`async for` over {format_call(name, args, kwargs)}, which was stubbed with "
            f"{stubbed_with}(...): that sets what `await` gives, not the items. Stub them with "
            f"af.when({name}).called_with({format_args(args, kwargs)}).yields(...)."
        )
    return AwaitableIterator(
        target,
        args,
        kwargs,
        items,
        delay=delay,
        error=error,
        awaits=awaits,
        value=value,
        not_iterable=not_iterable,
    )


class _MemberMixin:
    """A fake whose calls are bound to a real signature and recorded with it."""

    # Not mutated (nox -s mutation): mutmut would wrap it in a trampoline, whose
    # frame `_getframe(1)` would then record as the call site.
    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:  # pragma: no mutate block
        __tracebackhide__ = True
        return self._af_call(_getframe(1), args, kwargs)

    def _af_call(self, frame: FrameType, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """A call made from `frame`: bound, checked, recorded, then completed by the fake."""
        __tracebackhide__ = True
        namespace = self.__dict__
        member: MemberSpec | None = namespace[_MEMBER]
        if member is None:
            spec: ClassSpec = namespace[_SPEC]
            raise SpecTypeError(
                f"{fake_name(self)} is not callable: {spec.full_name} has no __call__ method."
            )
        try:
            bound = member.bind(args, kwargs)
        except BindError as error:
            raise SpecTypeError(_bind_message(self, member, error, args, kwargs)) from None
        if bound is not None and namespace[_OPTIONS].typecheck:
            _check_arguments(self, member, bound, args, kwargs)
        raw = new_record(namespace[TRACK_ATTR], self, args, kwargs or NO_KWARGS, frame)
        raw[BOUND] = bound
        recording: Any = self
        recording._af_propagate(raw, args, kwargs)
        return recording._af_complete(raw, args, kwargs)

    def _get_child_mock(self, /, **kw: Any) -> Any:
        """The result of a call is spec'd to the declared result class; other children are plain."""
        namespace = self.__dict__
        if kw.get("_new_name") == "()" and not namespace["_mock_sealed"]:
            member: MemberSpec | None = namespace[_MEMBER]
            options: Options = namespace[_OPTIONS]
            if member is not None:
                result = member.result_class()
                if (
                    result is NONE
                    and member.kind is not Kind.ASYNC_CM
                    and (member.kind is not Kind.HYBRID)
                ):
                    namespace[_AUTO] = None
                    return None
                if isinstance(result, type):
                    child = create_instance_fake(
                        class_spec(result), options, new_name="()", new_parent=self
                    )
                    namespace[_AUTO] = child
                    return child
            child = _plain_child(self, kw)
            namespace[_AUTO] = child
            return child
        return _plain_child(self, kw)


_ASYNC_MAGICS = frozenset({"__aenter__", "__aexit__", "__anext__"})


def _plain_child(parent: Any, kw: dict[str, Any]) -> Any:
    """A child that follows no spec, of the class `AsyncMock`/`MagicMock` would pick."""
    if parent.__dict__["_mock_sealed"]:
        attribute = f".{kw['name']}" if "name" in kw else "()"
        raise AttributeError(parent._extract_mock_name() + attribute)
    new_name: str | None = kw.get("_new_name")
    if new_name in _ASYNC_MAGICS:
        # The standard path marks __aenter__/__aexit__ so that calls made inside
        # ``async with fake:`` see the fake in `CallRecord.inside`.
        return MagicFake._get_child_mock(parent, **kw)
    is_dunder = new_name is not None and new_name.startswith("__") and new_name.endswith("__")
    base: type[Any] = AsyncFake if isinstance(parent, AsyncFake) and not is_dunder else MagicFake
    links = _links(kw.get("name"), kw.get("parent"), new_name, kw.get("_new_parent"))
    return _clone(base, base.__name__, links, magics=True)


# Members whose calls hand out a recorded object built by the member hook.
_HOOKED_KINDS = frozenset({Kind.ASYNC_GEN, Kind.ASYNC_CM, Kind.HYBRID, Kind.AWAITABLE_ITER})


class _SyncMember(_MemberMixin, MagicFake):
    """A spec'd plain method (or function); also async generator and context-manager members."""


class _AsyncMember(_MemberMixin, AsyncFake):
    """A spec'd coroutine method (or function)."""


def _create_member(
    member: MemberSpec,
    options: Options,
    *,
    name: str | None = None,
    parent: Any = None,
    new_name: str | None = None,
    new_parent: Any = None,
) -> Any:
    kind = member.kind
    awaitable = kind is Kind.ASYNC or kind is Kind.AWAITABLE_PROPERTY
    base: type[Any] = _AsyncMember if awaitable else _SyncMember
    values = _links(name, parent, new_name, new_parent)
    values.update(
        {
            _MEMBER: member,
            _OPTIONS: options,
            _TABLE: None,
            "_spec_signature": member.signature,
            "__signature__": member.signature,
        }
    )
    fake = _clone(base, "AsyncFake" if awaitable else "MagicFake", values, magics=False)
    if options.strict or kind in _HOOKED_KINDS:
        set_stub(fake, _hook_for(member))
    return fake


# ---------------------------------------------------------- instance fakes


def _is_internal(name: str, kind: type) -> bool:
    """Names of the mock machinery (configuration, assertions, magic methods in use)."""
    if name.startswith(("_mock_", "_spec_", "_af_")):
        return True
    # Read the class dicts: `hasattr` would run the magic methods' descriptors.
    return any(name in klass.__dict__ for klass in kind.__mro__)


class _InstanceMixin(_MemberMixin):
    """A fake of an instance of a real class: exactly the real attributes."""

    def __getattr__(self, name: str) -> Any:
        namespace = self.__dict__
        spec: ClassSpec | None = namespace.get(_SPEC)
        if spec is None or name.startswith(("_mock_", "_af_")):
            return super().__getattr__(name)  # type: ignore[misc]
        member = spec.member(name)
        if member is None:
            raise _UnknownAttributeError(spec, self, name, setting=False)
        if not member.is_callable:
            if _is_immutable(member.value):
                # The class's own immutable default (a constant, a field default).
                return member.value
            if member.kind is not Kind.AWAITABLE_PROPERTY and member.result_class() is NONE:
                return None
        if member.kind is Kind.AWAITABLE_PROPERTY:
            awaitables: dict[str, AwaitableAttribute] = namespace.setdefault(_AWAITABLES, {})
            wrapper = awaitables.get(name)
            if wrapper is None:
                wrapper = awaitables[name] = AwaitableAttribute(super().__getattr__(name))  # type: ignore[misc]
            return wrapper
        child = cast("Any", super().__getattr__(name))  # type: ignore[misc]
        if member.is_callable:
            cache_child(self, name, child)
        return child

    def __setattr__(self, name: str, value: Any) -> None:
        namespace = self.__dict__
        spec: ClassSpec | None = namespace.get(_SPEC)
        if spec is not None and not _is_internal(name, type(self)):
            if not spec.has(name):
                raise _UnknownAttributeError(spec, self, name, setting=True)
            options: Options = namespace[_OPTIONS]
            if options.typecheck:
                member = cast("MemberSpec", spec.member(name))  # it has the name
                if not member.is_callable:
                    _check_value(self, member, value, f"{fake_name(self)}.{name} = {value!r}")
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        namespace = self.__dict__
        spec: ClassSpec = namespace[_SPEC]
        names = {name for name in dir(type(self)) if not name.startswith("_")}
        names.update(name for name in namespace if not name.startswith("_"))
        names.update(spec.public_names())
        return sorted(names)

    def _get_child_mock(self, /, **kw: Any) -> Any:
        namespace = self.__dict__
        # unittest.mock names every child it asks for: ``()`` is the return value.
        new_name: str = kw["_new_name"]
        if new_name == "()":
            return super()._get_child_mock(**kw)
        spec: ClassSpec = namespace[_SPEC]
        if new_name.startswith("__") and new_name.endswith("__"):
            child = _plain_child(self, kw)
            if new_name in ("__aenter__", "__enter__"):
                _enter_self(self, spec, new_name, child)
            return child
        if namespace["_mock_sealed"]:
            raise AttributeError(f"{fake_name(self)}.{new_name}")
        member = spec.member(new_name)
        assert member is not None  # `__getattr__` asks for real attributes only
        options: Options = namespace[_OPTIONS]
        links = {
            "name": kw.get("name"),
            "parent": kw.get("parent"),
            "new_name": new_name,
            "new_parent": kw.get("_new_parent"),
        }
        if member.is_callable or member.kind is Kind.AWAITABLE_PROPERTY:
            return _create_member(member, options, **links)
        return _create_value(member, options, self, links)


def _enter_self(fake: Any, spec: ClassSpec, magic: str, child: Any) -> None:
    """``async with fake as value`` gives the fake itself when the real class enters itself."""
    member = spec.member(magic)
    if member is None:
        return
    result = member.result_class()
    if isinstance(result, type) and issubclass(spec.cls, result):
        child.return_value = fake


def _create_value(member: MemberSpec, options: Options, parent: Any, links: dict[str, Any]) -> Any:
    """The value of a property or attribute nobody set: a child fake."""
    result = member.result_class()
    if isinstance(result, type) and result is not type:
        return create_instance_fake(class_spec(result), options, **links)
    return _plain_child(
        parent,
        {
            "name": links["name"],
            "parent": links["parent"],
            "_new_name": links["new_name"],
            "_new_parent": links["new_parent"],
        },
    )


def _check_value(target: object, member: MemberSpec, value: object, what: str) -> None:
    check = member.result_check()
    if check is None:
        return
    classes, text = check
    if not is_instance_of(value, classes):
        raise SpecTypeError(
            f"{what}: {member.qualname} is declared as {text}, not {type(value).__name__} "
            "(typecheck=True)"
        )


class _SyncInstance(_InstanceMixin, MagicFake):
    """A fake instance whose class is not callable, or has a sync ``__call__``."""


class _AsyncInstance(_InstanceMixin, AsyncFake):
    """A fake instance whose class has an ``async def __call__``."""


def create_instance_fake(
    spec: ClassSpec,
    options: Options,
    *,
    name: str | None = None,
    parent: Any = None,
    new_name: str | None = None,
    new_parent: Any = None,
) -> Any:
    """A fake of an instance of `spec`'s class (see `fake`)."""
    call = spec.call
    awaitable = call is not None and call.kind is Kind.ASYNC
    base: type[Any] = _AsyncInstance if awaitable else _SyncInstance
    values = _links(name, parent, new_name, new_parent)
    values.update(
        {
            _SPEC: spec,
            _MEMBER: call,
            _OPTIONS: options,
            _TABLE: None,
            "_spec_class": spec.cls,
            "_spec_signature": None if call is None else call.signature,
            "_mock_methods": spec.names,
        }
    )
    fake = _clone(base, "AsyncFake" if awaitable else "MagicFake", values, magics=True)
    if "__await__" in spec.names:
        # Mocks have no __await__: a real client's ``await client`` (redis's
        # initialisation, SQLAlchemy's `await session.begin()`) gives the object.
        type(fake).__await__ = _await_itself
    if call is not None and (options.strict or call.kind in _HOOKED_KINDS):
        set_stub(fake, _hook_for(call))
    return fake


def _await_itself(self: Any) -> Generator[Any, None, Any]:
    return self
    yield  # a generator: `await fake` completes at once


@final
class AwaitableAttribute:
    """What reading a property that returns an awaitable gives: each ``await`` is a call.

    `af.when(fake.ready)` stubs it, and `af.verify(fake.ready)` checks it, like a
    coroutine method without arguments.
    """

    _af_is_async: ClassVar[bool] = True

    def __init__(self, target: Any) -> None:
        self.__dict__[TRACK_ATTR] = get_track(target)
        self.target = target

    def __await__(self) -> Generator[Any, None, Any]:  # pragma: no mutate block
        # Recorded at the line that awaits the property, not here (and not
        # mutated, so that no mutmut trampoline becomes that line).
        awaitable: Awaitable[Any] = self.target._af_call(_getframe(1), (), {})
        return awaitable.__await__()

    def __repr__(self) -> str:
        return f"<awaitable attribute {fake_name(self.target)}>"


# ------------------------------------------------------------------ queries


def member_of(target: object) -> MemberSpec | None:
    """The real member a spec'd fake stands for (None for other fakes)."""
    if isinstance(target, _MemberMixin):
        member: MemberSpec | None = target.__dict__[_MEMBER]
        return member
    return None


def options_of(target: object) -> Options:
    """The options a spec'd fake was made with (loose for other fakes)."""
    if isinstance(target, _MemberMixin):
        options: Options = target.__dict__[_OPTIONS]
        return options
    return _LOOSE


def set_table(target: Any, table: Any) -> None:
    """Attach `when()` rules to a fake: behind the member hook when spec'd, directly otherwise."""
    member = member_of(target)
    if member is not None:
        target.__dict__[_TABLE] = table
        set_stub(target, _hook_for(member))
    else:
        set_stub(target, table)


def get_table(target: Any) -> Any:
    """The `when()` rules attached to a fake, or None."""
    if member_of(target) is not None:
        return target.__dict__[_TABLE]
    # Only fakes with a member get the member hook.
    return get_stub(target)


# ---------------------------------------------------------------------- fake


@final
class _NoSpec:
    """Never passed: it widens `fake`'s first overload so that mypy accepts abstract classes."""


@overload
def fake(
    spec: type[T] | type[_NoSpec],
    *,
    strict: bool = False,
    typecheck: bool = False,
    name: str | None = None,
) -> T: ...


@overload
def fake(
    spec: T,
    *,
    strict: bool = False,
    typecheck: bool = False,
    name: str | None = None,
) -> T: ...


def fake(
    spec: Any,
    *,
    strict: bool = False,
    typecheck: bool = False,
    name: str | None = None,
) -> Any:
    """Make a fake that looks, calls and checks like `spec`, statically typed as `spec`.

    `spec` is a class (the fake stands for an instance of it), a Protocol, an
    instance (its own attributes exist too), or a plain or async function.
    Each member keeps its real kind: coroutine methods are awaitable fakes,
    async generator methods return async iterators, methods returning an
    async context manager return one (awaitable too when the real one is),
    properties and annotated attributes are values. Calls are bound to the
    real signature; unknown attributes raise `AttributeError`.

    Args:
        spec: what to imitate.
        strict: unstubbed calls raise `UnstubbedCallError` instead of
            returning a default (a child fake spec'd to the declared result class).
        typecheck: also check arguments, stubbed values and assigned
            attributes against annotations that are classes, unions or `Optional`.
        name: the name used in messages (default: the class or function name).

    Returns:
        The fake, typed as `spec` (an instance of it, for a class).

    Raises:
        TypeError: `spec` is already a fake.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> class Api:
        ...     async def get(self, url: str, *, timeout: float = 5.0) -> bytes: ...
        >>> api = af.fake(Api)
        >>> af.when(api.get).called_with("https://a").returns(b"A")
        <Stub of Api.get>
        >>> asyncio.run(api.get(url="https://a"))
        b'A'
        >>> try:
        ...     api.gett
        ... except AttributeError as error:
        ...     print(str(error).split(": ")[0], "/", str(error).split(". ")[-1])
        Api has no attribute 'gett' / Did you mean 'get'?
        >>> try:
        ...     api.get("https://a", tmeout=1)
        ... except TypeError as error:
        ...     print(error)
        Api.get() got an unexpected keyword argument 'tmeout'. Did you mean 'timeout'?
          call:      Api.get('https://a', tmeout=1)
          signature: Api.get(url, *, timeout=...)
    """
    if is_fake(spec) or isinstance(spec, AwaitableAttribute):
        raise TypeError(
            f"fake() takes a real class, instance or function to imitate, but got the fake "
            f"{fake_name(spec)}. Pass the real object it stands for."
        )
    if spec is None:
        raise TypeError(
            "fake() takes a real class, instance or function to imitate, but got None. "
            "Pass the class the code under test uses (af.fake(Client)), not a variable "
            "that is still None."
        )
    options = Options(strict=strict, typecheck=typecheck)
    origin = typing.get_origin(spec)
    if isinstance(origin, type) and origin.__module__ != "types":
        # A parameterised generic (`Repository[User]`) stands for an instance of
        # its class. Its type arguments do not narrow the results yet: a member
        # declared to return a type variable gives an unspec'd fake.
        spec = origin
    if isinstance(spec, type):
        return create_instance_fake(class_spec(spec), options, name=name or spec.__name__)
    if _is_function(spec):
        member = function_spec(spec)
        return _create_member(member, options, name=name or member.name)
    cls: type[Any] = type(typing.cast("object", spec))
    return create_instance_fake(
        class_spec(cls).with_instance(spec), options, name=name or cls.__name__
    )


def _is_function(value: object) -> bool:
    import functools
    import inspect

    return inspect.isroutine(value) or isinstance(value, functools.partial)
