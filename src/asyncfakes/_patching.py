"""`patch`, `patch.object`, `patch.dict` and `spy`: replace attributes for a while, then undo.

This is the only module that imports `wrapt`. It resolves targets
(`wrapt.resolve_path`, which reads a class attribute from the ``__dict__`` that
defines it, so descriptors are not triggered), wraps spied callables in a
`wrapt.FunctionWrapper` (the spied attribute keeps its signature, its `inspect`
answers and its descriptor binding), and routes task-scoped patches through a
wrapper that reads a context variable.

Undo leaves no trace. A patch records whether the attribute was the target's
own (in its ``__dict__``) and deletes it on undo when it was not, so patching
an inherited method through a subclass leaves the subclass as it was. The
patches of one attribute form a stack undone last in, first out; a patch
stopped out of order hands what it saved to the patch above it.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import importlib
import inspect
import pkgutil
import sys
import types
import typing
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, MutableMapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, Literal, TypeVar, cast, overload

import wrapt

from ._fake import AsyncFake, MagicFake, is_fake
from ._format import plural
from ._recorder import (
    AWAITABLE,
    BOUND,
    CODE,
    LASTI,
    RESULT,
    TRACK_ATTR,
    Deferred,
    Track,
    begin_await,
    fail,
    finish,
    get_track,
    new_record,
    run_awaited,
)
from ._spec import suggest
from ._specfake import fake

if TYPE_CHECKING:
    from types import CodeType, FrameType, TracebackType

    from typing_extensions import Self

__all__ = ["Patch", "Patcher", "Scope", "Spy", "create_default", "patch", "spy"]

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C", bound=type)
M = TypeVar("M", bound=MutableMapping[Any, Any])

Scope = Literal["global", "task"]

# wrapt ships no type information: these are the pieces used here, typed.
_FunctionWrapper: Callable[..., Any] = wrapt.FunctionWrapper
_resolve_path: Callable[[object, str], tuple[Any, str, Any]] = wrapt.resolve_path
_WRAPT_MODULE: Final = "wrapt"
_THIS_MODULE: Final = __name__


class _Default(enum.Enum):
    DEFAULT = "DEFAULT"

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Final = _Default.DEFAULT
"""`new=DEFAULT` (the default): the replacement is a fake spec'd from the original."""

_MISSING: Final = object()


# -- rendering -----------------------------------------------------------------


def _short(obj: object) -> str:
    """How an object is written in a message: `app.services`, `UserRepository`, `<Repo object>`."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    if isinstance(obj, type):
        return obj.__qualname__
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(qualname, str) and callable(obj):
        return qualname
    return f"<{type(obj).__qualname__} object>"


def _describe_owner(obj: object) -> str:
    """The owner of an attribute as Python's own AttributeError words it."""
    if isinstance(obj, types.ModuleType):
        return f"module {obj.__name__!r}"
    if isinstance(obj, type):
        return f"class {obj.__qualname__!r}"
    return f"{type(obj).__qualname__!r} object"


def _kind(value: object) -> str:
    """A value's kind for a message: `an int`, `a property`."""
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name}"


