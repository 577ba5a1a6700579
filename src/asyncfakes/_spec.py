"""Pure introspection of real classes and functions: member kinds, signatures, binding.

Nothing here builds or records fakes. `class_spec(cls)` describes a class once
(cached weakly per class) and classifies each member lazily, the first time a
fake of the class touches it, by what the real attribute *does*:

- coroutine functions, async generator functions, methods that return an
  async context manager (``@asynccontextmanager``, or a return annotation
  whose class has ``__aenter__``), awaitable context managers (a class with
  both ``__await__`` and ``__aenter__``: aiohttp's ``session.get()``,
  asyncpg's ``pool.acquire()``), awaitable async iterables (a class with
  both ``__await__`` and ``__aiter__``: asyncpg's ``conn.cursor()``), plain
  methods, properties (including ones that return awaitables), class and
  static methods, and attributes declared by annotations, slots,
  dataclass/attrs fields or assigned to ``self`` in a method;
- redis-py's style of commands, plain methods annotated ``Awaitable[T] | T``,
  is awaitable when the class's own ``execute_command`` is a coroutine
  function and sync otherwise.

Attributes are read with ``__dict__`` lookups over the MRO (as
`inspect.getattr_static` does), so no descriptor runs. Binding a call to the
real signature is on the hot path of every spec'd call: each member gets,
once, a generated function with the same parameters whose call checks the
arguments at C speed and returns them by name.
"""

from __future__ import annotations

import ast
import collections
import collections.abc
import contextlib
import dis
import functools
import inspect
import re
import sys
import textwrap
import types
import typing
import weakref
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, Final, Union

import typing_extensions

__all__ = [
    "NONE",
    "BindError",
    "ClassSpec",
    "Kind",
    "MemberSpec",
    "class_spec",
    "describe_type",
    "function_spec",
    "is_class",
    "is_instance_of",
    "short_qualname",
    "suggest",
    "type_has",
]

_empty = inspect.Parameter.empty
_POSITIONAL_ONLY = inspect.Parameter.POSITIONAL_ONLY
_POSITIONAL_OR_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD
_VAR_POSITIONAL = inspect.Parameter.VAR_POSITIONAL
_KEYWORD_ONLY = inspect.Parameter.KEYWORD_ONLY
_VAR_KEYWORD = inspect.Parameter.VAR_KEYWORD
_NoneType = type(None)


class _NoneMarker:
    """The annotation ``None``: a member declared to return None returns None."""

    def __repr__(self) -> str:
        return "NONE"


NONE: Final = _NoneMarker()


class Kind(Enum):
    """What calling (or reading) a member gives."""

    ASYNC = "async"
    """Calling returns an awaitable (a coroutine function, or ``-> Awaitable[T]``)."""
    ASYNC_GEN = "async_gen"
    """Calling returns an async iterator (an async generator function)."""
    ASYNC_CM = "async_cm"
    """Calling returns an async context manager."""
    HYBRID = "hybrid"
    """Calling returns something both awaitable and an async context manager."""
    AWAITABLE_ITER = "awaitable_iter"
    """Calling returns something both awaitable and async-iterable (asyncpg's ``conn.cursor()``)."""
    SYNC = "sync"
    """Calling returns a value (a plain method or function)."""
    PROPERTY = "property"
    """Reading gives a value."""
    AWAITABLE_PROPERTY = "awaitable_property"
    """Reading gives an awaitable."""
    ATTRIBUTE = "attribute"
    """An attribute (annotated, a slot, a field, a class-level value)."""


_CALLABLE_KINDS = frozenset(
    {Kind.ASYNC, Kind.ASYNC_GEN, Kind.ASYNC_CM, Kind.HYBRID, Kind.AWAITABLE_ITER, Kind.SYNC}
)


class BindError(TypeError):
    """A call the real signature rejects; the message is Python's own."""


# --------------------------------------------------------------- annotations


def short_qualname(obj: object) -> str:
    """A qualified name without the ``<locals>`` of the function that defined it."""
    qualname = getattr(obj, "__qualname__", None)
    return str(qualname or "?").rpartition("<locals>.")[2]


def _globals_of(obj: object) -> dict[str, Any]:
    module = sys.modules.get(getattr(obj, "__module__", ""))
    return vars(module) if module is not None else {}


def _class_locals(owner: type | None) -> Mapping[str, Any]:
    """Names an annotation in a class body may use: the class's own, and the class itself."""
    if owner is None:
        return {}
    return collections.ChainMap({owner.__name__: owner}, dict(vars(owner)))


def resolve_annotation(
    annotation: object, globalns: dict[str, Any], localns: Mapping[str, Any] | None = None
) -> object:
    """Evaluate a (possibly string) annotation; a `_TextAnnotation` when it cannot be evaluated."""
    if annotation is _empty:
        return _empty
    if isinstance(annotation, str):
        try:
            return eval(annotation, globalns, localns)
        except Exception:  # TYPE_CHECKING-only names, syntax newer than the runtime
            return _TextAnnotation(annotation)
    if isinstance(annotation, typing.ForwardRef):
        return resolve_annotation(annotation.__forward_arg__, globalns, localns)
    return annotation


class _TextAnnotation:
    """An annotation that could not be evaluated: only its text is known."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text.strip()


def _union_args(annotation: object) -> tuple[object, ...] | None:
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(annotation)
    return None


def is_class(value: object) -> bool:
    """A class, not a parameterised generic nor `Any`.

    3.10 says `list[int]` is an instance of `type`; from 3.11 `typing.Any` is a
    class, but an annotation ``Any`` says nothing about the value.
    """
    if isinstance(value, types.GenericAlias) or value is typing.Any:
        return False
    return isinstance(value, type)


def _origin_class(annotation: object) -> type | None:
    """The class behind an annotation: itself, or a generic alias's origin."""
    origin = typing.get_origin(annotation)
    if is_class(origin):
        return typing.cast("type", origin)
    if is_class(annotation):
        return typing.cast("type", annotation)
    return None


def _is_awaitable_class(cls: type) -> bool:
    return hasattr(cls, "__await__")


def _is_awaitable_annotation(annotation: object) -> bool:
    cls = _origin_class(annotation)
    return cls is not None and _is_awaitable_class(cls)


