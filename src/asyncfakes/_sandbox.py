"""`Sandbox`: where the families meet — one test's journal, patches, spies and resources.

A sandbox owns a journal (made active while it is entered) and every patch,
spy and builder made through it. On exit it undoes the patches and spies (the
latest first), then checks what the test left behind:

- calls to async fakes that were never awaited (the "forgot `await`" bug):
  `VerificationError`, and the coroutines are closed;
- resources not released or closed: `LeakError`. The check is duck-typed, so
  builders need not be known here. It runs on every object made through the
  sandbox and on every target of a call recorded in its journal:

  - an object whose class defines ``_af_leak_check()`` is asked; the method
    raises `LeakError` (any `AssertionError`) describing what leaked;
  - else an object whose class defines ``assert_all_released()`` (a pool) is
    asked the same way;
  - else an object that records its iterations in the core and has
    ``consumed`` and ``closed`` attributes (iterators, streams) leaks each
    iteration that started (awaited) and is still pending: neither exhausted
    nor closed; or that the event loop closed as it shut down (listed in its
    ``_af_closed_at_shutdown``), since a loop closed before the check (as
    pytest-asyncio closes it before fixture teardown) closes what was left;
- with ``check_tasks=True``, asyncio tasks started inside the sandbox and
  still pending: `LeakError`, and the tasks are cancelled;
- `when()` rules started and never given an outcome (`VerificationError`),
  which the fake could not report itself: its refusal was swallowed by the
  code under test, or it was not called again. They are forgotten either way.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import types
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TypeVar, cast, overload

from ._builders._contexts import async_context
from ._builders._iterators import async_iter
from ._builders._pools import pool
from ._builders._streams import stream
from ._errors import LeakError, VerificationError
from ._fake import is_fake
from ._format import format_site, numbered, plural
from ._patching import Patch, Patcher, Scope, Spy, create_spy
from ._recorder import (
    AWAITED,
    OUTCOME,
    TARGET,
    Journal,
    activate,
    deactivate,
    get_track,
    view,
)
from ._specfake import fake
from ._stubbing import pop_incomplete_rules, rules_mark
from ._verify import assert_all_awaited

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

__all__ = ["Sandbox", "SandboxPatcher"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=MutableMapping[Any, Any])

_State = Literal["new", "open", "closed"]


class _Owning(Generic[F]):
    """A builder offered on the sandbox: what it builds is owned (checked on exit)."""

    def __init__(self, factory: F) -> None:
        self._factory = factory
        self._name = getattr(factory, "__name__", "builder")

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, sandbox: None, owner: type[Any]) -> F: ...
    @overload
    def __get__(self, sandbox: Sandbox, owner: type[Any]) -> F: ...
    def __get__(self, sandbox: Sandbox | None, owner: type[Any]) -> F:
        if sandbox is None:
            return self._factory
        sandbox._ensure_open(self._name)
        factory = self._factory

        @functools.wraps(factory)
        def build(*args: Any, **kwargs: Any) -> Any:
            return sandbox.own(factory(*args, **kwargs))

        return cast("F", build)


class SandboxPatcher:
    """`sb.patch`: patches owned by a `Sandbox`, started at once, undone when it exits.

    Like pytest-mock's `mocker.patch`, `sb.patch(...)` and `sb.patch.object(...)`
    return the replacement and `sb.patch.dict(...)` returns the mapping. The
    arguments are those of `af.patch`.

    Example:
        >>> import json, asyncfakes as af
        >>> with af.Sandbox() as sb:
        ...     dumps = sb.patch.object(json, "dumps", spec=False)
        ...     dumps.return_value = "{}"
        ...     json.dumps([1])
        '{}'
        >>> json.dumps([1])
        '[1]'
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._patcher = Patcher("Sandbox.patch")

    def _start(self, patching: Patch[T]) -> T:
        patching._registry = self._sandbox._patches
        return patching.start()

    @overload
    def __call__(
        self, target: str, *, spec: object = ..., strict: bool = ..., scope: Scope = ...
    ) -> Any: ...
    @overload
    def __call__(
        self, target: str, new: T, *, spec: object = ..., strict: bool = ..., scope: Scope = ...
    ) -> T: ...
    def __call__(
        self,
        target: str,
        new: object = Patcher.DEFAULT,
        *,
        spec: object = True,
        strict: bool = False,
        scope: Scope = "global",
    ) -> Any:
        self._sandbox._ensure_open("patch")
        return self._start(self._patcher(target, new, spec=spec, strict=strict, scope=scope))

    @overload
    def object(
        self,
        obj: object,
        attribute: str,
        *,
        spec: object = ...,
        strict: bool = ...,
        scope: Scope = ...,
    ) -> Any: ...
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
    ) -> T: ...
    def object(
        self,
        obj: object,
        attribute: str,
        new: object = Patcher.DEFAULT,
        *,
        spec: object = True,
        strict: bool = False,
        scope: Scope = "global",
    ) -> Any:
        """Patch `attribute` of `obj` until the sandbox exits; return the replacement.

        Example:
            >>> import json, asyncfakes as af
            >>> with af.Sandbox() as sb:
            ...     _ = sb.patch.object(json, "dumps", new=repr)
            ...     json.dumps({"a"})
            "{'a'}"
        """
        self._sandbox._ensure_open("patch.object")
        patching = self._patcher.object(obj, attribute, new, spec=spec, strict=strict, scope=scope)
        return self._start(patching)

    @overload
    def dict(
        self,
        in_dict: str,
        values: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = ...,
        clear: bool = ...,
        **kwargs: Any,
    ) -> MutableMapping[Any, Any]: ...
    @overload
    def dict(
        self,
        in_dict: M,
        values: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = ...,
        clear: bool = ...,
        **kwargs: Any,
    ) -> M: ...
    def dict(
        self,
        in_dict: MutableMapping[Any, Any] | str,
        values: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = (),
        clear: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Set items of a mapping until the sandbox exits; return the mapping.

        Example:
            >>> import os, asyncfakes as af
            >>> with af.Sandbox() as sb:
            ...     environ = sb.patch.dict(os.environ, APP_MODE="test")
            ...     environ["APP_MODE"]
            'test'
            >>> "APP_MODE" in os.environ
            False
        """
        self._sandbox._ensure_open("patch.dict")
        return self._start(self._patcher.dict(in_dict, values, clear, **kwargs))


class Sandbox:
    """One test's world: a journal, and the fakes, patches, spies and pools made through it.

    Enter it with `with` or `async with`. While it is entered its journal is
    the active one (`af.journal()`). On exit it undoes its patches and spies
    (the latest first), then checks that no call to an async fake was left
    un-awaited (`VerificationError`), that every pool connection was released
    and every started fake iterator or stream was exhausted or closed
    (`LeakError`), and, with ``check_tasks=True``, that no task started inside
    it is still pending (`LeakError`; the tasks are cancelled), and that no
    `af.when()` rule was left without an outcome (`VerificationError`). Each
    failure names the offending calls and their file:line. When the block ends with an
    exception, the sandbox undoes everything but skips the checks, so the
    exception is what you see.

    The pytest plugin's `fakes` fixture is a sandbox per test;
    `af.AsyncFakesTestCase` gives one as ``self.fakes``.

    Args:
        check_tasks: also fail for asyncio tasks started inside the sandbox and
            left pending (needs a running event loop when it is entered).

    Example:
        >>> import asyncio, asyncfakes as af
        >>> class Mailer:
        ...     async def send(self, to: str) -> None: ...
        >>> async def main():
        ...     with af.Sandbox() as sb:
        ...         send = sb.patch.object(Mailer, "send")
        ...         Mailer().send("ada@example.com")  # the bug: no await
        >>> try:
        ...     asyncio.run(main())
        ... except af.VerificationError as error:
        ...     print(str(error).splitlines()[0])
        1 call to an async fake was never awaited (a missing `await`?):
    """

    def __init__(self, *, check_tasks: bool = False) -> None:
        self._journal = Journal()
        self._state: _State = "new"
        self._patches: list[Patch[Any]] = []
        self._owned: list[object] = []
        self._check_tasks = check_tasks
        self._tasks_before: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._rules_mark = 0
        self.patch: Final = SandboxPatcher(self)

    # -- state -----------------------------------------------------------------

    def _ensure_open(self, verb: str) -> None:
        if self._state == "open":
            return
        if self._state == "new":
            raise RuntimeError(
                f"Sandbox.{verb}(): this Sandbox is not entered yet. "
                "Use it as `with af.Sandbox() as sb:` (or `async with`)."
            )
        raise RuntimeError(
            f"Sandbox.{verb}(): this Sandbox has exited: its patches were undone and its "
            "checks ran. Make a new af.Sandbox() (in pytest, use the `fakes` fixture of "
            "the running test)."
        )

    @property
    def is_open(self) -> bool:
        """True between entering and exiting (or `close()`)."""
        return self._state == "open"

    @property
    def journal(self) -> Journal:
        """The sandbox's journal: every call recorded while it was entered.

        Example:
            >>> import asyncfakes as af
            >>> with af.Sandbox() as sb:
            ...     ping = af.MagicFake(name="ping")
            ...     _ = ping()
            >>> [record.describe() for record in sb.journal.calls]
            ['ping()']
        """
        return self._journal

    def __enter__(self) -> Self:
        if self._state != "new":
            self._ensure_open("__enter__")
            raise RuntimeError(
                "Sandbox.__enter__(): this Sandbox is already entered; a sandbox is entered once."
            )
        if self._check_tasks:
            try:
                self._loop = asyncio.get_running_loop()
            except RuntimeError:
                raise RuntimeError(
                    "Sandbox(check_tasks=True) needs a running asyncio event loop: "
                    "enter it with `async with af.Sandbox(check_tasks=True):` inside "
                    "the async test."
                ) from None
            self._tasks_before = asyncio.all_tasks(self._loop)
        activate(self._journal)
        self._rules_mark = rules_mark()
        self._state = "open"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        self.close(check=exc_type is None)

    async def __aenter__(self) -> Self:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        pending = self._pending_tasks() if self._check_tasks and self._state == "open" else []
        described = [_describe_task(task) for task in pending]
        if pending:
            for task in pending:
                task.cancel()
            # Let the cancelled tasks run their cleanup before the checks.
            await asyncio.wait(pending, timeout=1.0)
        self._close(check=exc_type is None, tasks=described)

    # -- making things ---------------------------------------------------------

    def own(self, resource: T) -> T:
        """Check `resource` when the sandbox exits, as if it was made through it; return it.

        For objects of your own that follow the leak-check protocol: their
        class defines ``_af_leak_check()``, which raises `LeakError` naming
        what leaked.

        Example:
            >>> import asyncfakes as af
            >>> with af.Sandbox() as sb:
            ...     events = sb.own(af.async_iter([1, 2]))
        """
        self._ensure_open("own")
        self._owned.append(resource)
        return resource

    def spy(self, obj: object, attribute: str) -> Spy:
        """`af.spy(obj, attribute)`, removed when the sandbox exits.

        Example:
            >>> import json, asyncfakes as af
            >>> with af.Sandbox() as sb:
            ...     spy = sb.spy(json, "dumps")
            ...     _ = json.dumps(1)
            >>> af.verify(spy).called_once_with(1)
        """
        self._ensure_open("spy")
        return create_spy(
            f"Sandbox.spy({_short(obj)}, {attribute!r})", obj, attribute, self._patches
        )

    fake: Final = _Owning(fake)
    pool: Final = _Owning(pool)
    async_iter: Final = _Owning(async_iter)
    async_context: Final = _Owning(async_context)
    stream: Final = _Owning(stream)

    # -- exit ------------------------------------------------------------------

    def close(self, *, check: bool = True) -> None:
        """Undo the patches and spies; with `check`, run the exit checks.

        `with`/`async with` call it; the `fakes` fixture calls it with
        ``check=False`` when the test failed. Never-awaited coroutines are
        closed either way.

        Raises:
            VerificationError: calls to async fakes were never awaited, or
                `when()` rules were left without an outcome.
            LeakError: resources were not released or closed, or tasks were left pending.

        Example:
            >>> import asyncfakes as af
            >>> sb = af.Sandbox().__enter__()
            >>> sb.close()
        """
        __tracebackhide__ = True
        self._close(check=check, tasks=None)

    def _close(self, *, check: bool, tasks: list[str] | None) -> None:
        """Undo, then check; `tasks` describes the pending tasks already cancelled (async exit)."""
        __tracebackhide__ = True
        self._ensure_open("close")
        self._state = "closed"
        try:
            while self._patches:
                self._patches[-1].stop()
            self._journal.unawaited()  # settles the calls discarded before they started
            unawaited = ""
            # assert_all_awaited() reads the active journal: this one, even when
            # another sandbox was entered after it and is still open.
            activate(self._journal)
            try:
                assert_all_awaited()
            except VerificationError as error:
                unawaited = str(error)
            finally:
                deactivate(self._journal)
            # Forgotten either way, so that the fakes answer again after the test.
            incomplete = _describe_incomplete(pop_incomplete_rules(self._rules_mark))
            if not check:
                return
            leaks = self._leaks()
            if tasks is None and self._check_tasks:
                pending = self._pending_tasks()
                tasks = [_describe_task(task) for task in pending]
                for task in pending:
                    task.cancel()
            leaks.extend(tasks or ())
        finally:
            deactivate(self._journal)
        if leaks:
            lines = [
                f"{plural(len(leaks), 'resource')} {'was' if len(leaks) == 1 else 'were'} "
                "not released, closed or finished when the sandbox exited:"
            ]
            for index, leak in enumerate(leaks, 1):
                first, *rest = leak.splitlines()
                lines.append(f"  {index}. {first}")
                lines.extend(f"     {line}" for line in rest)
            lines.extend(text for text in (unawaited, incomplete) if text)
            raise LeakError("\n".join(lines))
        if unawaited or incomplete:
            raise VerificationError("\n".join(text for text in (unawaited, incomplete) if text))

    def _pending_tasks(self) -> list[asyncio.Task[Any]]:
        loop = self._loop
        if loop is None:  # pragma: no cover - check_tasks always has a loop
            return []
        current = asyncio.current_task(loop) if loop.is_running() else None
        return [
            task
            for task in asyncio.all_tasks(loop)
            if task not in self._tasks_before and task is not current and not task.done()
        ]

    def _leaks(self) -> list[str]:
        seen: set[int] = set()
        candidates: list[object] = []
        targets = [raw[TARGET] for raw in self._journal._calls]
        # A call recorded on a bound method (`pool.acquire`) belongs to its object.
        # So does one on a method-like object that names its owner (`pool.acquire`).
        owners = [
            target.__self__
            for target in targets
            if isinstance(target, types.MethodType)
            or (not is_fake(target) and "__self__" in getattr(target, "__dict__", {}))
        ]
        for obj in [*self._owned, *targets, *owners]:
            if id(obj) not in seen and not is_fake(obj):
                seen.add(id(obj))
                candidates.append(obj)
        leaks: list[str] = []
        for obj in candidates:
            leaks.extend(_leaks_of(obj))
        return leaks

    def __repr__(self) -> str:
        undo = f"{len(self._patches)} to undo"
        return f"<Sandbox {self._state}: {undo}, {plural(len(self._journal), 'call')}>"


def _short(obj: object) -> str:
    if inspect.ismodule(obj):
        return obj.__name__
    if isinstance(obj, type):
        return obj.__qualname__
    return f"<{type(obj).__qualname__} object>"


def _leaks_of(obj: object) -> list[str]:
    """What `obj` leaked, by the leak-check protocol (see the module docstring)."""
    kind = type(obj)
    check = getattr(kind, "_af_leak_check", None) or getattr(kind, "assert_all_released", None)
    if callable(check):
        try:
            check(obj)
        except AssertionError as error:
            return [str(error)]
        return []
    track = get_track(obj)
    if track is None or not (hasattr(obj, "consumed") and hasattr(obj, "closed")):
        return []
    leaks: list[str] = []
    at_shutdown = {id(raw) for raw in getattr(obj, "_af_closed_at_shutdown", ())}
    for raw in track.records:
        if raw[AWAITED] and (raw[OUTCOME] == "pending" or id(raw) in at_shutdown):
            late = (
                " (the event loop closed it as it shut down, after the test)"
                if id(raw) in at_shutdown
                else ""
            )
            leaks.append(
                f"{track.name}: the iteration started at {view(raw).site} was neither "
                f"exhausted nor closed{late}. Iterate it to the end, or close it "
                "(`await it.aclose()`, `async with contextlib.aclosing(it)`)."
            )
    return leaks


def _describe_incomplete(rules: list[str]) -> str:
    """The exit check's report of `when()` rules that never got an outcome ("" if none)."""
    if not rules:
        return ""
    lines = [
        f"{plural(len(rules), 'when() rule')} {'was' if len(rules) == 1 else 'were'} "
        "left without an outcome when the sandbox exited:"
    ]
    lines.extend(numbered(rules))
    return "\n".join(lines)


def _describe_task(task: asyncio.Task[Any]) -> str:
    coroutine = task.get_coro()
    frame = getattr(coroutine, "cr_frame", None)
    where = (
        ""
        if frame is None
        else f" (waiting at {format_site(frame.f_code.co_filename, frame.f_lineno)})"
    )
    name = getattr(coroutine, "__qualname__", repr(coroutine))
    return (
        f"task {task.get_name()!r} running {name}(){where} was still pending "
        "(the sandbox cancelled it). Await or cancel every task the test starts."
    )