def _alternatives(names: list[str]) -> str:
    quoted = [repr(name) for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _name_of(parent: object, attribute: str) -> str:
    """The dotted name a replacement or spy is given: `UserRepository.save`, `fetch_user`."""
    if isinstance(parent, types.ModuleType):
        return attribute
    owner = parent if isinstance(parent, type) else type(parent)
    return f"{owner.__qualname__}.{attribute}"


# -- resolving targets ---------------------------------------------------------


def _candidates(parent: object) -> list[str]:
    names = set(dir(parent))
    path = getattr(parent, "__path__", None) if isinstance(parent, types.ModuleType) else None
    if path is not None:  # a package: its submodules count even before they are imported
        names.update(module.name for module in pkgutil.iter_modules(path))
    return sorted(names)


def _missing_attribute(label: str, parent: object, attribute: str) -> AttributeError:
    close = suggest(attribute, _candidates(parent))
    hint = (
        f" Did you mean {_alternatives(close)}?"
        if close
        else " Check the spelling, and patch the name where the code under test looks it up."
    )
    return AttributeError(
        f"{label}: {_describe_owner(parent)} has no attribute {attribute!r}.{hint}"
    )


def _lookup(label: str, parent: object, attribute: str) -> Any:
    """The attribute as stored: from the defining class's ``__dict__`` for a class."""
    try:
        return _resolve_path(parent, attribute)[2]
    except AttributeError:  # wrapt's PathResolutionError is one
        raise _missing_attribute(label, parent, attribute) from None


def _import_prefix(label: str, target: str) -> tuple[object, list[str]]:
    """Import the longest importable module prefix of `target`; return it and the rest."""
    parts = target.split(".")
    missing: ModuleNotFoundError | None = None
    for end in range(len(parts) - 1, 0, -1):
        name = ".".join(parts[:end])
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            # Only a missing module on this very path means "try a shorter
            # prefix"; a module that exists but fails its own imports is a bug
            # of that module, reported as is.
            if error.name is None or not (name == error.name or name.startswith(error.name + ".")):
                raise
            missing = error
            continue
        return module, parts[end:]
    assert missing is not None
    raise ModuleNotFoundError(
        f"{label}: cannot import module {parts[0]!r} (no module of that name is installed). "
        "The target is the dotted path under which the code under test looks the name up, "
        "such as 'app.services.fetch_user'.",
        name=parts[0],
    ) from None


def _ensure_dotted(label: str, target: str) -> str:
    if "." not in target or "" in target.split("."):
        raise TypeError(
            f"{label}: the target must be a dotted path 'module.name', such as "
            "'app.services.fetch_user'."
        )
    return target


def _resolve_target(label: str, target: str) -> tuple[object, str]:
    """The parent object and attribute name a dotted `target` designates."""
    module, rest = _import_prefix(label, target)
    parent: object = module
    for segment in rest[:-1]:
        parent = _lookup(label, parent, segment)
    return parent, rest[-1]


# -- the default replacement ---------------------------------------------------


def _is_async_function(value: object) -> bool:
    if is_fake(value):  # a mock answers any getattr: ask its class
        return bool(getattr(type(value), "_af_is_async", False))
    return inspect.iscoroutinefunction(value)


def _spec_source(parent: object, attribute: str, stored: object) -> object:
    """What the replacement is spec'd from: the attribute as the code under test sees it.

    A method patched on a class is called without `self` once replaced (a fake
    is not a descriptor), so it is spec'd as a bound method: the real
    signature without its first parameter.
    """
    if not isinstance(parent, type):
        return stored
    if isinstance(stored, staticmethod):
        return stored.__func__
    if isinstance(stored, classmethod):
        return types.MethodType(cast("Any", stored).__func__, parent)
    if inspect.isfunction(stored):
        return types.MethodType(stored, _Unbound())
    if isinstance(stored, property):
        # Once replaced, reading the attribute gives the replacement itself:
        # spec it from what the getter returns, when that is a class.
        returned = _returned_class(stored.fget)
        return _Unspecced if returned is None else returned
    return stored


class _Unspecced:
    """Stands for "no spec": a property whose getter's result class is unknown."""


def _returned_class(function: object) -> type | None:
    try:
        hints = typing.get_type_hints(function)
    except Exception:  # an annotation that does not resolve
        return None
    returned = hints.get("return")
    return returned if isinstance(returned, type) else None


class _Unbound:
    """Stands for `self` when a method is spec'd without an instance."""

    def __repr__(self) -> str:
        return "<self>"


def create_default(original: object, *, strict: bool = False, name: str | None = None) -> Any:
    """The replacement `patch()` uses by default: a fake spec'd from `original`.

    A class gives a callable (the class) whose calls return ``fake(cls)``,
    the instance fake; anything else gives ``fake(original)``.
    """
    if isinstance(original, type):
        instance: object = fake(original, strict=strict, name=original.__name__)
        return MagicFake(spec=original, return_value=instance, name=name)
    return fake(original, strict=strict, name=name)


def _unspecced(original: object, name: str) -> Any:
    if _is_async_function(original):
        return AsyncFake(name=name)
    return MagicFake(name=name)


# -- the stacks of patches per attribute ---------------------------------------

_stacks: dict[tuple[int, str], list[_AttributePatch[Any]]] = {}
_started: list[Patch[Any]] = []


def _own_value(parent: object, attribute: str) -> object:
    """The parent's own value of `attribute` (in its ``__dict__``), or `_MISSING`."""
    try:
        namespace = object.__getattribute__(parent, "__dict__")
    except AttributeError:
        return _MISSING
    return cast("Mapping[str, object]", namespace).get(attribute, _MISSING)


# Py_TPFLAGS_IMMUTABLETYPE (3.10+): built-in and extension types.
_IMMUTABLE_TYPE: Final = 1 << 8


def _set(label: str, parent: object, attribute: str, value: object, on_class: str) -> None:
    try:
        setattr(parent, attribute, value)
    except (TypeError, AttributeError) as error:
        if isinstance(parent, type) and parent.__flags__ & _IMMUTABLE_TYPE:
            raise TypeError(
                f"{label}: {parent.__qualname__} is a built-in or immutable type, so "
                f"{attribute!r} cannot be replaced on it. Patch the name where the code "
                "under test looks it up instead (the module that imports it, or a "
                "function of your own that calls it)."
            ) from error
        if isinstance(parent, type):
            raise TypeError(
                f"{label}: {attribute!r} cannot be replaced on class {parent.__qualname__!r} "
                f"({type(error).__name__}: {error})."
            ) from error
        raise AttributeError(
            f"{label}: {attribute!r} cannot be replaced on {_describe_owner(parent)}: "
            "it does not accept new attributes (a read-only attribute, a property "
            "without a setter, or __slots__). "
            + on_class.format(owner=type(parent).__qualname__, attribute=repr(attribute))
        ) from error


# -- Patch: the life cycle shared by every kind of patch ------------------------


class Patch(Generic[T]):
    """A replacement of one attribute (or of a mapping's items) that can be undone.

    Created by `af.patch()`, `af.patch.object()` and `af.patch.dict()`. Use it
    as a context manager (`with` or `async with`; the target gives the
    replacement), as a decorator of sync and async functions and of test
    classes, or with `start()`/`stop()`. Every use undoes the patch at its end,
    when an exception or a cancellation ends it too.

    Example:
        >>> import json, asyncfakes as af
        >>> patcher = af.patch.object(json, "dumps", new=lambda value: "patched")
        >>> patcher.start()(1)
        'patched'
        >>> json.dumps(1)
        'patched'
        >>> patcher.stop()
        >>> json.dumps(1)
        '1'
    """

    _passes_value: bool = True
    _noun: ClassVar[str] = "patch"
    _once: ClassVar[str] = "Each start() takes exactly one stop()."
    # The fix when the attribute cannot be set on an instance.
    _on_class: ClassVar[str] = "Patch it on the class: af.patch.object({owner}, {attribute})."

    def __init__(self, label: str) -> None:
        self._label = label
        self._state: Literal["ready", "started", "stopped"] = "ready"
        self._registry: list[Patch[Any]] | None = None
        self._value: Any = None

    # -- what each kind of patch does

    def _apply(self) -> T:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError

    def _fresh(self) -> Self:
        """An unstarted copy: a decorated function starts one per call."""
        raise NotImplementedError

    # -- life cycle

    def _begin(self) -> T:
        if self._state == "started":
            raise RuntimeError(
                f"{self._label}: this patch is already applied (started, or inside its "
                "`with` block); stop it, or leave the block, before applying it again."
            )
        value = self._apply()
        self._value = value
        self._state = "started"
        return value

    def _end(self) -> None:
        if self._state != "started":
            if self._state == "ready":
                raise RuntimeError(
                    f"{self._label}: stop() called on a patch that was never started. "
                    "Start it first (start(), `with`, or as a decorator)."
                )
            raise RuntimeError(
                f"{self._label}: stop() called on a {self._noun} that is already stopped. "
                f"{self._once}"
            )
        try:
            self._undo()
        finally:
            self._state = "stopped"
            self._value = None
            registry = self._registry
            if registry is not None:
                for index in range(len(registry) - 1, -1, -1):
                    if registry[index] is self:
                        del registry[index]
                        break

    def start(self) -> T:
        """Apply the patch and return the replacement; `af.patch.stopall()` undoes it too.

        Raises:
            RuntimeError: the patch is already applied.
        """
        value = self._begin()
        if self._registry is None:
            self._registry = _started
        self._registry.append(self)
        return value

    def stop(self) -> None:
        """Undo the patch.

        Raises:
            RuntimeError: the patch is not started (never, or stopped already).
        """
        self._end()

    @property
    def started(self) -> bool:
        """True between start (or entering) and stop (or leaving)."""
        return self._state == "started"

    def __enter__(self) -> T:
        return self._begin()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._end()

    async def __aenter__(self) -> T:
        return self._begin()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._end()

    # -- decorator

    @overload
    def __call__(self, func: C) -> C: ...
    @overload
    def __call__(self, func: Callable[..., R]) -> Callable[..., R]: ...
    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Decorate a function (sync or async) or a test class (each of its test methods).

        The patch is applied for each call and undone when the call ends; the
        replacement is passed as an extra positional argument after those
        given (unless `new` was given), as `unittest.mock.patch` does.
        """
        if isinstance(func, type):
            return _decorate_class(self, func)
        return _decorate_function(self, func)

    def __repr__(self) -> str:
        return f"<Patch {self._label} {self._state}>"


_TEST_PREFIX: Final = "test"


def _decorate_class(patching: Patch[Any], cls: C) -> C:
    """Decorate each `test*` function of `cls`, inherited ones included (as unittest.mock does).

    An inherited test is decorated on `cls` only: the base class keeps its own.
    """
    own = vars(cls)
    for name in dir(cls):
        if not name.startswith(_TEST_PREFIX):
            continue
        value = own[name] if name in own else getattr(cls, name, None)
        if not inspect.isfunction(value):
            continue
        if name not in own:
            value = _unshared(value)
        setattr(cls, name, _decorate_function(patching, value))
    return cls


def _unshared(func: Callable[..., Any]) -> Callable[..., Any]:
    """An inherited test, with a wrapper of its own if a base class's patches wrap it.

    Decorators stack on one shared wrapper; adding this class's patch to the base
    class's wrapper would patch the base class's test too.
    """
    patchings: list[Patch[Any]] | None = getattr(func, _PATCHINGS, None)
    if patchings is None:
        return func
    copy: Callable[..., Any] = getattr(func, "__wrapped__")  # noqa: B009 (typed as Any)
    for patching in patchings:
        copy = _decorate_function(patching, copy)
    return copy


_PATCHINGS: Final = "_af_patchings"


def _decorate_function(patching: Patch[Any], func: Callable[..., Any]) -> Callable[..., Any]:
    patchings: list[Patch[Any]] | None = getattr(func, _PATCHINGS, None)
    if patchings is not None:
        # Stacked decorators share one wrapper, so the replacements arrive in
        # the order unittest.mock gives them: the decorator nearest the
        # function first.
        patchings.append(patching)
        _reduce_signature(func, patchings)
        return func
    patchings = [patching]
    target = func

    def enter(stack: contextlib.ExitStack) -> tuple[Any, ...]:
        extra: list[Any] = []
        for recipe in patchings:
            applied = recipe._fresh()
            value = applied._begin()
            stack.callback(applied._end)
            if applied._passes_value:
                extra.append(value)
        return tuple(extra)

    wrapper: Callable[..., Any]
    if inspect.iscoroutinefunction(target):

        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            with contextlib.ExitStack() as stack:
                extra = enter(stack)
                return await target(*args, *extra, **kwargs)

        wrapper = async_wrapper
    else:

        def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
            with contextlib.ExitStack() as stack:
                extra = enter(stack)
                return target(*args, *extra, **kwargs)

        wrapper = sync_wrapper
    functools.update_wrapper(wrapper, target)
    setattr(wrapper, _PATCHINGS, patchings)
    _reduce_signature(wrapper, patchings)
    return wrapper


def _reduce_signature(wrapper: Callable[..., Any], patchings: list[Patch[Any]]) -> None:
    """Hide the parameters the replacements fill, so pytest does not look for fixtures by them."""
    try:
        signature = inspect.signature(getattr(wrapper, "__wrapped__", wrapper))
    except (TypeError, ValueError):  # pragma: no cover - a callable without a signature
        return
    count = sum(1 for patching in patchings if patching._passes_value)
    parameters = list(signature.parameters.values())
    first = 1 if parameters and parameters[0].name in ("self", "cls") else 0
    kept = parameters[:first] + parameters[first + count :]
    wrapper.__dict__["__signature__"] = signature.replace(parameters=kept)


# -- attribute patches ---------------------------------------------------------


class _AttributePatch(Patch[T]):
    """Replaces one attribute: `patch()` and `patch.object()`."""

    def __init__(
        self,
        label: str,
        locate: Callable[[], tuple[object, str]],
        *,
        new: object,
        spec: object,
        strict: bool,
        scope: Scope,
    ) -> None:
        super().__init__(label)
        if scope not in ("global", "task"):
            raise ValueError(f"{label}: scope must be 'global' or 'task', not {scope!r}.")
        if strict and spec is False:
            raise TypeError(f"{label}: strict=True needs a spec'd replacement; drop spec=False.")
        if strict and new is not DEFAULT:
            raise TypeError(
                f"{label}: strict=True applies to the default replacement; "
                "pass either new= or strict=True, not both."
            )
        if spec is not True and new is not DEFAULT:
            given = _short(spec) if isinstance(spec, type) else repr(spec)
            raise TypeError(
                f"{label}: spec={given} shapes the fake that af.patch makes, but new= "
                "installs your own object as it is, so spec= would be ignored. Pass one of "
                "them: drop spec=, or drop new= to let af.patch make the fake."
            )
        self._locate = locate
        self._new = new
        self._spec = spec
        self._strict = strict
        self._scope: Scope = scope
        self._passes_value = new is DEFAULT
        # Set while applied.
        self._parent: object = None
        self._attribute = ""
        self._saved: object = _MISSING
        self._installed: object = None
        self._stored: object = None
        self._source: object = None
        self._visible: ContextVar[bool] | None = None
        self._live = False

    def _fresh(self) -> Self:
        return type(self)(
            self._label,
            self._locate,
            new=self._new,
            spec=self._spec,
            strict=self._strict,
            scope=self._scope,
        )

    def _replacement(self, parent: object, attribute: str, stored: object) -> Any:
        new = self._new
        if new is not DEFAULT:
            return new
        name = _name_of(parent, attribute)
        source = self._source = _spec_source(parent, attribute, stored)
        stack = _stacks.get((id(parent), attribute))
        if stack and stack[-1]._installed is stored:
            # Patching over one of our own patches: spec from what that one did.
            source = self._source = stack[-1]._source
        if self._spec is False or source is _Unspecced:
            return _unspecced(source, name)
        if self._spec is not True:
            return create_default(self._spec, strict=self._strict, name=name)
        return create_default(source, strict=self._strict, name=name)

    def _apply(self) -> T:
        label = self._label
        parent, attribute = self._locate()
        stored = _lookup(label, parent, attribute)
        value = self._replacement(parent, attribute, stored)
        installed = self._wrap(parent, attribute, stored, value)
        saved = _own_value(parent, attribute)
        # Everything is built before the one step that changes the target, so
        # a failure leaves nothing half-applied.
        _set(label, parent, attribute, installed, self._on_class)
        self._parent, self._attribute = parent, attribute
        self._saved, self._installed = saved, installed
        self._stored = stored
        self._live = True
        if self._visible is not None:
            self._visible.set(True)
        _stacks.setdefault((id(parent), attribute), []).append(self)
        return cast("T", value)

    def _wrap(self, parent: object, attribute: str, stored: object, value: object) -> object:
        """What is set on the target: the replacement, or a task-scoped router to it."""
        if self._scope == "global":
            return value
        if not _is_callable_attribute(stored):
            raise TypeError(
                f"{self._label}: scope='task' patches callables (functions, methods, "
                f"classes), and {_name_of(parent, attribute)} is {_kind(stored)}. "
                "Use scope='global' for a value."
            )
        self._visible = ContextVar(f"asyncfakes_patch_{id(self)}", default=False)
        return _FunctionWrapper(stored, self._route_task)

    def _route_task(
        self, wrapped: Callable[..., Any], instance: object, args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        visible = self._visible
        if not (self._live and visible is not None and visible.get()):
            return wrapped(*args, **kwargs)
        replacement: Any = self._value
        track = get_track(replacement)
        if track is None:
            return replacement(*args, **kwargs)
        count = len(track.records)
        try:
            return replacement(*args, **kwargs)
        finally:
            _relocate(track, count, _caller())

    def _undo(self) -> None:
        parent, attribute = self._parent, self._attribute
        self._live = False
        key = (id(parent), attribute)
        stack = _stacks.get(key, [])
        index = next((i for i in range(len(stack) - 1, -1, -1) if stack[i] is self), None)
        if index is not None and index < len(stack) - 1:
            # Stopped out of order: the patch above now restores what this one saved.
            above = stack[index + 1]
            above._saved = self._saved
            del stack[index]
            return
        if index is not None:
            del stack[index]
            if not stack:
                del _stacks[key]
        if self._saved is not _MISSING:
            setattr(parent, attribute, self._saved)
            return
        with contextlib.suppress(AttributeError):
            delattr(parent, attribute)
        if _own_value(parent, attribute) is _MISSING and not hasattr(parent, attribute):
            # A proxy that stores attributes elsewhere (a settings object, a
            # mock) lost the attribute with the delete: give it back.
            setattr(parent, attribute, self._stored)


def _is_callable_attribute(stored: object) -> bool:
    """True for what calling through the attribute would call (class and static methods too)."""
    return callable(stored) or isinstance(stored, (classmethod, staticmethod))


def _caller() -> FrameType:
    """The frame of the code that called into a wrapper (skipping wrapt and this module)."""
    frame = sys._getframe(2)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(
        (_WRAPT_MODULE, _THIS_MODULE)
    ):
        frame = frame.f_back
    return frame


def _relocate(track: Track, start: int, frame: FrameType) -> None:
    """Give the calls a router made on the user's behalf the user's call site."""
    here = _route_code
    for raw in track.records[start:]:
        if raw[CODE] is here:
            raw[CODE] = frame.f_code
            raw[LASTI] = frame.f_lasti


_route_code: CodeType = cast("Any", _AttributePatch)._route_task.__code__


# -- patch.dict ----------------------------------------------------------------


class _DictPatch(Patch[M]):
    """Sets items of a mapping and restores its whole content on undo."""

    _passes_value = False

    def __init__(
        self,
        label: str,
        in_dict: M | str,
        values: Mapping[Any, Any] | Iterable[tuple[Any, Any]],
        clear: bool,
        kwargs: Mapping[str, Any],
    ) -> None:
        super().__init__(label)
        self._in_dict = in_dict
        updates: dict[Any, Any] = dict(values)
        updates.update(kwargs)
        self._updates = updates
        self._clear = clear
        self._target: M | None = None
        self._original: dict[Any, Any] = {}

    def _fresh(self) -> Self:
        return type(self)(self._label, self._in_dict, self._updates, self._clear, {})

    def _apply(self) -> M:
        target = self._in_dict
        if isinstance(target, str):
            path = target
            parent, attribute = _resolve_target(self._label, target)
            target = cast("M", _lookup(self._label, parent, attribute))
            found = cast("object", target)
            if not (hasattr(found, "__setitem__") and hasattr(found, "keys")):
                raise TypeError(
                    f"{self._label}: {path} is a {type(found).__name__}, not a mapping; "
                    "patch.dict() sets items of a dict or another mutable mapping "
                    "(such as os.environ)."
                )
        original: dict[Any, Any] = {key: target[key] for key in target}
        try:
            if self._clear:
                _clear_mapping(target)
            for key, value in self._updates.items():
                target[key] = value
        except BaseException:
            _restore_mapping(target, original)
            raise
        self._target, self._original = target, original
        return target

    def _undo(self) -> None:
        target = self._target
        assert target is not None
        _restore_mapping(target, self._original)
        self._target, self._original = None, {}


def _clear_mapping(target: MutableMapping[Any, Any]) -> None:
    try:
        target.clear()
    except AttributeError:  # pragma: no cover - a mapping without clear()
        for key in list(target):
            del target[key]


def _restore_mapping(target: MutableMapping[Any, Any], original: Mapping[Any, Any]) -> None:
    _clear_mapping(target)
    for key, value in original.items():
        target[key] = value


# -- spies ---------------------------------------------------------------------


class _Lazy:
    """The resolver of one spied coroutine call: it runs the real one when awaited."""

    __slots__ = ("args", "kwargs", "real")

    def __init__(self, real: Callable[..., Any], args: tuple[Any, ...], kwargs: Any) -> None:
        self.real, self.args, self.kwargs = real, args, kwargs

    def resolve_call(self, raw: list[Any]) -> Any:
        return Deferred(self.real(*self.args, **self.kwargs))


class _Made:
    """The resolver of a spied coroutine call whose real coroutine already exists."""

    __slots__ = ("coroutine",)

    def __init__(self, coroutine: Any) -> None:
        self.coroutine = coroutine

    def resolve_call(self, raw: list[Any]) -> Any:
        return Deferred(self.coroutine)


class Spy:
    """The record of a spied attribute: the real attribute runs, and its calls land in the core.

    Created by `af.spy()`. Pass it to `af.calls()`, `af.verify()`,
    `af.max_concurrency()` or `af.wait_for_calls()`. Calling the spy itself
    calls the spied attribute (and is recorded). Its calls' arguments exclude
    `self` (and `cls`), as a fake's do; a spied async generator's `result` is
    the list of items it yielded.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> class Repo:
        ...     async def save(self, item):
        ...         return f"saved {item}"
        >>> spy = af.spy(Repo, "save")
        >>> asyncio.run(Repo().save("a"))
        'saved a'
        >>> af.verify(spy).awaited_once_with("a")
        >>> af.calls(spy)[0].result
        'saved a'
        >>> spy.stop()
    """

    _af_is_async: ClassVar[bool | None] = False
    # How messages of lower layers (a forgotten-await report) tell a spy's call
    # from a fake's, without importing this module.
    _af_spied: ClassVar[bool] = True

    def __init__(self, name: str, original: object, patching: _SpyPatch) -> None:
        self.__dict__[TRACK_ATTR] = Track(name)
        self._patch = patching
        self._through: Callable[..., Any] | None = None
        self.__wrapped__ = original

    @property
    def name(self) -> str:
        """The spied attribute's dotted name, as used in messages."""
        track: Track = self.__dict__[TRACK_ATTR]
        return track.name

    @property
    def original(self) -> object:
        """The spied attribute as it was before the spy."""
        return self.__wrapped__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the spied attribute through the spy (recorded)."""
        through = self._through
        if through is None:  # pragma: no cover - set as soon as the spy is installed
            raise RuntimeError(f"af.spy({self.name}) is not installed")
        return through(*args, **kwargs)

    def stop(self) -> None:
        """Remove the spy: the attribute is the original again.

        Raises:
            RuntimeError: the spy was stopped already.
        """
        self._patch.stop()

    def __repr__(self) -> str:
        track: Track = self.__dict__[TRACK_ATTR]
        return f"<Spy {track.name}: {plural(len(track.records), 'call')}>"


class _AsyncSpy(Spy):
    __doc__ = Spy.__doc__
    _af_is_async: ClassVar[bool | None] = True


class _AsyncGenSpy(Spy):
    __doc__ = Spy.__doc__
    _af_is_async: ClassVar[bool | None] = None


def _function_of(stored: object) -> object:
    """The function behind a stored attribute (static, class and bound methods unwrapped)."""
    if isinstance(stored, (staticmethod, classmethod, types.MethodType)):
        return cast("Any", stored).__func__
    return stored


def _bound_signature(parent: object, stored: object) -> inspect.Signature | None:
    """The signature a spied callable is called with (self and cls excluded)."""
    try:
        function = cast("Callable[..., Any]", _function_of(stored))
        if not isinstance(parent, type) or not (
            inspect.isfunction(stored) or isinstance(stored, classmethod)
        ):
            return inspect.signature(function if isinstance(stored, staticmethod) else stored)  # type: ignore[arg-type]
        signature = inspect.signature(function)
        return signature.replace(parameters=list(signature.parameters.values())[1:])
    except (TypeError, ValueError):  # pragma: no cover - a callable without a signature
        return None


class _SpyPatch(_AttributePatch[Spy]):
    """Installs a `wrapt.FunctionWrapper` around the real attribute that records its calls."""

    _noun: ClassVar[str] = "spy"
    _once: ClassVar[str] = "A spy is stopped once."
    _on_class: ClassVar[str] = (
        "Spy on the class instead, which records the calls of every instance: "
        "af.spy({owner}, {attribute})."
    )

    def __init__(self, label: str, obj: object, attribute: str) -> None:
        super().__init__(
            label, lambda: (obj, attribute), new=DEFAULT, spec=True, strict=False, scope="global"
        )
        self._passes_value = True
        self._signature: inspect.Signature | None = None

    def _fresh(self) -> Self:
        raise NotImplementedError  # a spy is installed at once, never as a decorator

    def _replacement(self, parent: object, attribute: str, stored: object) -> Any:
        if not _is_callable_attribute(stored):
            raise TypeError(
                f"{self._label}: {_name_of(parent, attribute)} is {_kind(stored)}, not a "
                "callable; a spy records calls. To replace a value, use "
                f"af.patch.object({_short(parent)}, {attribute!r}, new=...)."
            )
        # A patch applied over the spy is spec'd from what the spy wraps.
        self._source = _spec_source(parent, attribute, stored)
        function = _function_of(stored)
        name = _name_of(parent, attribute)
        kind: type[Spy]
        self._signature = _bound_signature(parent, stored)
        if inspect.isasyncgenfunction(function):
            kind, record = _AsyncGenSpy, self._record_async_gen
        elif _is_async_function(function):
            kind, record = _AsyncSpy, self._record_async
        else:
            kind, record = Spy, self._record_sync
        spy = kind(name, getattr(parent, attribute), self)
        self._spy = spy
        self._record = record
        return spy

    def _wrap(self, parent: object, attribute: str, stored: object, value: object) -> object:
        return _FunctionWrapper(stored, self._record)

    def _apply(self) -> Spy:
        spy = super()._apply()
        spy._through = getattr(self._parent, self._attribute)
        return spy

    def _record_sync(
        self, wrapped: Callable[..., Any], instance: object, args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        if not self._live:
            return wrapped(*args, **kwargs)
        spy = self._spy
        raw = new_record(spy.__dict__[TRACK_ATTR], spy, args, kwargs, _caller())
        raw[BOUND] = _bind(self._signature, args, kwargs)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as error:
            fail(raw, error)
            raise
        finish(raw, result)
        return result

    def _record_async(
        self, wrapped: Callable[..., Any], instance: object, args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        if not self._live:
            return wrapped(*args, **kwargs)
        spy = self._spy
        raw = new_record(spy.__dict__[TRACK_ATTR], spy, args, kwargs, _caller())
        signature = self._signature
        if signature is not None:
            raw[BOUND] = _bind(signature, args, kwargs)
            if raw[BOUND] is None:
                # The real function raises at call time; let it word the error.
                # (When it does not, its signature said less than it takes: the
                # coroutine it made is the call's.)
                try:
                    coroutine = wrapped(*args, **kwargs)
                except BaseException as error:
                    fail(raw, error)
                    raise
                raw[AWAITABLE] = awaitable = run_awaited(raw, _Made(coroutine))
                return awaitable
        # The real coroutine is created when the call is awaited: one that is
        # never awaited is closed by the Sandbox and leaves no warning behind.
        raw[AWAITABLE] = awaitable = run_awaited(raw, _Lazy(wrapped, args, kwargs))
        return awaitable

    def _record_async_gen(
        self, wrapped: Callable[..., Any], instance: object, args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        if not self._live:
            return wrapped(*args, **kwargs)
        spy = self._spy
        raw = new_record(spy.__dict__[TRACK_ATTR], spy, args, kwargs, _caller())
        raw[BOUND] = _bind(self._signature, args, kwargs)
        try:
            source = wrapped(*args, **kwargs)
        except BaseException as error:
            fail(raw, error)
            raise
        return _record_items(raw, source)


def _bind(
    signature: inspect.Signature | None, args: tuple[Any, ...], kwargs: Any
) -> inspect.BoundArguments | None:
    """A spied call's arguments bound to the real signature (defaults applied), as a fake's are.

    So `af.verify(spy).called_with(...)` matches `f("a")` and `f(x="a")` alike.
    None when the call does not fit the signature (the real callable words the error).
    """
    if signature is None:
        return None
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    return bound


async def _record_items(raw: list[Any], source: Any) -> AsyncGenerator[Any, Any]:
    """Pass an async generator's items through, recording them (and asend/athrow/aclose)."""
    items: list[Any] = []
    begin_await(raw)
    try:
        item = await source.__anext__()
        while True:
            items.append(item)
            try:
                sent = yield item
            except GeneratorExit:
                raise
            except BaseException as thrown:
                item = await source.athrow(thrown)
            else:
                item = await (source.__anext__() if sent is None else source.asend(sent))
    except StopAsyncIteration:
        finish(raw, items)
    except GeneratorExit as closing:
        await source.aclose()
        fail(raw, closing)
        raw[RESULT] = items
        raise
    except BaseException as error:
        fail(raw, error)
        raw[RESULT] = items
        raise


# -- the public entry points ---------------------------------------------------


# What unittest.mock.patch takes and af.patch does not, with what to do instead.
_UNITTEST_OPTIONS: Final = {
    "return_value": "set it on the replacement: `with {label} as fake: fake.return_value = ...`",
    "side_effect": "set it on the replacement: `with {label} as fake: fake.side_effect = ...`",
    "new_callable": "pass the replacement itself: new=af.AsyncFake() (or any object)",
    "autospec": "the replacement is spec'd from the original already (spec=True)",
    "spec_set": "the spec'd replacement already refuses attributes the original lacks",
    "create": "af.patch replaces attributes that exist; add a missing one with "
    "af.patch.dict(vars(module), {{'name': value}})",
}


def _refuse_options(label: str, options: dict[str, object]) -> None:
    """Keyword arguments `af.patch` does not take: say which, and what to do instead."""
    if not options:
        return
    name = next(iter(options))
    hint = _UNITTEST_OPTIONS.get(name)
    if hint is None:
        close = suggest(name, ("new", "spec", "strict", "scope"), limit=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        raise TypeError(
            f"{label}: unexpected keyword argument {name!r}{guess}; af.patch takes new=, "
            "spec=, strict= and scope=."
        )
    raise TypeError(
        f"{label}: af.patch has no {name}= (a unittest.mock.patch option); "
        f"{hint.format(label=label)}."
    )


class Patcher:
    """`af.patch`: replace an attribute with a spec'd fake for a while.

    `af.patch(target, new=DEFAULT, *, spec=True, strict=False, scope="global")`
    replaces the attribute named by the dotted path `target` (as the code under
    test looks it up). By default the replacement is a fake spec'd from the
    original: an async original gives an awaitable fake, an async generator
    function an async iterator fake, an ``@asynccontextmanager`` function a
    context manager fake, a class a callable that returns a fake instance.
    `spec=False` gives an unspec'd fake of the original's kind; `spec=obj`
    specs it from `obj`; `new=value` uses `value` itself. `strict=True` makes
    unstubbed calls raise `UnstubbedCallError`.

    `scope="task"` makes the patch visible only to the task that applied it
    and the tasks it creates afterwards (context variables); other tasks
    still call the original. It applies to callables.

    The result is a `Patch`: a context manager (sync and async), a decorator
    (sync and async functions, test classes) and `start()`/`stop()`.
    `af.patch.object(obj, attribute, ...)` patches an attribute of an object,
    `af.patch.dict(mapping, values, clear=False, **items)` sets items of a
    mapping, and `af.patch.stopall()` undoes every started patch and spy that
    no `Sandbox` owns.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> async def main():
        ...     with af.patch("asyncio.to_thread") as to_thread:
        ...         await asyncio.to_thread(print, "hello")
        ...     return to_thread
        >>> to_thread = asyncio.run(main())
        >>> af.verify(to_thread).awaited_once_with(print, "hello")
    """

    DEFAULT: Final = DEFAULT

    def __init__(self, prefix: str = "af.patch") -> None:
        self._prefix = prefix

    @overload
    def __call__(
        self,
        target: str,
        *,
        spec: object = ...,
        strict: bool = ...,
        scope: Scope = ...,
    ) -> Patch[Any]: ...
    @overload
    def __call__(
        self,
        target: str,
        new: T,
        *,
        spec: object = ...,
        strict: bool = ...,
        scope: Scope = ...,
    ) -> Patch[T]: ...
    def __call__(
        self,
        target: str,
        new: object = DEFAULT,
        *,
        spec: object = True,
        strict: bool = False,
        scope: Scope = "global",
        **unittest_options: object,
    ) -> Patch[Any]:
        _refuse_options(f"{self._prefix}({target!r})", unittest_options)
        given = cast("object", target)
        if not isinstance(given, str):
            raise TypeError(
                f"{self._prefix}() takes the dotted path of the target as a string, such as "
                f"'app.services.fetch_user', but got {_kind(target)}: {_short(target)}. "
                f"To patch an attribute of an object, use {self._prefix}.object(obj, 'name')."
            )
        label = f"{self._prefix}({target!r})"
        dotted = _ensure_dotted(label, target)
        return _AttributePatch(
            label,
            lambda: _resolve_target(label, dotted),
            new=new,
            spec=spec,
            strict=strict,
            scope=scope,
        )

    @overload
    def object(
        self,
        obj: object,
        attribute: str,
        *,
        spec: object = ...,
        strict: bool = ...,
        scope: Scope = ...,
    ) -> Patch[Any]: ...
    @overload
    def object(
        self,
        obj: object,
        attribute: str,
        new: T,
        *,
        spec: object = ...,
        strict: bool = ...,
        scope: Scope = ...,
    ) -> Patch[T]: ...
    def object(
        self,
        obj: object,
        attribute: str,
        new: object = DEFAULT,
        *,
        spec: object = True,
        strict: bool = False,
        scope: Scope = "global",
        **unittest_options: object,
    ) -> Patch[Any]:
        """Patch `attribute` of `obj` (a class, an instance or a module); see `af.patch`.

        Example:
            >>> import asyncfakes as af
            >>> class Repo:
            ...     def count(self) -> int:
            ...         return 42
            >>> with af.patch.object(Repo, "count", new=lambda: 0):
            ...     Repo.count()
            0
            >>> Repo().count()
            42
        """
        label = f"{self._prefix}.object({_short(obj)}, {attribute!r})"
        _refuse_options(label, unittest_options)
        name = cast("object", attribute)
        if not isinstance(name, str):
            raise TypeError(
                f"{self._prefix}.object() takes the attribute's name as a string, "
                f"but got {_kind(attribute)}."
            )
        return _AttributePatch(
            label, lambda: (obj, attribute), new=new, spec=spec, strict=strict, scope=scope
        )

    @overload
    def dict(
        self,
        in_dict: str,
        values: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = ...,
        clear: bool = ...,
        **kwargs: Any,
    ) -> Patch[MutableMapping[Any, Any]]: ...
    @overload
    def dict(
        self,
        in_dict: M,
        values: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = ...,
        clear: bool = ...,
        **kwargs: Any,
    ) -> Patch[M]: ...
    def dict(
        self,
        in_dict: MutableMapping[Any, Any] | str,
        values: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = (),
        clear: bool = False,
        **kwargs: Any,
    ) -> Patch[Any]:
        """Set items of a mapping (or of the one a dotted path names); restore all of it after.

        The same arguments and behaviour as `unittest.mock.patch.dict`; the
        patch also works with `async with`, and `stopall()` and a `Sandbox`
        undo it when started.

        Example:
            >>> import os, asyncfakes as af
            >>> with af.patch.dict(os.environ, {"APP_MODE": "test"}):
            ...     os.environ["APP_MODE"]
            'test'
            >>> "APP_MODE" in os.environ
            False
        """
        given = cast("object", in_dict)
        if isinstance(in_dict, str):
            label = f"{self._prefix}.dict({in_dict!r})"
            _ensure_dotted(label, in_dict)
        elif isinstance(given, MutableMapping):
            label = f"{self._prefix}.dict({_short(in_dict)})"
        else:
            raise TypeError(
                f"{self._prefix}.dict() takes a mutable mapping or the dotted path of one, "
                f"but got {_kind(in_dict)}: {_short(in_dict)}."
            )
        return _DictPatch(label, in_dict, values, clear, kwargs)

    def stopall(self) -> None:
        """Undo every started patch and spy that no Sandbox owns, the latest first.

        The pytest plugin calls it after each test.

        Example:
            >>> import json, asyncfakes as af
            >>> _ = af.patch.object(json, "dumps").start()
            >>> af.patch.stopall()
            >>> json.dumps(1)
            '1'
        """
        first: BaseException | None = None
        while _started:
            patching = _started[-1]
            try:
                patching.stop()
            except Exception as error:  # pragma: no cover - undo of a foreign change
                first = first or error
                if _started and _started[-1] is patching:
                    _started.pop()
        if first is not None:  # pragma: no cover
            raise first

    def __repr__(self) -> str:
        return f"<{self._prefix}>"


patch: Final = Patcher()


def create_spy(label: str, obj: object, attribute: str, registry: list[Patch[Any]] | None) -> Spy:
    """Install a spy on `obj.attribute`, owned by `registry` (None: `stopall()`)."""
    name = cast("object", attribute)
    if not isinstance(name, str):
        raise TypeError(f"{label}: the attribute's name must be a string, not {_kind(attribute)}.")
    patching = _SpyPatch(label, obj, attribute)
    patching._registry = registry
    return patching.start()


def spy(obj: object, attribute: str) -> Spy:
    """Spy on `obj.attribute`: the real attribute still runs, and its calls are recorded.

    The spy is installed at once, wrapped with `wrapt` so the attribute keeps
    its signature, its `inspect` answers and its binding (instance, class,
    static, async and async generator methods). It stays until `spy.stop()`,
    `af.patch.stopall()` (the pytest plugin calls it after each test) or the
    exit of the `Sandbox` it was made with (`sb.spy(...)`).

    Args:
        obj: a class, an instance or a module.
        attribute: the name of a callable attribute of `obj`.

    Returns:
        The `Spy`: pass it to `af.calls()` or `af.verify()`.

    Raises:
        AttributeError: `obj` has no such attribute (the message suggests close names).
        TypeError: the attribute is not callable.

    Example:
        >>> import json, asyncfakes as af
        >>> spy = af.spy(json, "dumps")
        >>> json.dumps([1])
        '[1]'
        >>> af.verify(spy).called_once_with([1])
        >>> spy.stop()
    """
    return create_spy(f"af.spy({_short(obj)}, {attribute!r})", obj, attribute, None)


def is_spy(value: object) -> bool:
    """True for the object `spy()` returns."""
    return isinstance(value, Spy)