_TEXT_PREFIXES: tuple[tuple[tuple[str, ...], Kind], ...] = (
    (
        ("Awaitable[", "Coroutine[", "typing.Awaitable[", "typing.Coroutine[", "asyncio.Future["),
        Kind.ASYNC,
    ),
    (
        (
            "AsyncIterator[",
            "AsyncGenerator[",
            "AsyncIterable[",
            "typing.AsyncIterator[",
            "typing.AsyncGenerator[",
            "typing.AsyncIterable[",
        ),
        Kind.ASYNC_GEN,
    ),
    (
        (
            "AsyncContextManager[",
            "AbstractAsyncContextManager[",
            "typing.AsyncContextManager[",
            "contextlib.AbstractAsyncContextManager[",
        ),
        Kind.ASYNC_CM,
    ),
)

_MAYBE_ASYNC: Final = "maybe_async"


def _kind_of_annotation(annotation: object) -> Kind | str | None:
    """What a plain function annotated to return `annotation` gives when called.

    `_MAYBE_ASYNC` for ``Awaitable[T] | T`` (redis-py's ``ResponseT``); None when
    the annotation says nothing useful.
    """
    if isinstance(annotation, _TextAnnotation):
        text = annotation.text
        if "|" in text or text.startswith(("Union[", "typing.Union[", "Optional[")):
            return _MAYBE_ASYNC if "Awaitable[" in text else None
        for prefixes, kind in _TEXT_PREFIXES:
            if text.startswith(prefixes):
                return kind
        return None
    members = _union_args(annotation)
    if members is not None:
        awaitable = [m for m in members if _is_awaitable_annotation(m)]
        if awaitable and len(awaitable) < len(members):
            return _MAYBE_ASYNC
        if awaitable:
            return Kind.ASYNC
        return Kind.SYNC
    cls = _origin_class(annotation)
    if cls is None:
        return None
    return _kind_of_class(cls)


def _kind_of_class(cls: type) -> Kind:
    """What an instance of `cls`, returned by a call, is.

    A class whose ``async with`` enters the object itself (redis's `Pipeline`,
    SQLAlchemy's `AsyncSessionTransaction`, any client) is an object with
    methods: the call is SYNC and returns a fake of the class, which supports
    ``async with`` (and ``await`` when the class does) itself. A class that
    enters something else is a context manager (aiohttp's request context
    enters a response, asyncpg's acquire context a connection). An awaitable
    class that is also async-iterable (asyncpg's `CursorFactory`) is both.
    """
    if hasattr(cls, "__aenter__"):
        if _enters_itself(cls):
            return Kind.SYNC
        return Kind.HYBRID if _is_awaitable_class(cls) else Kind.ASYNC_CM
    if _is_awaitable_class(cls):
        return Kind.AWAITABLE_ITER if hasattr(cls, "__aiter__") else Kind.ASYNC
    if cls in (collections.abc.AsyncIterator, collections.abc.AsyncGenerator) or (
        cls is collections.abc.AsyncIterable
    ):
        return Kind.ASYNC_GEN
    return Kind.SYNC


def _enters_itself(cls: type) -> bool:
    if cls.__module__ == "contextlib":  # AsyncExitStack, aclosing: context managers
        return False
    entered = _entered_type(cls)
    return is_class(entered) and issubclass(cls, typing.cast("type", entered))


def _first_arg(annotation: object) -> object:
    args = typing.get_args(annotation)
    return args[0] if args else _empty


def _awaited_type(annotation: object) -> object:
    """What awaiting a value annotated `annotation` gives."""
    members = _union_args(annotation)
    if members is not None:
        rest = [m for m in members if not _is_awaitable_annotation(m)]
        return _make_union(rest) if rest else _empty  # Union[int] is int
    cls = _origin_class(annotation)
    if cls in (collections.abc.Awaitable, collections.abc.Coroutine):
        args = typing.get_args(annotation)
        return args[-1] if args else _empty
    if typing.get_origin(annotation) is not None:  # Future[T], Task[T]...
        return _first_arg(annotation)
    return _empty


def _make_union(members: list[object]) -> object:
    union: Any = Union
    return union[tuple(members)]


def _typevar_value(origin: type, cls_annotation: object, typevar: object) -> object:
    """The value of `typevar` in a generic class annotation or its bases (`origin`: its class)."""
    args = typing.get_args(cls_annotation)
    params = getattr(origin, "__parameters__", ())
    if args and typevar in params:
        return args[params.index(typevar)]
    for klass in origin.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            base_origin = typing.get_origin(base)
            base_params = getattr(base_origin, "__parameters__", ())
            if typevar in base_params:
                value = typing.get_args(base)[base_params.index(typevar)]
                if not isinstance(value, typing.TypeVar):
                    # `StartableContext["AsyncSessionTransaction"]`: a forward reference.
                    return resolve_annotation(value, _globals_of(klass), _class_locals(klass))
    return _empty


def _entered_type(annotation: object) -> object:
    """What ``async with`` on a value annotated `annotation` gives."""
    cls = _origin_class(annotation)
    if cls is None:
        return _empty
    if cls is contextlib.AbstractAsyncContextManager or not hasattr(cls, "__aenter__"):
        return _first_arg(annotation)
    enter = _lookup(cls, "__aenter__")
    declared = _declared_return(enter)
    if declared is _empty:
        return cls if _returns_self(enter) else _empty
    returned = resolve_annotation(declared, _func_globals(enter))
    if isinstance(returned, typing.TypeVar):
        found = _typevar_value(cls, annotation, returned)
        if found is not _empty:
            return found
        return cls if _is_self_typevar(enter, returned) else _empty
    if _is_self_annotation(returned):
        return cls
    return returned


def _returns_self(function: object) -> bool:
    """True when every ``return`` of an unannotated method returns its first parameter."""
    target = _unwrap(function)
    code = getattr(target, "__code__", None)
    if not isinstance(code, types.CodeType) or code.co_argcount < 1:
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(target)))  # type: ignore[arg-type]
    except (OSError, TypeError, SyntaxError):
        return False
    first = code.co_varnames[0]
    returns = [node for node in ast.walk(tree) if isinstance(node, ast.Return)]
    return bool(returns) and all(
        isinstance(node.value, ast.Name) and node.value.id == first for node in returns
    )


