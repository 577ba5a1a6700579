"""`when()`: stub what a fake's calls give, as outcome scripts.

``af.when(client.get).called_with("https://a").returns(resp)`` adds a *rule*
to the fake: the arguments it matches (any, or those given to
`called_with`, compared with ``==`` so `unittest.mock.ANY` and dirty-equals
matchers work) and a *script* of outcomes, one verb each: `returns`,
`raises`, `runs`, `yields`, `enters`, `hangs`, `after` (latency before the
next outcome) and `times` (the previous outcome serves that many calls).
Each matching call consumes one outcome; the last one repeats forever, unless
`times` limited it, after which the rule is used up. The most recently added
matching rule wins.

Every rule needs an outcome: while a rule of a fake has none, the fake refuses
its calls (`_Incomplete` stands in for the rules as its stubbing hook, so a
fake whose rules are complete pays nothing for the check).

Statically, `Stub` is generic in the stubbed member's type, and each verb
reads what it needs from it through the type of ``self``: `called_with`
takes the real parameters, `returns` the (awaited) return type, `yields` the
item type, `enters` the entered type. `when` itself is not overloaded, so a
member whose signature mentions `Any` keeps its types under mypy.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import sys
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, Protocol, TypeVar, cast, overload

from typing_extensions import ParamSpec, Self

from ._cm import FakeAsyncContext, bind_to_call
from ._errors import SpecTypeError
from ._fake import configuration_hooks, is_fake, reset_hooks
from ._format import (
    describe_object,
    format_args,
    format_argument_differences,
    format_call,
    format_site,
)
from ._iter import FakeAsyncIterator
from ._recorder import BOUND
from ._spec import BindError, Kind, MemberSpec, is_instance_of, type_has
from ._specfake import (
    DEFAULT,
    AwaitableAttribute,
    create_awaitable_iterator,
    entered_value,
    fake_name,
    get_table,
    member_of,
    options_of,
    set_table,
)

__all__ = ["Stub", "when"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
E_co = TypeVar("E_co", covariant=True)
R = TypeVar("R")
Y = TypeVar("Y")
E = TypeVar("E")
P = ParamSpec("P")

_get_running_loop = asyncio.events._get_running_loop


class SupportsAsyncEnter(Protocol[E_co]):
    """Anything ``async with`` can enter, giving an `E_co`."""

    def __aenter__(self) -> Awaitable[E_co]: ...


# What a stubbed fake's calls give, by what the fake is.
_AWAIT = "await"
_SYNC = "sync"
_ITER = "iter"
_CONTEXT = "context"
_HYBRID = "hybrid"
_AWAIT_ITER = "awaitable iterable"
_PLAIN_SYNC = "plain sync"

_KIND_SHAPE = {
    Kind.ASYNC: _AWAIT,
    Kind.AWAITABLE_PROPERTY: _AWAIT,
    Kind.SYNC: _SYNC,
    Kind.ASYNC_GEN: _ITER,
    Kind.ASYNC_CM: _CONTEXT,
    Kind.HYBRID: _HYBRID,
    Kind.AWAITABLE_ITER: _AWAIT_ITER,
    # Not callable: `when()` never sees them, but the table covers every kind.
    Kind.PROPERTY: _SYNC,
    Kind.ATTRIBUTE: _SYNC,
}

_RETURN = "returns"
_RAISE = "raises"
_RUN = "runs"
_YIELD = "yields"
_ENTER = "enters"
_HANG = "hangs"
_WAIT = "after"


class _Step:
    """One outcome of a script."""

    __slots__ = ("count", "delay", "error", "kind", "used", "value")

    def __init__(self, kind: str, value: Any = None, delay: float = 0.0) -> None:
        self.kind = kind
        self.value = value
        self.error: BaseException | type[BaseException] | None = None
        self.delay = delay
        self.count: int | None = None
        self.used = 0

    def describe(self) -> str:
        kind = self.kind
        if kind == _WAIT:
            text = f"after({self.delay:g})"
        else:
            text = f"after({self.delay:g})." if self.delay else ""
            if kind in (_RETURN, _ENTER):
                text += f"{kind}({format_args((self.value,), {})})"
            elif kind == _RAISE:
                text += f"raises({_error_text(self.error)})"
            elif kind == _RUN:
                text += f"runs({_callable_name(self.value)})"
            elif kind == _YIELD:
                text += f"yields({format_args(tuple(self.value), {})})"
                if self.error is not None:
                    text += f".raises({_error_text(self.error)})"
            else:
                text += "hangs()"
        if self.count is not None:
            text += f".times({self.count})"
        return text


def _error_text(error: object) -> str:
    return error.__name__ if isinstance(error, type) else repr(error)


class _Rule:
    """The calls a rule matches, and its script."""

    __slots__ = ("args", "expected", "index", "kwargs", "steps")

    def __init__(
        self, expected: object, args: tuple[Any, ...] | None, kwargs: dict[str, Any]
    ) -> None:
        self.expected = expected
        self.args = args
        self.kwargs = kwargs
        self.steps: list[_Step] = []
        self.index = 0

    def matches(self, actual: object) -> bool:
        if self.args is None:
            return True
        try:
            return bool(self.expected == actual)
        except Exception:  # a matcher that cannot compare with this value does not match
            return False

    def take(self) -> _Step | None:
        """The outcome for the next call, or None when the script is used up."""
        steps = self.steps
        index = self.index
        if index == len(steps):
            return None
        step = steps[index]
        if step.count is None:
            if index < len(steps) - 1:  # the last outcome repeats; the others serve one call
                self.index = index + 1
            return step
        step.used += 1
        if step.used == step.count:
            self.index = index + 1
        return step

    def describe(self, actual: object = None) -> str:
        """The rule as written; with the bound arguments of a call it missed, how they differ."""
        match = (
            "any arguments"
            if self.args is None
            else f"called_with({format_args(self.args, self.kwargs)})"
        )
        script = ".".join(step.describe() for step in self.steps)
        used = "  (used up)" if self.index >= len(self.steps) else ""
        expected = self.expected
        if isinstance(actual, dict) and isinstance(expected, dict):
            differs = format_argument_differences(
                cast("dict[str, Any]", expected), cast("dict[str, Any]", actual)
            )
            if differs:
                used += f"\n     this call differs: {differs}"
        return f"{match}: {script}{used}"


class _Table:
    """The rules of one fake; called by the fake for every call (its stubbing hook)."""

    __slots__ = (
        "guard",
        "incomplete",
        "member",
        "rules",
        "shape",
        "target",
        "typecheck",
    )

    def __init__(self, target: Any, member: MemberSpec | None, shape: str, typecheck: bool) -> None:
        self.target: Any = target
        self.member: MemberSpec | None = member
        self.shape: str = shape
        self.typecheck: bool = typecheck
        self.rules: list[_Rule] = []
        # The stubs started on this fake that have no outcome yet; while there
        # is one, `guard` stands in for the table as the fake's stubbing hook.
        self.incomplete: list[Stub[Any]] = []
        self.guard: _Incomplete = _Incomplete(self)

    def describe(self, actual: object = None) -> list[str]:
        """One entry per rule, latest first (see `_Rule.describe` for `actual`)."""
        return [rule.describe(actual) for rule in reversed(self.rules)]

    def __call__(
        self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any], raw: list[Any]
    ) -> Any:
        # A spec'd member's call was bound to the real signature before it got here.
        bound = raw[BOUND]
        actual: object = bound.arguments if bound is not None else (args, kwargs)
        for rule in reversed(self.rules):
            if rule.matches(actual):
                step = rule.take()
                if step is not None:
                    return self._apply(step, target, raw, args, kwargs)
        return DEFAULT

    # -- outcomes -----------------------------------------------------------

    def _apply(
        self,
        step: _Step,
        target: Any,
        raw: list[Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        shape = self.shape
        name = fake_name(target)
        if shape == _AWAIT:
            return self._awaited(step, raw, args, kwargs)
        if shape == _AWAIT_ITER:
            return self._awaited_or_iterated(step, target, raw, args, kwargs)
        if shape == _ITER or (shape == _PLAIN_SYNC and step.kind == _YIELD):
            return self._iterated(step, name, raw, args, kwargs)
        if shape in (_CONTEXT, _HYBRID) or (shape == _PLAIN_SYNC and step.kind == _ENTER):
            return self._entered(step, name, raw, args, kwargs)
        # A sync call: after() and hangs() are refused, so returns, raises or runs.
        kind = step.kind
        if kind == _RAISE:
            raise _instance(step.error)
        if kind == _RUN:
            result = step.value(*args, **kwargs)
            self._check_result(result, f"af.when({name}).runs({_callable_name(step.value)})")
        else:
            result = step.value
        bind_to_call(result, raw)
        return result

    def _awaited(
        self, step: _Step, raw: list[Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        kind = step.kind
        if kind == _RETURN and not step.delay:
            value = step.value
            bind_to_call(value, raw)
            # The fake awaits an awaitable outcome: a stubbed awaitable value is
            # handed over as it is, inside one that is ready.
            return _Ready(value) if type_has(value, "__await__") else value
        if kind == _RAISE and not step.delay:
            raise _instance(step.error)
        return self._awaited_later(step, raw, args, kwargs)

    async def _awaited_later(
        self, step: _Step, raw: list[Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if step.delay:
            await _sleep(step.delay)
        kind = step.kind
        if kind == _WAIT:
            return DEFAULT
        if kind == _HANG:
            await _sleep_forever()
        if kind == _RAISE:
            raise _instance(step.error)
        if kind == _RUN:
            function = step.value
            result = function(*args, **kwargs)
            if inspect.iscoroutine(result) or inspect.iscoroutinefunction(function):
                result = await result
            self._check_result(
                result, f"af.when({fake_name(self.target)}).runs({_callable_name(function)})"
            )
        else:
            result = step.value
        bind_to_call(result, raw)
        return result

    def _iterated(
        self,
        step: _Step,
        name: str,
        raw: list[Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        kind = step.kind
        label = f"{name}()"
        if kind == _YIELD:
            return FakeAsyncIterator(step.value, delay=step.delay, error=step.error, name=label)
        if kind == _RAISE:
            return FakeAsyncIterator((), delay=step.delay, error=step.error, name=label)
        if kind == _HANG:
            return _hanging_iterator()
        if kind == _WAIT:
            return FakeAsyncIterator((), delay=step.delay, name=label)
        result = step.value(*args, **kwargs) if kind == _RUN else step.value
        bind_to_call(result, raw)
        return result

    def _awaited_or_iterated(
        self,
        step: _Step,
        target: Any,
        raw: list[Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        """A call whose result is awaited (a value) or iterated (items): asyncpg's cursor()."""
        kind, delay, error = step.kind, step.delay, step.error
        if kind == _YIELD:
            return create_awaitable_iterator(
                target, args, kwargs, items=step.value, delay=delay, error=error
            )
        if kind in (_RAISE, _HANG, _WAIT):
            return create_awaitable_iterator(
                target,
                args,
                kwargs,
                delay=delay,
                error=error,
                awaits="raises" if kind == _RAISE else "hangs" if kind == _HANG else "default",
            )
        result = step.value(*args, **kwargs) if kind == _RUN else step.value
        # A value both awaitable and async-iterable stands for the real result itself.
        whole = type_has(result, "__await__") and type_has(result, "__aiter__")
        if kind == _RUN and not whole:
            self._check_result(
                result, f"af.when({fake_name(target)}).runs({_callable_name(step.value)})"
            )
        bind_to_call(result, raw)
        if whole:
            return _DelayedAwaitableIterable(result, delay) if delay else result
        return create_awaitable_iterator(
            target, args, kwargs, delay=delay, awaits="value", value=result, stubbed_with=kind
        )

    def _entered(
        self,
        step: _Step,
        name: str,
        raw: list[Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        kind = step.kind
        awaitable = self.shape != _CONTEXT
        label = f"{name}()"
        before = _before(step)
        if kind == _ENTER:
            return _StubbedContext(step.value, awaitable=awaitable, name=label, before=before)
        if kind in (_RAISE, _HANG, _WAIT):
            # Only a spec'd member's shape takes these (a MagicFake refuses them).
            entered = entered_value(self.target)
            return _StubbedContext(entered, awaitable=awaitable, name=label, before=before)
        result = step.value(*args, **kwargs) if kind == _RUN else step.value
        hybrid = self.shape == _HYBRID
        if hybrid and not type_has(result, "__aenter__"):
            return _StubbedContext(result, awaitable=True, name=label, before=before)
        bind_to_call(result, raw)
        if hybrid and not type_has(result, "__await__"):
            # An async context manager only (aiohttp's response): `await` must
            # give it too, as it gives what the real member's awaitable gives.
            return _AwaitableDelegate(result, before)
        if before is not None:
            return _AwaitableDelegate(result, before) if hybrid else _Delegate(result, before)
        return result

    def _check_result(self, result: object, what: str) -> None:
        if not self.typecheck or self.member is None:
            return
        check = self.member.result_check()
        if check is not None and not is_instance_of(result, check[0]):
            raise SpecTypeError(
                f"{what} gave {result!r}: {self.member.qualname} gives {check[1]}, "
                f"not {type(result).__name__} (typecheck=True)"
            )


def _callable_name(function: object) -> str:
    """A function as written in a test: `compute`, `Pricing.total`, not `test.<locals>.compute`."""
    name = getattr(function, "__qualname__", None)
    if not isinstance(name, str):
        return repr(function)
    return name.rpartition("<locals>.")[2]


def _instance(error: BaseException | type[BaseException] | None) -> BaseException:
    if isinstance(error, BaseException):
        return error
    assert error is not None
    return error()


class _Ready:
    """An awaitable that gives `value` at once (a stubbed value that is itself awaitable)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, None, Any]:
        return self.value
        yield  # a generator: completes without suspending


async def _sleep(seconds: float) -> None:
    if _get_running_loop() is not None:
        await asyncio.sleep(seconds)
    else:  # no asyncio loop: trio (through anyio or directly)
        import trio

        await trio.sleep(seconds)


async def _sleep_forever() -> None:
    loop = _get_running_loop()
    if loop is not None:
        await loop.create_future()
    else:
        import trio

        await trio.sleep_forever()


async def _hanging_iterator() -> AsyncIterator[Any]:
    await _sleep_forever()
    yield  # pragma: no cover - never reached


def _before(step: _Step) -> Callable[[], Awaitable[None]] | None:
    """What entering (or awaiting) a stubbed context does first: wait, hang or raise."""
    kind, delay, error = step.kind, step.delay, step.error

    if kind == _HANG:

        async def hang() -> None:
            if delay:
                await _sleep(delay)
            await _sleep_forever()

        return hang
    if kind == _RAISE:

        async def fail() -> None:
            if delay:
                await _sleep(delay)
            raise _instance(error)

        return fail
    if delay:

        async def wait() -> None:
            await _sleep(delay)

        return wait
    return None


class _StubbedContext(FakeAsyncContext[T]):
    """A stubbed context: entering (and awaiting, when awaitable) first runs `before`."""

    def __init__(
        self, enter: T, *, awaitable: bool, name: str, before: Callable[[], Awaitable[None]] | None
    ) -> None:
        super().__init__(enter, awaitable=awaitable, name=name, on_enter=before)
        self._before = before

    def __await__(self) -> Generator[Any, None, T]:
        before = self._before
        if before is not None and self._awaitable:
            yield from before().__await__()
        return (yield from super().__await__())


class _Delegate:
    """A context manager given by `runs()`/`returns()`, entered after the rule's `after()` wait."""

    __slots__ = ("_before", "_context")

    def __init__(self, context: Any, before: Callable[[], Awaitable[None]] | None) -> None:
        self._context = context
        self._before = before

    async def __aenter__(self) -> Any:
        before = self._before
        if before is not None:
            await before()
        return await self._context.__aenter__()

    async def __aexit__(self, *exc_info: object) -> Any:
        return await self._context.__aexit__(*exc_info)

    def __repr__(self) -> str:
        return f"<stubbed context of {self._context!r}>"


class _AwaitableDelegate(_Delegate):
    """The same, for an awaitable context member: awaiting gives the value (awaited if it can)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Any]:
        before = self._before
        if before is not None:
            yield from before().__await__()
        context = self._context
        if type_has(context, "__await__"):
            awaitable: Awaitable[Any] = context
            return (yield from awaitable.__await__())
        return context


class _DelayedAwaitableIterable:
    """An awaitable async iterable given by `runs()`/`returns()`, used after `after()` waits."""

    __slots__ = ("_delay", "_value")

    def __init__(self, value: Any, delay: float) -> None:
        self._value = value
        self._delay = delay

    def __await__(self) -> Generator[Any, None, Any]:
        yield from _sleep(self._delay).__await__()
        awaitable: Awaitable[Any] = self._value
        return (yield from awaitable.__await__())

    async def __aiter__(self) -> AsyncIterator[Any]:
        await _sleep(self._delay)
        async for item in self._value:
            yield item

    def __repr__(self) -> str:
        return f"<stubbed awaitable async iterable {self._value!r}>"


class _Incomplete:
    """A fake's stubbing hook while a rule of it has no outcome yet: it refuses the call.

    Installed in the table's place only then, so that a fake whose rules are
    complete pays nothing for the check.
    """

    __slots__ = ("table",)

    def __init__(self, table: _Table) -> None:
        self.table: _Table = table

    def __call__(
        self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any], raw: list[Any]
    ) -> Any:
        table = self.table
        name = fake_name(target)
        stubs = table.incomplete
        if len(stubs) == 1:
            head = f"a rule of {name} was started but has no outcome (it would be ignored):"
            fix = "End it with an outcome"
        else:
            head = (
                f"{len(stubs)} rules of {name} were started but have no outcome "
                "(they would be ignored):"
            )
            fix = "End each with an outcome"
        lines = [f"{format_call(name, args, kwargs)}: {head}"]
        lines.extend(f"  {stub._describe()}  at {stub._site}" for stub in stubs)
        lines.append(f"{fix} ({_FIX[table.shape]}), or delete it.")
        raise SpecTypeError("\n".join(lines))


# The tables that have a rule without an outcome. Held strongly until the rule
# gets its outcome or an exit check takes it: whether a sandbox reports the
# mistake must not depend on when the garbage collector ran.
_waiting: set[_Table] = set()
# Stubs in the order they were started: the exit check lists them so.
_next_stub = itertools.count().__next__


def rules_mark() -> int:
    """A mark of this moment, for `pop_incomplete_rules(since=...)`."""
    return _next_stub()


def pop_incomplete_rules(since: int = 0) -> list[str]:
    """Describe the rules started since the `since` mark that have no outcome; forget them.

    For an exit check (a sandbox's): a fake refuses its calls while one of its
    rules has no outcome, but a rule of a fake that is not called again, or
    whose refusal the code under test swallowed, is found only here. The
    fakes answer their calls again afterwards. Rules started before the mark
    (outside the sandbox) are left as they are.
    """
    stubs = sorted(
        (stub for table in list(_waiting) for stub in table.incomplete if stub._order >= since),
        key=lambda stub: stub._order,
    )
    found = [
        f"{stub._describe()} at {stub._site} was started but has no outcome (it would be "
        f"ignored). End it with an outcome ({_FIX[stub._table.shape]}), or delete it."
        for stub in stubs
    ]
    for stub in stubs:
        stub._settle()
    return found


def _rules_of(fake: Any) -> _Table | None:
    """The `when()` rules of `fake`, whether or not one of them still lacks its outcome."""
    table = get_table(fake)
    if isinstance(table, _Incomplete):
        return table.table
    return table if isinstance(table, _Table) else None


def _refuse_unreachable(fake: Any, name: str, value: Any) -> None:
    """Setting `return_value`/`side_effect` that no call can reach is refused, not ignored.

    The rules answer first; a call none of them answers falls back to the
    unittest.mock configuration. A rule for any arguments whose last outcome
    repeats forever answers every call: what is set would never be used.
    On a member whose result is both iterated and awaited (asyncpg's
    ``conn.cursor()``), awaiting a result whose rule set only the items (or
    only a wait) uses it.
    """
    table = _rules_of(fake)
    if table is None:
        return
    iterated = table.shape == _AWAIT_ITER
    for rule in reversed(table.rules):
        steps = rule.steps
        if iterated and any(step.kind in (_YIELD, _WAIT) for step in steps[rule.index :]):
            return
        if (
            rule.args is None
            and rule.index < len(steps)
            and steps[-1].count is None
            and steps[-1].kind != _WAIT  # after() with no outcome: the default, later
        ):
            fake_label = fake_name(fake)
            shown = repr(value)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            raise ValueError(
                f"{fake_label}.{name} = {shown}: never used, because a "
                f"when() rule answers every call of {fake_label} first ({rule.describe()}). "
                f"Add a rule instead (af.when({fake_label}).returns(...); the latest added "
                f"wins), or drop the rules first with "
                f"{fake_label}.reset_mock(return_value=True, side_effect=True)."
            )


def _forget_rules(fake: Any) -> None:
    """`reset_mock(return_value=True)` or `side_effect=True`: the rules with an outcome go too."""
    table = _rules_of(fake)
    if table is not None:
        table.rules[:] = [rule for rule in table.rules if not rule.steps]


configuration_hooks.append(_refuse_unreachable)
reset_hooks.append(_forget_rules)


# The modules between a test and the line that started a rule: asyncfakes'
# own, and mutmut's trampolines, which wrap this module's functions when it is
# mutation tested.
_LIBRARY_MODULES = ("asyncfakes.", "mutmut.")


def _user_site() -> str:
    """Where the test called into asyncfakes: its first frame outside the library."""
    frame = sys._getframe()
    while frame.f_back is not None and str(frame.f_globals.get("__name__")).startswith(
        _LIBRARY_MODULES
    ):
        frame = frame.f_back
    return format_site(frame.f_code.co_filename, frame.f_lineno)


# ------------------------------------------------------------------- Stub


def _shape_of(target: object) -> tuple[str, MemberSpec | None]:
    member = member_of(target)
    if member is not None:
        return _KIND_SHAPE[member.kind], member
    # Every fake's class says whether its calls are awaitable: AsyncFake, or a
    # MagicFake spec'd on a coroutine function (getattr: typed, the class is unknown).
    if getattr(type(target), "_af_is_async"):  # noqa: B009
        return _AWAIT, None
    return _PLAIN_SYNC, None


def _is_error(value: object) -> bool:
    """An exception instance or class (what raises() takes)."""
    return isinstance(value, BaseException) or (
        isinstance(value, type) and issubclass(value, BaseException)
    )


def _is_delay(value: object) -> bool:
    """A number of seconds >= 0 (what after() takes)."""
    return isinstance(value, (int, float)) and value >= 0


def _is_count(value: object) -> bool:
    """An int >= 1, not a bool (what times() takes)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _describe_target(shape: str, member: MemberSpec | None) -> str:
    if member is not None:
        return member.describe()
    if shape == _AWAIT:
        return "an awaitable fake (AsyncFake)"
    return "a sync fake (MagicFake)"


_FIX = {
    _AWAIT: "use .returns(...) to set what awaiting it gives",
    _SYNC: "use .returns(...) to set what calling it gives",
    _PLAIN_SYNC: "use .returns(...) to set what calling it gives",
    _ITER: "use .yields(...) to set the items it gives",
    _CONTEXT: "use .enters(...) to set what `async with` gives",
    _HYBRID: "use .enters(...) to set what `async with` and `await` give",
    _AWAIT_ITER: "use .yields(...) to set the items `async for` gives, "
    "or .returns(...) to set what `await` gives",
}


class Stub(Generic[T_co]):
    """Configures what calls of a fake give; made by `when()`.

    Each verb appends an outcome to the script of one rule and returns the
    stub, so outcomes chain: ``af.when(op).raises(OSError).times(2).returns("ok")``.
    `called_with` starts a new rule that matches only those arguments.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> class Store:
        ...     async def load(self, key: str) -> str: ...
        >>> store = af.fake(Store)
        >>> af.when(store.load).raises(ConnectionError).times(2).returns("v")
        <Stub of Store.load>
        >>> async def main():
        ...     results = []
        ...     for _ in range(3):
        ...         try:
        ...             results.append(await store.load("k"))
        ...         except ConnectionError:
        ...             results.append("down")
        ...     return results
        >>> asyncio.run(main())
        ['down', 'down', 'v']
    """

    __slots__ = ("_args", "_expected", "_kwargs", "_last", "_order", "_rule", "_site", "_table")

    def __init__(
        self,
        table: _Table,
        expected: object = None,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        self._table = table
        self._expected = expected
        self._args = args
        self._kwargs = kwargs or {}
        self._rule: _Rule | None = None
        self._last: _Step | None = None
        # Until this stub gets an outcome (or, for `when(x)` itself, starts a
        # rule with `called_with`), the fake refuses its calls: see _Incomplete.
        self._site = _user_site()
        self._order = _next_stub()
        incomplete = table.incomplete
        incomplete.append(self)
        if len(incomplete) == 1:
            set_table(table.target, table.guard)
            _waiting.add(table)

    def _settle(self) -> None:
        """A verb was called on this stub: it no longer stops the fake's calls."""
        table = self._table
        incomplete = table.incomplete
        if self in incomplete:
            incomplete.remove(self)
            if not incomplete:
                set_table(table.target, table)
                _waiting.discard(table)

    def _describe(self) -> str:
        """The stub as the test wrote it, up to its first verb."""
        text = f"af.when({fake_name(self._table.target)})"
        if self._args is not None:
            text += f".called_with({format_args(self._args, self._kwargs)})"
        return text

    def __repr__(self) -> str:
        return f"<Stub of {fake_name(self._table.target)}>"

    # -- matching -------------------------------------------------------------

    def called_with(
        self: Stub[Callable[P, R]], *args: P.args, **kwargs: P.kwargs
    ) -> Stub[Callable[P, R]]:
        """Start a rule for calls with these arguments (compared with ``==``; matchers work).

        For a spec'd fake both sides are bound to the real signature, so
        ``called_with("a")`` matches ``get(url="a")``.

        Raises:
            SpecTypeError: the real signature rejects these arguments.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> from unittest.mock import ANY
            >>> async def fetch(url: str, timeout: float = 5) -> str: ...
            >>> fake_fetch = af.fake(fetch)
            >>> _ = af.when(fake_fetch).called_with("a", timeout=ANY).returns("A")
            >>> asyncio.run(fake_fetch(url="a", timeout=1))
            'A'
        """
        table = self._table
        if self._args is not None and self._rule is None:
            self._settle()
            name = fake_name(table.target)
            raise ValueError(
                f"af.when({name}).called_with({format_args(args, kwargs)}): the rule "
                f"{self._describe()} before it has no outcome, so it would be ignored. "
                f"End each rule with an outcome before starting the next: {_FIX[table.shape]}."
            )
        self._settle()  # `when(x)` only led to this rule
        expected: object = (args, kwargs)
        if table.member is not None:
            try:
                bound = table.member.bind(args, kwargs)
            except BindError as error:
                raise SpecTypeError(
                    f"af.when({fake_name(table.target)}).called_with({format_args(args, kwargs)}): "
                    f"{error}\n  signature: {table.member.signature_text()}"
                ) from None
            if bound is not None:
                expected = bound.arguments
        return Stub(table, expected, args, kwargs)

    # -- outcomes -------------------------------------------------------------

    def _add(self, step: _Step) -> None:
        rule = self._rule
        if rule is None:
            rule = self._rule = _Rule(self._expected, self._args, self._kwargs)
            self._table.rules.append(rule)
        steps = rule.steps
        if steps and steps[-1].kind == _WAIT and steps[-1].count is None:
            step.delay = steps[-1].delay
            steps[-1] = step
        else:
            steps.append(step)
        self._last = step

    def _refuse(self, verb: str, shown: str, problem: str) -> SpecTypeError:
        table = self._table
        name = fake_name(table.target)
        what = _describe_target(table.shape, table.member)
        return SpecTypeError(
            f"af.when({name}).{verb}({shown}): {name} is {what}; {problem}. "
            f"{_FIX[table.shape].capitalize()}."
        )

    def _check_value(self, verb: str, value: object) -> None:
        """With typecheck=True, refuse a stubbed value (or item) not of the member's result type."""
        table = self._table
        member = table.member
        if not table.typecheck or member is None:
            return
        expected = member.item_check() if verb == "yields" else member.result_check()
        if expected is None or is_instance_of(value, expected[0]):
            return
        name = fake_name(table.target)
        raise SpecTypeError(
            f"af.when({name}).{verb}({format_args((value,), {})}): {name} gives {expected[1]}, "
            f"not {type(value).__name__} (typecheck=True)"
        )

    @overload
    def returns(
        self: Stub[Callable[P, Awaitable[R]]], value: R
    ) -> Stub[Callable[P, Awaitable[R]]]: ...

    @overload
    def returns(self: Stub[Callable[P, R]], value: R) -> Stub[Callable[P, R]]: ...

    def returns(self, value: Any) -> Any:
        """Calls give `value` (awaiting gives it, for an awaitable member).

        For a context-manager member `value` must be an async context manager
        (`enters` sets what entering gives); for an awaitable context manager
        any other value is what awaiting and entering give. For an async
        generator member `value` must be an async iterable.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> async def fetch(url: str) -> str: ...
            >>> fake_fetch = af.fake(fetch)
            >>> _ = af.when(fake_fetch).returns("page")
            >>> asyncio.run(fake_fetch("https://a"))
            'page'
        """
        self._settle()
        table = self._table
        shown = format_args((value,), {})
        shape = table.shape
        if inspect.iscoroutine(value):
            name = fake_name(table.target)
            value.close()  # refused: do not leave it to warn "never awaited" at collection
            raise SpecTypeError(
                f"af.when({name}).returns({shown}): a coroutine object can be awaited only once "
                "and would be handed out un-awaited; stub the value it gives with "
                f"af.when({name}).returns(value), or compute it per call with "
                f"af.when({name}).runs(async_function)."
            )
        if shape == _CONTEXT and not type_has(value, "__aenter__"):
            raise self._refuse(
                "returns",
                shown,
                f"returns() needs an async context manager, not {type(value).__name__}",
            )
        if shape == _ITER and not type_has(value, "__aiter__"):
            raise self._refuse(
                "returns", shown, f"returns() needs an async iterable, not {type(value).__name__}"
            )
        if (
            shape in (_AWAIT, _SYNC)
            or (shape == _HYBRID and not type_has(value, "__aenter__"))
            or (
                shape == _AWAIT_ITER
                and not (type_has(value, "__await__") and type_has(value, "__aiter__"))
            )
        ):
            self._check_value("returns", value)
        self._add(_Step(_RETURN, value))
        return self

    def raises(self, error: BaseException | type[BaseException]) -> Self:
        """Calls raise `error` (an exception instance or class).

        Directly after `yields`, it ends that same iteration with `error`
        instead of starting a new outcome. For a context-manager member,
        entering (or awaiting) raises.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> op = af.AsyncFake(name="op")
            >>> _ = af.when(op).raises(TimeoutError("slow"))
            >>> asyncio.run(op())
            Traceback (most recent call last):
              ...
            TimeoutError: slow
        """
        self._settle()
        if not _is_error(error):
            raise TypeError(
                f"af.when({fake_name(self._table.target)}).raises({error!r}): raises() takes an "
                "exception instance or class."
            )
        last = self._last
        if last is not None and last.kind == _YIELD and last.error is None and last.count is None:
            last.error = error
            return self
        step = _Step(_RAISE)
        step.error = error
        self._add(step)
        return self

    def runs(self: Stub[Callable[P, R]], function: Callable[P, object]) -> Stub[Callable[P, R]]:
        """Calls run `function` with the call's arguments; its result (awaited if async) is given.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> async def double(x: int) -> int: ...
            >>> fake_double = af.fake(double)
            >>> _ = af.when(fake_double).runs(lambda x: x * 2)
            >>> asyncio.run(fake_double(21))
            42
        """
        stub: Stub[Any] = self
        stub._settle()
        if not callable(function):
            raise TypeError(
                f"af.when({fake_name(stub._table.target)}).runs({function!r}): runs() takes a "
                "function (sync or async)."
            )
        shape = stub._table.shape
        if shape in (_SYNC, _PLAIN_SYNC, _AWAIT_ITER) and inspect.iscoroutinefunction(function):
            problem = (
                "its result is made at the call, and a coroutine function's coroutine "
                "would never be awaited when the result is iterated"
                if shape == _AWAIT_ITER
                else "a sync call cannot run a coroutine function "
                "(its coroutine would never be awaited)"
            )
            raise stub._refuse("runs", _callable_name(function), problem)
        stub._add(_Step(_RUN, function))
        return self

    def yields(
        self: Stub[Callable[P, AsyncIterable[Y]]], *items: Y
    ) -> Stub[Callable[P, AsyncIterator[Y]]]:
        """One call's iteration gives `items` (async generators, awaitable async iterables).

        Example:
            >>> import asyncio, asyncfakes as af
            >>> from collections.abc import AsyncIterator
            >>> class Feed:
            ...     async def events(self, topic: str) -> AsyncIterator[int]:
            ...         yield 0
            >>> feed = af.fake(Feed)
            >>> _ = af.when(feed.events).yields(1, 2).raises(EOFError)
            >>> async def main():
            ...     seen = []
            ...     try:
            ...         async for event in feed.events("t"):
            ...             seen.append(event)
            ...     except EOFError:
            ...         seen.append("EOF")
            ...     return seen
            >>> asyncio.run(main())
            [1, 2, 'EOF']
        """
        stub: Stub[Any] = self
        stub._settle()
        table = stub._table
        shown = format_args(items, {})
        if table.shape not in (_ITER, _AWAIT_ITER, _PLAIN_SYNC):
            raise stub._refuse("yields", shown, "yields() is for async generator members")
        for item in items:
            stub._check_value("yields", item)
        stub._add(_Step(_YIELD, list(items)))
        return stub

    def enters(
        self: Stub[Callable[P, SupportsAsyncEnter[E]]], value: E
    ) -> Stub[Callable[P, SupportsAsyncEnter[E]]]:
        """``async with`` on a call's result gives `value` (and ``await``, for awaitable contexts).

        Each call returns a fresh recorded `FakeAsyncContext`.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> from contextlib import asynccontextmanager
            >>> from collections.abc import AsyncIterator
            >>> class Db:
            ...     @asynccontextmanager
            ...     async def connect(self) -> AsyncIterator[str]:
            ...         yield "real"
            >>> db = af.fake(Db)
            >>> _ = af.when(db.connect).enters("conn")
            >>> async def main():
            ...     async with db.connect() as conn:
            ...         return conn
            >>> asyncio.run(main())
            'conn'
        """
        stub: Stub[Any] = self
        stub._settle()
        table = stub._table
        if table.shape not in (_CONTEXT, _HYBRID, _PLAIN_SYNC):
            raise stub._refuse(
                "enters",
                format_args((value,), {}),
                "enters() is for members that return an async context manager",
            )
        stub._check_value("enters", value)
        stub._add(_Step(_ENTER, value))
        return self

    def hangs(self) -> Self:
        """Calls never complete: awaiting (entering, iterating) waits until cancelled.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> op = af.AsyncFake(name="op")
            >>> _ = af.when(op).hangs()
            >>> async def main():
            ...     try:
            ...         await asyncio.wait_for(op(), 0.01)
            ...     except asyncio.TimeoutError:
            ...         return "timed out"
            >>> asyncio.run(main())
            'timed out'
        """
        self._settle()
        if self._table.shape in (_SYNC, _PLAIN_SYNC):
            raise self._refuse("hangs", "", "a sync call cannot hang")
        self._add(_Step(_HANG))
        return self

    def after(self, seconds: float) -> Self:
        """The next outcome comes after `seconds` of loop time (virtual time makes it instant).

        Without a following outcome, the call behaves as unstubbed after the delay.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> op = af.AsyncFake(name="op")
            >>> _ = af.when(op).after(0.01).returns("slow")
            >>> asyncio.run(op())
            'slow'
        """
        self._settle()
        name = fake_name(self._table.target)
        if not _is_delay(seconds):
            raise ValueError(f"af.when({name}).after({seconds!r}): seconds must be a number >= 0.")
        if self._table.shape in (_SYNC, _PLAIN_SYNC):
            raise self._refuse("after", f"{seconds!r}", "a sync call cannot be delayed")
        last = self._last
        if last is not None and last.kind == _WAIT and last.count is None:
            raise ValueError(
                f"af.when({name}).after({seconds!r}): the rule already waits "
                f"after({last.delay:g}) before its next outcome, and a second after() would "
                f"replace that delay. Wait once, .after({last.delay + seconds:g}), or give an "
                f"outcome between the two: .after({last.delay:g}).returns(...).after({seconds!r})."
            )
        self._add(_Step(_WAIT, delay=float(seconds)))
        return self

    def times(self, count: int) -> Self:
        """The previous outcome serves `count` calls in all, then the script moves on.

        If it is the last outcome, the rule is used up after `count` calls
        (older rules, or the fake's default, answer the next ones).

        Example:
            >>> import asyncio, asyncfakes as af
            >>> op = af.AsyncFake(name="op", return_value="default")
            >>> _ = af.when(op).returns("stubbed").times(1)
            >>> async def main():
            ...     return [await op(), await op()]
            >>> asyncio.run(main())
            ['stubbed', 'default']
        """
        self._settle()
        name = fake_name(self._table.target)
        if not _is_count(count):
            raise ValueError(f"af.when({name}).times({count!r}): count must be an int >= 1.")
        last = self._last
        if last is None:
            raise ValueError(
                f"af.when({name}).times({count}): times() repeats the outcome before it; "
                "call it after returns(), raises(), runs(), yields(), enters() or hangs()."
            )
        if last.count is not None:
            raise ValueError(
                f"af.when({name}).times({count}): {last.describe()} already has a count, and "
                f"a second times() would replace it. Count once: .times({last.count + count}) "
                f"serves {last.count} + {count} calls."
            )
        last.count = count
        return self


def when(target: T) -> Stub[T]:
    """Stub the calls of a fake's method, or of a fake callable.

    Args:
        target: a fake's method (``client.get``), a fake callable
            (`af.fake(fetch)`, `af.AsyncFake()`), or a fake's awaitable property.

    Returns:
        A `Stub`, typed after `target`: its verbs take the real parameters and
        result types.

    Raises:
        TypeError: `target` is not a fake, or is a fake that cannot be called.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> class Api:
        ...     async def get(self, url: str) -> str: ...
        >>> api = af.fake(Api)
        >>> _ = af.when(api.get).returns("any")
        >>> _ = af.when(api.get).called_with("https://a").returns("a")
        >>> async def main():
        ...     return [await api.get("https://a"), await api.get("https://b")]
        >>> asyncio.run(main())
        ['a', 'any']
    """
    fake = target.target if isinstance(target, AwaitableAttribute) else target
    if not is_fake(fake):
        raise TypeError(
            f"when() takes a fake's method or a fake callable, but got {describe_object(target)}. "
            "Make a fake with af.fake(...) or af.patch(...) and pass it (or its method) instead."
        )
    shape, member = _shape_of(fake)
    if member is None and _is_instance_fake(fake):
        name = fake_name(fake)
        raise TypeError(
            f"when() takes a fake's method or a fake callable, but {name} is a fake instance "
            f"that is not callable. Pass one of its methods: af.when({name}.<method>)."
        )
    table = get_table(fake)
    if isinstance(table, _Incomplete):
        table = table.table
    elif table is None:
        table = _Table(fake, member, shape, options_of(fake).typecheck)
    return Stub(table)


def _is_instance_fake(target: object) -> bool:
    """A fake of an instance (of a class without ``__call__``: its `member_of` is None)."""
    return target.__dict__.get("_af_spec") is not None