def _special_return(annotation: object, name: str) -> tuple[object, Callable[[object], object]]:
    """What the special method `name` of `annotation`'s class declares it returns, resolved.

    Also a function that gives the value of a type variable (or ``Self``) in
    that declaration: its value in `annotation`'s type arguments or the
    class's bases, the class for ``Self``; `_empty` when unknown.
    """
    cls = _origin_class(annotation)
    if cls is None:
        return _empty, _keep
    method = _lookup(cls, name)
    declared = _declared_return(method)
    if declared is _empty:
        return _empty, _keep

    def bind(value: object) -> object:
        if _is_self_annotation(value):
            return cls
        if isinstance(value, typing.TypeVar):
            found = _typevar_value(cls, annotation, value)
            if found is not _empty:
                return found
            return cls if _is_self_typevar(method, value) else _empty
        return value

    return resolve_annotation(declared, _func_globals(method), _class_locals(cls)), bind


def _keep(value: object) -> object:
    return value


def _awaited_by(annotation: object) -> object:
    """What awaiting an instance of `annotation`'s class gives; `_empty` when undeclared.

    The ``T`` of its ``__await__(self) -> Generator[Any, None, T]``.
    """
    returned, bind = _special_return(annotation, "__await__")
    args = typing.get_args(returned)
    if _origin_class(returned) is not collections.abc.Generator or len(args) != 3:
        return _empty
    return bind(args[2])


def _items_of(annotation: object) -> object:
    """What ``async for`` over an instance of `annotation`'s class gives; `_empty` when undeclared.

    The ``T`` of its ``__aiter__(self) -> AsyncIterator[T]``.
    """
    returned, bind = _special_return(annotation, "__aiter__")
    return bind(_item_type(returned))


def _item_type(annotation: object) -> object:
    """What iterating a value annotated `annotation` gives."""
    cls = _origin_class(annotation)
    if cls in (
        collections.abc.AsyncIterator,
        collections.abc.AsyncGenerator,
        collections.abc.AsyncIterable,
    ):
        return _first_arg(annotation)
    return _empty


_SELF: Final[object] = typing_extensions.Self  # typing.Self from 3.11


def _is_self_annotation(annotation: object) -> bool:
    return annotation is _SELF


def _is_self_typevar(function: object, typevar: typing.TypeVar) -> bool:
    """True when `typevar` annotates the method's own first parameter (``self: U``)."""
    annotations = getattr(function, "__annotations__", {})
    try:
        first = next(iter(inspect.signature(function).parameters))  # type: ignore[arg-type]
    except (TypeError, ValueError, StopIteration):
        return False
    declared = annotations.get(first)
    return declared == typevar.__name__ or declared is typevar


def _func_globals(function: object) -> dict[str, Any]:
    # A property's (or cached_property's) annotations live on its getter.
    function = getattr(function, "fget", getattr(function, "func", function))
    unwrapped = _unwrap(function)
    namespace: object = getattr(unwrapped, "__globals__", None)
    if isinstance(namespace, dict):
        return typing.cast("dict[str, Any]", namespace)
    return _globals_of(unwrapped)


def _declared_return(obj: object) -> object:
    """The raw ``return`` annotation of a function (`_empty` when it has none)."""
    annotations: object = getattr(obj, "__annotations__", None)
    if isinstance(annotations, dict):
        return typing.cast("dict[str, object]", annotations).get("return", _empty)
    return _empty


def _unwrap(function: object) -> object:
    try:
        return inspect.unwrap(function)  # type: ignore[arg-type]
    except ValueError:  # a __wrapped__ cycle
        return function


def type_has(value: object, name: str) -> bool:
    """Whether `value`'s class has `name` (what the language looks up for special methods)."""
    return hasattr(type(value), name)


def _lookup(cls: type, name: str) -> object | None:
    for klass in cls.__mro__:
        namespace: Mapping[str, object] = klass.__dict__
        if name in namespace:
            return namespace[name]
    return None


# ------------------------------------------------------------- type checking


def _checkable(annotation: object) -> tuple[type, ...] | None:
    """The classes `isinstance` checks for `annotation`, or None when it is not checked.

    Checked: plain classes, ``None``, unions and ``Optional`` of those, and the
    origin class of a parameterised generic (``list[int]`` checks ``list``).
    """
    if annotation is _empty or isinstance(annotation, _TextAnnotation):
        return None
    if annotation is None or annotation is _NoneType:
        return (_NoneType,)
    members = _union_args(annotation)
    if members is not None:
        found: list[type] = []
        for member in members:
            part = _checkable(member)
            if part is None:
                return None
            found.extend(part)
        return tuple(found)
    cls = _origin_class(annotation)
    if cls is None or cls is object:
        return None
    try:
        isinstance(None, cls)
    except TypeError:  # a Protocol that is not runtime_checkable, a TypedDict
        return None
    if cls is float:
        return (float, int)
    if cls is complex:
        return (complex, float, int)
    return (cls,)


def is_instance_of(value: object, classes: tuple[type, ...]) -> bool:
    """`isinstance`, where any mock stands in for any class."""
    if isinstance(value, classes):
        return True
    return any(
        klass.__name__ == "NonCallableMock" and klass.__module__ == "unittest.mock"
        for klass in type(value).__mro__
    )


def describe_type(annotation: object) -> str:
    """Render a checkable annotation: ``Response``, ``float | None``, ``list[int]``."""
    if annotation is None or annotation is _NoneType or annotation is NONE:
        return "None"
    members = _union_args(annotation)
    if members is not None:
        return " | ".join(describe_type(member) for member in members)
    if is_class(annotation):
        return short_qualname(annotation)
    text = repr(annotation)
    for prefix in ("typing.", "collections.abc."):
        text = text.replace(prefix, "")
    return text


# ----------------------------------------------------------------- binding


def _signature_text(signature: inspect.Signature) -> str:
    """Parameters without annotations, defaults shown as ``=...``."""
    parts: list[str] = []
    seen_star = False
    last_positional_only = max(
        (i for i, p in enumerate(signature.parameters.values()) if p.kind is _POSITIONAL_ONLY),
        default=-1,
    )
    for index, parameter in enumerate(signature.parameters.values()):
        kind = parameter.kind
        if kind is _VAR_POSITIONAL:
            parts.append(f"*{parameter.name}")
            seen_star = True
        elif kind is _VAR_KEYWORD:
            parts.append(f"**{parameter.name}")
        else:
            if kind is _KEYWORD_ONLY and not seen_star:
                parts.append("*")
                seen_star = True
            parts.append(parameter.name if parameter.default is _empty else f"{parameter.name}=...")
        if index == last_positional_only:
            parts.append("/")
    return ", ".join(parts)


def _compile_binder(signature: inspect.Signature, qualname: str) -> Callable[..., dict[str, Any]]:
    """A function with `signature`'s parameters that returns them, defaults applied, by name.

    Calling it checks a call's shape as fast as Python can, and a rejected call
    raises Python's own `TypeError` text, naming `qualname`. `inspect.Parameter`
    accepts only identifiers that are not keywords as names, and `Signature`
    only a valid order of kinds and defaults, so the source always compiles.
    """
    namespace: dict[str, Any] = {}
    parts: list[str] = []
    names: list[str] = []
    seen_star = False
    parameters = list(signature.parameters.values())
    last_positional_only = max(
        (i for i, p in enumerate(parameters) if p.kind is _POSITIONAL_ONLY), default=-1
    )
    for index, parameter in enumerate(parameters):
        name = parameter.name
        names.append(name)
        kind = parameter.kind
        if kind is _VAR_POSITIONAL:
            parts.append(f"*{name}")
            seen_star = True
        elif kind is _VAR_KEYWORD:
            parts.append(f"**{name}")
        else:
            if kind is _KEYWORD_ONLY and not seen_star:
                parts.append("*")
                seen_star = True
            if parameter.default is _empty:
                parts.append(name)
            else:
                default = f"__af_default_{index}"
                namespace[default] = parameter.default
                parts.append(f"{name}={default}")
        if index == last_positional_only:
            parts.append("/")
    body = ", ".join(f"{name!r}: {name}" for name in names)
    source = f"def __af_bind({', '.join(parts)}):\n    return {{{body}}}\n"
    exec(compile(source, f"<asyncfakes signature of {qualname}>", "exec"), namespace)
    binder: Callable[..., dict[str, Any]] = namespace["__af_bind"]
    binder.__qualname__ = qualname  # what Python's TypeError messages name
    return binder


# ----------------------------------------------------------------- members


_PYTHON_SUGGESTION = re.compile(r"\. Did you mean '[^']*'\?$")
_UNEXPECTED_KEYWORD = re.compile(r"got an unexpected keyword argument '([^']+)'$")


class _Strong:
    """A reference that holds its object (one that weak references cannot point to)."""

    __slots__ = ("target",)

    def __init__(self, target: object) -> None:
        self.target = target

    def __call__(self) -> object:
        return self.target


def _hold(target: object) -> Callable[[], object]:
    """A reference to `target` that does not keep a class or a function alive.

    The cache of specs is keyed weakly by class: nothing it holds may refer
    to the class strongly, or the class would never be collected (a method
    that uses ``super()`` refers to its class, an annotation may name it).
    """
    if is_class(target) or isinstance(target, types.FunctionType):
        return weakref.ref(target)
    return _Strong(target)


def _weak_classes(classes: tuple[type, ...]) -> tuple[Callable[[], object], ...]:
    return tuple(_hold(cls) for cls in classes)


def _strong_classes(refs: tuple[Callable[[], object], ...]) -> tuple[type, ...]:
    return tuple(cls for cls in (ref() for ref in refs) if isinstance(cls, type))


_NO_CLASS: Final = _Strong(None)


class MemberSpec:
    """One member of a real class (or a standalone function): its kind and signature.

    Everything derived from the real member is computed on first use and kept
    without strong references to classes or functions (see `_hold`).
    """

    __slots__ = (
        "__weakref__",
        "_annotation",
        "_binder",
        "_bound_signature",
        "_checks",
        "_function",
        "_globals",
        "_item_check",
        "_kind",
        "_owner",
        "_result_check",
        "_result_class",
        "_returns",
        "_signature",
        "binding",
        "name",
        "qualname",
        "value",
    )

    def __init__(
        self,
        name: str,
        qualname: str,
        kind: Kind,
        *,
        function: object = None,
        binding: str = "function",
        owner: type | None = None,
        value: object = _empty,
        annotation: object = _empty,
        returns: object = _empty,
    ) -> None:
        self.name: str = name
        self.qualname: str = qualname
        self._kind = kind
        self._function = _hold(function)
        self.binding: str = binding  # "method", "class", "static", "function"
        self._owner = _hold(owner)
        self.value: object = value
        self._annotation = _hold(annotation)
        self._returns = _hold(returns)  # a return class known without annotations (nested classes)
        self._signature: inspect.Signature | object | None = _empty
        self._bound_signature: inspect.Signature | None = None
        self._binder: Callable[..., dict[str, Any]] | object | None = _empty
        self._checks: (
            list[tuple[str, inspect._ParameterKind, tuple[Callable[[], object], ...], str]] | None
        ) = None
        self._result_class: Callable[[], object] | _NoneMarker | None = None
        self._result_check: tuple[tuple[Callable[[], object], ...], str] | object | None = _empty
        self._item_check: tuple[tuple[Callable[[], object], ...], str] | object | None = _empty
        self._globals: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"<MemberSpec {self.qualname} {self._kind.value}>"

    @property
    def kind(self) -> Kind:
        """What calling (or reading) the member gives."""
        return self._kind

    @property
    def is_callable(self) -> bool:
        """True for methods and functions."""
        return self._kind in _CALLABLE_KINDS

    @property
    def function(self) -> object:
        """The real function (or property, descriptor); None when there is none."""
        return self._function()

    @property
    def owner(self) -> type | None:
        """The class the member belongs to (None for a standalone function)."""
        owner = self._owner()
        return owner if isinstance(owner, type) else None

    def describe(self) -> str:
        """What the member is, for messages: ``a coroutine method (async def)``."""
        noun = "method" if self.owner is not None else "function"
        kind = self._kind
        function = self.function
        if kind is Kind.ASYNC:
            if inspect.iscoroutinefunction(function):
                return f"a coroutine {noun} (async def)"
            return f"a {noun} returning an awaitable"
        if kind is Kind.ASYNC_GEN:
            if inspect.isasyncgenfunction(function):
                return f"an async generator {noun}"
            return f"a {noun} returning an async iterator"
        if kind is Kind.ASYNC_CM:
            return f"a {noun} returning an async context manager"
        if kind is Kind.HYBRID:
            return f"a {noun} returning an awaitable async context manager"
        if kind is Kind.AWAITABLE_ITER:
            return f"a {noun} returning an awaitable async iterable"
        if kind is Kind.SYNC:
            return f"a plain (sync) {noun}"
        if kind is Kind.PROPERTY:
            return "a property"
        if kind is Kind.AWAITABLE_PROPERTY:
            return "a property returning an awaitable"
        return "an attribute"

    # -- signature and binding ------------------------------------------------

    @property
    def signature(self) -> inspect.Signature | None:
        """The real signature without ``self``/``cls`` nor annotations; None when unknown."""
        signature = self._signature
        if signature is _empty:
            full = self._full_signature()
            signature = self._signature = None if full is None else _without_annotations(full)
        return signature  # type: ignore[return-value]

    def _full_signature(self) -> inspect.Signature | None:
        if self._kind in (Kind.PROPERTY, Kind.AWAITABLE_PROPERTY):
            return inspect.Signature()
        function = self.function
        if function is None:
            return None
        if isinstance(function, functools.partialmethod):
            # Read through the class: the unbound method's signature keeps `self`
            # and drops what the partialmethod fixes.
            function = function.__get__(None, self.owner)
        try:
            signature = inspect.signature(function)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if self.binding in ("method", "class"):
            parameters = list(signature.parameters.values())
            if parameters and parameters[0].kind in (_POSITIONAL_ONLY, _POSITIONAL_OR_KEYWORD):
                signature = signature.replace(parameters=parameters[1:])
            elif not parameters or parameters[0].kind is not _VAR_POSITIONAL:
                return None
        return signature

    def signature_text(self) -> str:
        """``AsyncClient.get(url, *, params=..., ...)``: the real parameters, no annotations."""
        signature = self.signature
        return f"{self.qualname}({'...' if signature is None else _signature_text(signature)})"

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> inspect.BoundArguments | None:
        """Bind a call to the real signature, defaults applied; None when the signature is unknown.

        Raises:
            BindError: the real function would reject the call (Python's own message).
        """
        binder = self._binder
        if binder is _empty:
            binder = self._make_binder()
        if binder is None:
            return None
        try:
            arguments = binder(*args, **kwargs)  # type: ignore[operator]
        except TypeError as error:
            raise BindError(self._explain(str(error))) from None
        return inspect.BoundArguments(self._bound_signature, arguments)  # type: ignore[arg-type]

    def _explain(self, message: str) -> str:
        """Python's message, with the same "did you mean" on every version.

        3.13 appends a suggestion to an unexpected keyword; earlier versions do
        not. The suggestion here comes from the real parameter names.
        """
        message = _PYTHON_SUGGESTION.sub("", message)
        unexpected = _UNEXPECTED_KEYWORD.search(message)
        signature = self.signature
        if unexpected is not None and signature is not None:
            names = [
                name
                for name, parameter in signature.parameters.items()
                if parameter.kind in (_POSITIONAL_OR_KEYWORD, _KEYWORD_ONLY)
            ]
            close = suggest(unexpected.group(1), names)
            if close:
                message += f". Did you mean {close[0]!r}?"
        return message

    def _make_binder(self) -> Callable[..., dict[str, Any]] | None:
        signature = self.signature
        binder = None if signature is None else _compile_binder(signature, self.qualname)
        self._bound_signature = signature
        self._binder = binder
        return binder

    # -- annotations --------------------------------------------------------

    def _namespace(self) -> dict[str, Any]:
        namespace = self._globals
        if namespace is None:
            function = self.function
            source = function if function is not None else self.owner
            namespace = self._globals = _func_globals(source) if source is not None else {}
        return namespace

    def _localns(self) -> Mapping[str, Any]:
        return _class_locals(self.owner)

    def _return_annotation(self) -> object:
        """The declared return (or attribute) annotation, resolved; `_empty` if unknown."""
        known = self._returns()
        if known is not _empty and known is not None:
            return known
        annotation: object
        function = self.function
        if self._kind is Kind.ATTRIBUTE:
            annotation = self._annotation()
        else:
            if self._kind in (Kind.PROPERTY, Kind.AWAITABLE_PROPERTY):
                function = getattr(function, "fget", getattr(function, "func", function))
            annotation = _declared_return(function)
        resolved = resolve_annotation(annotation, self._namespace(), self._localns())
        owner = self.owner
        if owner is not None and (
            _is_self_annotation(resolved)
            or (isinstance(resolved, typing.TypeVar) and _is_self_typevar(function, resolved))
        ):
            resolved = owner
        return resolved

    def result_type(self) -> object:
        """What the caller ends up with, by kind (computed each time: see `result_class`).

        ASYNC (and awaitable properties): what awaiting gives. ASYNC_CM and
        HYBRID: what entering gives. ASYNC_GEN: the item type. AWAITABLE_ITER:
        what awaiting gives (`item_check` covers its items). SYNC, PROPERTY,
        ATTRIBUTE: the value. `_empty` when unknown; `NONE` for ``None``.
        """
        annotation = self._return_annotation()
        kind = self._kind
        function = self.function
        result: object = annotation
        if isinstance(annotation, _TextAnnotation):
            result = _empty
        elif kind in (Kind.ASYNC, Kind.AWAITABLE_PROPERTY):
            # A decorator's sync wrapper (functools.wraps) keeps the coroutine's annotations.
            getter = _unwrap(getattr(function, "fget", function))
            coroutine = inspect.iscoroutinefunction(getter)
            result = annotation if coroutine else _awaited_type(annotation)
        elif kind is Kind.ASYNC_GEN:
            result = _item_type(annotation)
        elif kind in (Kind.ASYNC_CM, Kind.HYBRID):
            # An @asynccontextmanager generator's AsyncIterator[T] enters T, as
            # AbstractAsyncContextManager[T] does (see `_entered_type`).
            if annotation is _empty and function is not None:
                result = _entered_type(_returned_class(function))  # None enters `_empty`
            else:
                result = _entered_type(annotation)
        elif kind is Kind.AWAITABLE_ITER:
            result = _awaited_by(self._result_source(annotation))
        if result is None or result is _NoneType:
            result = NONE
        return result

    def _result_source(self, annotation: object) -> object:
        """The annotation of what a call returns, or the class an unannotated body returns."""
        return _returned_class(self.function) if annotation is _empty else annotation

    def item_check(self) -> tuple[tuple[type, ...], str] | None:
        """The classes a stubbed item (``yields``) must be an instance of, and their text.

        None when unchecked: the member gives no items, or their type is unknown.
        """
        kind = self._kind
        if kind is Kind.ASYNC_GEN:
            return self.result_check()
        if kind is not Kind.AWAITABLE_ITER:
            return None
        cached = self._item_check
        if cached is _empty:
            item = _items_of(self._result_source(self._return_annotation()))
            classes = _checkable(item)
            cached = self._item_check = (
                None if classes is None else (_weak_classes(classes), describe_type(item))
            )
        if cached is None:
            return None
        refs, text = typing.cast("tuple[tuple[Callable[[], object], ...], str]", cached)
        return _strong_classes(refs), text

    def result_class(self) -> type | _NoneMarker | None:
        """The class to spec a default result on (see `result_type`), `NONE`, or None."""
        cached = self._result_class
        if cached is None:
            result = self.result_type()
            if result is NONE:
                cached = NONE
            elif _union_args(result) is None and _origin_class(result) not in (None, _empty):
                cached = _hold(_origin_class(result))
            else:
                cached = _NO_CLASS
            self._result_class = cached
        if cached is NONE:
            return NONE
        assert not isinstance(cached, _NoneMarker)
        found = cached()
        return found if isinstance(found, type) else None

    def argument_checks(self) -> list[tuple[str, inspect._ParameterKind, tuple[type, ...], str]]:
        """``(name, kind, classes, text)`` for each parameter whose annotation can be checked."""
        checks = self._checks
        if checks is None:
            checks = self._checks = []
            signature = self._full_signature()
            if signature is not None:
                namespace, localns = self._namespace(), self._localns()
                for parameter in signature.parameters.values():
                    annotation = resolve_annotation(parameter.annotation, namespace, localns)
                    classes = _checkable(annotation)
                    if classes is not None:
                        checks.append(
                            (
                                parameter.name,
                                parameter.kind,
                                _weak_classes(classes),
                                describe_type(annotation),
                            )
                        )
        return [
            (name, kind, _strong_classes(classes), text) for name, kind, classes, text in checks
        ]

    def result_check(self) -> tuple[tuple[type, ...], str] | None:
        """The classes a stubbed result must be an instance of, and their text (None: unchecked)."""
        cached = self._result_check
        if cached is _empty:
            result = self.result_type()
            if result is NONE:
                cached = ((_hold(_NoneType),), "None")
            else:
                classes = _checkable(result)
                cached = (
                    None if classes is None else (_weak_classes(classes), describe_type(result))
                )
            self._result_check = cached
        if cached is None:
            return None
        refs, text = typing.cast("tuple[tuple[Callable[[], object], ...], str]", cached)
        return _strong_classes(refs), text


def _without_annotations(signature: inspect.Signature) -> inspect.Signature:
    """`signature` without annotations (they may name the class: see `_hold`)."""
    return signature.replace(
        parameters=[p.replace(annotation=_empty) for p in signature.parameters.values()],
        return_annotation=_empty,
    )


# ------------------------------------------------------- member classification


def _returned_class(function: object) -> object | None:
    """For an unannotated function whose body ends in ``return SomeClass(...)``: that class.

    asyncpg declares no annotations: ``Pool.acquire`` returns
    ``PoolAcquireContext(...)`` and ``Connection.transaction`` returns
    ``transaction.Transaction(...)``; reading the source tells what they return.
    """
    target = _unwrap(function)
    try:
        source = textwrap.dedent(inspect.getsource(target))  # type: ignore[arg-type]
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    namespace = _func_globals(target)
    found: object | None = None
    nodes = list(ast.iter_child_nodes(tree.body[0]))
    while nodes:
        node = nodes.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue  # a nested function's returns are its own
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            value = _resolve_dotted(node.value.func, namespace)
            if isinstance(value, type):
                if found is not None and found is not value:
                    return None
                found = value
        nodes.extend(ast.iter_child_nodes(node))
    return found


def _resolve_dotted(node: ast.expr, namespace: Mapping[str, Any]) -> object | None:
    """The object a ``name`` or ``module.name`` refers to (builtins hold no context classes)."""
    if isinstance(node, ast.Name):
        found: object | None = namespace.get(node.id)
        return found
    if isinstance(node, ast.Attribute):
        base = _resolve_dotted(node.value, namespace)
        if isinstance(base, types.ModuleType):  # only modules: no descriptor may run
            return vars(base).get(node.attr)
    return None


def _execute_command_is_async(owner: type | None) -> bool:
    if owner is None:
        return False
    execute = _lookup(owner, "execute_command")
    return execute is not None and inspect.iscoroutinefunction(execute)


def _function_kind(function: object, owner: type | None, resolve_owner: type | None) -> Kind:
    """Classify a function (or method) by what calling it gives."""
    if inspect.iscoroutinefunction(function):
        return Kind.ASYNC
    if inspect.isasyncgenfunction(function):
        return Kind.ASYNC_GEN
    unwrapped = _unwrap(function)
    if unwrapped is not function:
        if inspect.isasyncgenfunction(unwrapped):
            return Kind.ASYNC_CM  # @asynccontextmanager
        if inspect.iscoroutinefunction(unwrapped):
            return Kind.ASYNC
    annotation = _declared_return(function)
    if annotation is _empty:
        if isinstance(function, types.FunctionType):
            returned = _returned_class(function)
            if isinstance(returned, type):
                kind = _kind_of_class(returned)
                return kind
        return Kind.SYNC
    resolved = resolve_annotation(annotation, _func_globals(function), _class_locals(owner))
    found = _kind_of_annotation(resolved)
    if found == _MAYBE_ASYNC:
        return Kind.ASYNC if _execute_command_is_async(resolve_owner) else Kind.SYNC
    if isinstance(found, Kind):
        return found
    return Kind.SYNC


def _property_kind(getter: object, owner: type) -> Kind:
    if inspect.iscoroutinefunction(getter):
        return Kind.AWAITABLE_PROPERTY
    annotation = _declared_return(getter)
    if annotation is not _empty:
        resolved = resolve_annotation(annotation, _func_globals(getter), _class_locals(owner))
        # Reading gives the object: awaiting it is what the property is for.
        if _kind_of_annotation(resolved) in (Kind.ASYNC, Kind.AWAITABLE_ITER):
            return Kind.AWAITABLE_PROPERTY
    return Kind.PROPERTY


def _classify(  # noqa: PLR0917
    name: str, qualname: str, raw: object, owner: type, spec_class: type, annotation: object
) -> MemberSpec:
    """The MemberSpec of attribute `raw` found in `owner.__dict__` (a fake of `spec_class`)."""
    if isinstance(raw, staticmethod):
        function: object = typing.cast("staticmethod[..., object]", raw).__func__
        kind = _function_kind(function, owner, spec_class)
        return MemberSpec(
            name, qualname, kind, function=function, binding="static", owner=spec_class
        )
    if isinstance(raw, classmethod):
        function = typing.cast("classmethod[Any, ..., object]", raw).__func__
        kind = _function_kind(function, owner, spec_class)
        return MemberSpec(
            name, qualname, kind, function=function, binding="class", owner=spec_class
        )
    if isinstance(raw, property):
        kind = _property_kind(raw.fget, owner)
        return MemberSpec(name, qualname, kind, function=raw, owner=spec_class)
    if isinstance(raw, functools.cached_property):
        cached = typing.cast("functools.cached_property[object]", raw)
        kind = _property_kind(cached.func, owner)
        return MemberSpec(
            name, qualname, kind, function=typing.cast("object", raw), owner=spec_class
        )
    if isinstance(raw, (types.FunctionType, functools.partialmethod)) or (
        inspect.ismethoddescriptor(raw) and callable(raw)
    ):
        called = typing.cast("object", raw)
        if isinstance(raw, functools.partialmethod):
            called = typing.cast("functools.partialmethod[object]", raw).func
        kind = _function_kind(called, owner, spec_class)
        binding = "method"  # a partialmethod binds `self` as a method does
        return MemberSpec(
            name,
            qualname,
            kind,
            function=typing.cast("object", raw),
            binding=binding,
            owner=spec_class,
        )
    if isinstance(raw, type):
        kind = _kind_of_class(raw)
        return MemberSpec(
            name, qualname, kind, function=raw, binding="static", owner=spec_class, returns=raw
        )
    if inspect.isdatadescriptor(raw) or (type_has(raw, "__get__") and not callable(raw)):
        getter = getattr(raw, "fget", None)
        if getter is not None:
            kind = _property_kind(getter, owner)
            return MemberSpec(name, qualname, kind, function=raw, owner=spec_class)
        return MemberSpec(name, qualname, Kind.ATTRIBUTE, owner=spec_class, annotation=annotation)
    if callable(raw):
        kind = _function_kind(raw, None, spec_class)
        return MemberSpec(name, qualname, kind, function=raw, binding="static", owner=spec_class)
    # A plain value; an annotated one never gets here (see `ClassSpec._build_member`).
    return MemberSpec(
        name, qualname, Kind.ATTRIBUTE, owner=spec_class, value=raw, annotation=type(raw)
    )


def _assigned_in(code: types.CodeType, self_name: str) -> Iterable[str]:
    """Attribute names a function assigns on its first parameter (``self.x = ...``)."""
    previous: dis.Instruction | None = None
    for instruction in dis.get_instructions(code):
        if (
            instruction.opname == "STORE_ATTR"
            and previous is not None
            and previous.opname.startswith(("LOAD_FAST", "LOAD_DEREF"))
        ):
            # 3.13 fuses `LOAD_FAST value; LOAD_FAST self` into LOAD_FAST_LOAD_FAST.
            loaded: object = previous.argval
            if isinstance(loaded, tuple):
                loaded = typing.cast("tuple[object, ...]", loaded)[-1]
            if loaded == self_name:
                yield instruction.argval
        previous = instruction
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _assigned_in(const, self_name)


class ClassSpec:
    """A real class, described for its fakes: names, members, callability.

    Built once per class (`class_spec`) and then read by every fake of the
    class. Members are classified on first use.
    """

    __slots__ = (
        "__weakref__",
        "_annotations",
        "_call",
        "_cls",
        "_instance_names",
        "_members",
        "_overlay",
        "name",
        "names",
        "qualname",
    )

    def __init__(self, cls: type, overlay: Mapping[str, object] | None = None) -> None:
        # Weakly: the cache of specs is keyed weakly by class (see `_hold`).
        self._cls = weakref.ref(cls)
        self.name = cls.__name__
        self.qualname = short_qualname(cls)
        names: set[str] = set()
        annotations: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {}
        for klass in reversed(cls.__mro__):
            namespace = klass.__dict__
            names.update(namespace)
            own: object = namespace.get("__annotations__")
            if isinstance(own, dict):
                for key, value in typing.cast("dict[str, object]", own).items():
                    annotations[key] = (_hold(klass), _hold(value))
            names.update(_declared_fields(klass))
        names.update(annotations)
        self._overlay = dict(overlay) if overlay else {}
        names.update(self._overlay)
        self.names = names
        """Every attribute name of the class (or instance); grows as ``self.x = ...`` are found."""
        self._annotations = annotations
        self._members: dict[str, MemberSpec | None] = {}
        self._instance_names: set[str] | None = None
        self._call: MemberSpec | object | None = _empty

    def __repr__(self) -> str:
        return f"<ClassSpec {self.cls.__module__}.{self.qualname}>"

    @property
    def cls(self) -> type:
        """The real class (alive as long as any of its fakes is)."""
        cls = self._cls()
        if cls is None:  # pragma: no cover - a spec outliving its class is unreachable
            raise ReferenceError(f"the class of {self.qualname} was collected")
        return cls

    @property
    def full_name(self) -> str:
        """``httpx.AsyncClient``."""
        module = self.cls.__module__
        return self.qualname if module == "builtins" else f"{module}.{self.qualname}"

    def has(self, name: str) -> bool:
        """True when instances of the class have attribute `name`.

        Names assigned to ``self`` in the class's methods are looked for only
        when the name is not found otherwise (once per class).
        """
        if name in self.names:
            return True
        if self._instance_names is None:
            self._instance_names = self._find_instance_names()
            self.names.update(self._instance_names)
            return name in self.names
        return False

    def _find_instance_names(self) -> set[str]:
        found: set[str] = set()
        for klass in self.cls.__mro__:  # builtins' methods have no code: they are skipped
            for value in list(klass.__dict__.values()):
                function = value
                if isinstance(value, (staticmethod, classmethod)):
                    continue
                if isinstance(value, property):
                    function = value.fset
                function = _unwrap(function)
                code = getattr(function, "__code__", None)
                if not isinstance(code, types.CodeType) or code.co_argcount < 1:
                    continue
                found.update(_assigned_in(code, code.co_varnames[0]))
        return found

    def member(self, name: str) -> MemberSpec | None:
        """The member `name`, classified on first use; None if the class has no such attribute."""
        members = self._members
        if name in members:
            return members[name]
        member = self._build_member(name)
        members[name] = member
        return member

    def _build_member(self, name: str) -> MemberSpec | None:
        if not self.has(name):
            return None
        qualname = f"{self.qualname}.{name}"
        if name in self._overlay:
            value = self._overlay[name]
            if callable(value) and not isinstance(value, type):
                kind = _function_kind(value, None, self.cls)
                return MemberSpec(name, qualname, kind, function=value, binding="static")
            return MemberSpec(name, qualname, Kind.ATTRIBUTE, value=value, annotation=type(value))
        declared = self._annotations.get(name)
        annotation: object = _empty
        if declared is not None:
            owner_ref, annotation_ref = declared
            owner = typing.cast("type", owner_ref())  # in the MRO of the live class
            annotation = resolve_annotation(
                annotation_ref(), _globals_of(owner), _class_locals(owner)
            )
        for klass in self.cls.__mro__:
            namespace = klass.__dict__
            if name in namespace:
                raw = namespace[name]
                if declared is not None and not callable(raw) and not type_has(raw, "__get__"):
                    return MemberSpec(
                        name,
                        qualname,
                        Kind.ATTRIBUTE,
                        owner=self.cls,
                        value=raw,
                        annotation=annotation,
                    )
                member = _classify(name, qualname, raw, klass, self.cls, annotation)
                if member.kind is Kind.ATTRIBUTE and member.value is _empty:
                    member.value = _field_default(self.cls, name)  # a slot of a dataclass
                return member
        return MemberSpec(
            name,
            qualname,
            Kind.ATTRIBUTE,
            owner=self.cls,
            annotation=annotation,
            value=_field_default(self.cls, name),
        )

    @property
    def call(self) -> MemberSpec | None:
        """The ``__call__`` member when instances are callable, else None."""
        call = self._call
        if call is _empty:
            raw = _lookup(self.cls, "__call__")
            if raw is None or self.cls is type or not callable(raw):
                call = None
            else:
                call = _classify("__call__", self.qualname, raw, self.cls, self.cls, _empty)
            self._call = call
        return call  # type: ignore[return-value]

    def public_names(self) -> list[str]:
        """Names for suggestions and ``dir()``: everything but dunder names."""
        return sorted(n for n in self.names if not (n.startswith("__") and n.endswith("__")))

    def with_instance(self, instance: object) -> ClassSpec:
        """A spec for one instance: the class's, plus the instance's own attributes."""
        overlay: object = getattr(instance, "__dict__", None)
        own = typing.cast("dict[str, object]", overlay) if isinstance(overlay, dict) else None
        spec = ClassSpec(self.cls, own)
        spec._members = {k: v for k, v in self._members.items() if k not in spec._overlay}
        spec._call = self._call
        return spec


def _field_default(cls: type, name: str) -> object:
    """The default of a dataclass or attrs field kept out of the class dict, or `_empty`."""
    field = getattr(cls, "__dataclass_fields__", {}).get(name)
    if field is not None and type(field.default).__name__ != "_MISSING_TYPE":
        return field.default
    for attribute in getattr(cls, "__attrs_attrs__", ()):
        if attribute.name == name:
            default = attribute.default
            return _empty if type(default).__name__ in ("_Nothing", "Factory") else default
    return _empty


def _declared_fields(klass: type) -> Iterable[str]:
    """attrs fields declared without annotations (``x = attrs.field()``).

    Dataclass fields are always annotated, and slots leave a descriptor in the
    class dict: both are found without help.
    """
    for attribute in klass.__dict__.get("__attrs_attrs__", ()):
        yield attribute.name


_class_specs: weakref.WeakKeyDictionary[type, ClassSpec] = weakref.WeakKeyDictionary()
_function_specs: weakref.WeakKeyDictionary[object, MemberSpec] = weakref.WeakKeyDictionary()


def class_spec(cls: type) -> ClassSpec:
    """The (cached) spec of a class.

    Example:
        >>> import asyncio
        >>> from asyncfakes._spec import class_spec, Kind
        >>> class Api:
        ...     async def get(self, url: str) -> bytes: ...
        >>> class_spec(Api).member("get").kind is Kind.ASYNC
        True
    """
    spec = _class_specs.get(cls)
    if spec is None:
        spec = _class_specs[cls] = ClassSpec(cls)
    return spec


def function_spec(function: Callable[..., Any], name: str | None = None) -> MemberSpec:
    """The (cached) spec of a standalone function, bound method or callable object."""
    try:
        spec = _function_specs.get(function)
    except TypeError:  # not weak-referenceable or not hashable
        spec = None
    if spec is not None and name is None:
        return spec
    target: object = function
    binding = "function"
    owner: type | None = None
    if isinstance(function, types.MethodType):
        target = function.__func__
        binding = "method"
        bound_to = function.__self__
        owner = bound_to if isinstance(bound_to, type) else type(bound_to)
    qualname: str = name or (
        short_qualname(target) if hasattr(target, "__qualname__") else type(target).__name__
    )
    kind = _function_kind(target, owner, owner)
    spec = MemberSpec(qualname.rpartition(".")[2], qualname, kind, function=target, binding=binding)
    if name is None:
        with contextlib.suppress(TypeError):
            _function_specs[function] = spec
    return spec


def suggest(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The closest real names to a misspelled one, best first.

    As `difflib.get_close_matches` (cutoff 0.6), but of equally close names the
    one sharing the longest start with `name` comes first: ``exx`` suggests
    ``ex`` before ``xx``, as typos come more often at the end of a word.
    """
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=max(limit, 10))
    matcher = difflib.SequenceMatcher(b=name)

    def rank(candidate: str) -> tuple[float, int]:
        matcher.set_seq1(candidate)
        same_start = next(
            (
                index
                for index, pair in enumerate(zip(candidate, name, strict=False))
                if pair[0] != pair[1]
            ),
            min(len(candidate), len(name)),
        )
        return (-matcher.ratio(), -same_start)

    return sorted(close, key=rank)[:limit]
