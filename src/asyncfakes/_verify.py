"""`verify()` and the `assert_*` helpers: readable checks over recorded calls.

Failures raise `VerificationError` (an `AssertionError`) whose message states
what was expected, what happened, and lists the fake's calls one per line with
the differing argument marked.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._cm import FakeAsyncContext
from ._errors import VerificationError
from ._fake import is_descendant
from ._format import format_call, format_call_diff, plural
from ._recorder import (
    ARGS,
    AWAITABLE,
    AWAITED,
    BOUND,
    INSIDE,
    KWARGS,
    OUTCOME,
    RESULT,
    RETURNED,
    SEQ,
    TARGET,
    Journal,
    Track,
    ensure_track,
    get_track,
    is_unawaited,
    journal,
    ordered,
    settle,
    view,
)
from ._spec import suggest
from ._types import P, T

T_co = TypeVar("T_co", covariant=True)

__all__ = ["Verifier", "assert_all_awaited", "assert_in_order", "verify"]

_Raw = list[Any]


def _status(raw: _Raw) -> str:
    settle(raw)
    if raw[AWAITED]:
        return f"awaited, {raw[OUTCOME]}"
    if raw[AWAITABLE] is not None:
        return "never awaited"
    if raw[OUTCOME] == "pending":
        return "not awaited"
    outcome: str = raw[OUTCOME]
    return outcome


def _call_lines(track: Track, records: Sequence[_Raw], heading: str = "Calls") -> list[str]:
    if not records:
        return [f"{heading}: none."]
    lines = [f"{heading} ({len(records)}):"]
    for index, raw in enumerate(records, 1):
        record = view(raw)
        lines.append(
            f"  {index}. {format_call(track.name, raw[ARGS], raw[KWARGS])}"
            f"  [{_status(raw)}]  at {record.site}"
        )
    return lines


_CHECKS = (
    "awaited",
    "not_awaited",
    "awaited_with",
    "awaited_once_with",
    "awaited_inside",
    "called",
    "not_called",
    "called_with",
    "called_once_with",
    "called_inside",
)


def _no_check(fake: str, name: str) -> str:
    """The message for a check `verify()` does not have, with the one meant."""
    check = name.removeprefix("assert_")
    if check in ("awaited_once", "called_once"):
        meant = f"{check.removesuffix('_once')}(times=1)"
    else:  # an exact name comes first
        close = suggest(check, _CHECKS, limit=1)
        meant = f"{close[0]}(...)" if close else ""
    hint = f" Did you mean verify({fake}).{meant}?" if meant else ""
    return (
        f"verify({fake}) has no check {name!r}.{hint} Its checks: "
        + ", ".join(f"{each}()" for each in _CHECKS)
        + "."
    )


def _arguments_equal(raw: _Raw, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Compare a recorded call with expected arguments, with `==` (so ANY and matchers work).

    A call recorded with arguments bound to the real signature is compared on
    the bound arguments, so `get("a")` matches `get(url="a")`.
    """
    bound: inspect.BoundArguments | None = raw[BOUND]
    if bound is not None:
        try:
            expected = bound.signature.bind(*args, **kwargs)
        except TypeError:
            return False
        expected.apply_defaults()
        return _safe_eq(expected.arguments, bound.arguments)
    return _safe_eq((args, kwargs), (raw[ARGS], raw[KWARGS]))


def _safe_eq(expected: object, actual: object) -> bool:
    try:
        return bool(expected == actual)
    except Exception:
        return False


class Verifier(Generic[T_co]):
    """Checks over one fake's recorded calls; created by `verify()`.

    Generic in the verified fake's type: the ``*_with`` checks take the real
    parameters of the member they verify (read through the type of ``self``,
    so no plugin is needed), and `awaited_with` only exists for awaitable
    members.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> async def fetch(url: str, timeout: float = 5.0) -> bytes: ...
        >>> fake_fetch = af.fake(fetch)
        >>> _ = asyncio.run(fake_fetch("https://a"))
        >>> checks = af.verify(fake_fetch)
        >>> checks.awaited_once_with(url="https://a")
    """

    __slots__ = ("_target", "_track")

    def __init__(self, target: object, track: Track) -> None:
        self._target = target
        self._track = track

    # A typed __getattr__ would let every name type-check; it runs only for misses.
    if not TYPE_CHECKING:  # pragma: no branch

        def __getattr__(self, name: str) -> Any:
            raise AttributeError(_no_check(self._track.name, name))

    # -- selections ----------------------------------------------------------

    def _all(self) -> list[_Raw]:
        return ordered(self._track.records)

    def _awaited(self) -> list[_Raw]:
        return [raw for raw in ordered(self._track.records) if raw[AWAITED]]

    def _fail(self, lines: list[str]) -> VerificationError:
        return VerificationError("\n".join(lines))

    def _ensure_async(self, method: str) -> None:
        is_async = getattr(type(self._target), "_af_is_async", None)
        if is_async is False:
            name = self._track.name
            raise TypeError(
                f"verify({name}).{method}(): {name} is a sync fake and is never awaited; "
                f"use verify({name}).{method.replace('awaited', 'called')}(...) instead."
            )

    # -- awaited -------------------------------------------------------------

    def awaited(self, times: int | None = None) -> None:
        """Check the fake was awaited at least once, or exactly `times` times.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> fetch = af.AsyncFake(name="fetch", return_value=1)
            >>> _ = asyncio.run(fetch("a"))
            >>> af.verify(fetch).awaited(times=1)
        """
        __tracebackhide__ = True
        self._ensure_async("awaited")
        self._count_check("awaited", self._awaited(), times)

    def not_awaited(self) -> None:
        """Check the fake was never awaited.

        Example:
            >>> import asyncfakes as af
            >>> save = af.AsyncFake(name="save")
            >>> af.verify(save).not_awaited()
        """
        __tracebackhide__ = True
        self._ensure_async("not_awaited")
        self._count_check("awaited", self._awaited(), 0)

    def awaited_with(
        self: Verifier[Callable[P, Awaitable[Any]]], *args: P.args, **kwargs: P.kwargs
    ) -> None:
        """Check the latest awaited call had these arguments (compared with `==`).

        Example:
            >>> import asyncio, asyncfakes as af
            >>> fetch = af.AsyncFake(name="fetch", return_value=1)
            >>> _ = asyncio.run(fetch("a", timeout=5))
            >>> af.verify(fetch).awaited_with("a", timeout=5)
        """
        __tracebackhide__ = True
        self._ensure_async("awaited_with")
        self._latest_check("awaited", self._awaited(), args, kwargs)

    def awaited_once_with(
        self: Verifier[Callable[P, Awaitable[Any]]], *args: P.args, **kwargs: P.kwargs
    ) -> None:
        """Check the fake was awaited exactly once, with these arguments.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> fetch = af.AsyncFake(name="fetch", return_value=1)
            >>> _ = asyncio.run(fetch("a"))
            >>> af.verify(fetch).awaited_once_with("a")
        """
        __tracebackhide__ = True
        self._ensure_async("awaited_once_with")
        awaited = self._awaited()
        self._count_check("awaited", awaited, 1, expected_call=(args, kwargs))
        self._latest_check("awaited", awaited, args, kwargs)

    def awaited_inside(self, context: object) -> None:
        """Check every awaited call was made inside the fake async context manager `context`.

        Holds when there was at least one awaited call and each was made while
        the calling task was inside `context` (see `CallRecord.inside`), or
        inside a context that a call of the fake `context` returned: pass
        ``conn.transaction`` for ``async with conn.transaction():``.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> conn = af.AsyncFake(name="conn")
            >>> transaction = af.AsyncFake(name="transaction")
            >>> async def main():
            ...     async with transaction:
            ...         await conn.execute("INSERT")
            >>> asyncio.run(main())
            >>> af.verify(conn.execute).awaited_inside(transaction)
        """
        __tracebackhide__ = True
        self._ensure_async("awaited_inside")
        self._inside_check("awaited", self._awaited(), context)

    def _inside_check(self, verb: str, records: list[_Raw], context: object) -> None:
        __tracebackhide__ = True
        name = self._track.name
        noun = "await" if verb == "awaited" else "call"
        where = _name_of(context)
        if not records:
            raise self._fail(
                [f"Expected {name} to be {verb} inside {where}, but it was never {verb}."]
                + _call_lines(self._track, self._all())
            )
        made = _contexts_made_by(context)
        outside = [
            raw for raw in records if not any(c is context or id(c) in made for c in raw[INSIDE])
        ]
        if outside:
            lines = [
                f"Expected every {noun} of {name} inside {where}, "
                f"but {len(outside)} of {plural(len(records), noun)} ran outside it:"
            ]
            for raw in outside:
                inside = ", ".join(_name_of(c) for c in raw[INSIDE]) or "no fake context"
                lines.append(
                    f"  - {format_call(name, raw[ARGS], raw[KWARGS])}  at {view(raw).site}"
                    f"  (inside: {inside})"
                )
            if any(_name_of(c) == where for raw in outside for c in raw[INSIDE]):
                lines.append(
                    f"The calls ran inside another object named {where}, not the one passed: "
                    "pass the object the code entered, or the fake whose calls made it "
                    f"(`{verb}_inside(conn.transaction)` for `async with conn.transaction():`)."
                )
            else:
                enter = f"{where}()" if made else where
                lines.append(
                    f"Run the call inside `async with {enter}:` or check the context passed."
                )
            raise self._fail(lines)

    # -- called --------------------------------------------------------------

    def called(self, times: int | None = None) -> None:
        """Check the fake was called at least once, or exactly `times` times.

        For an async fake a call counts whether or not it was awaited.

        Example:
            >>> import asyncfakes as af
            >>> key = af.MagicFake(name="key")
            >>> _ = key(1)
            >>> af.verify(key).called(times=1)
        """
        __tracebackhide__ = True
        self._count_check("called", self._all(), times)

    def not_called(self) -> None:
        """Check the fake was never called.

        Example:
            >>> import asyncfakes as af
            >>> af.verify(af.MagicFake(name="key")).not_called()
        """
        __tracebackhide__ = True
        self._count_check("called", self._all(), 0)

    def called_with(self: Verifier[Callable[P, Any]], *args: P.args, **kwargs: P.kwargs) -> None:
        """Check the latest call had these arguments (compared with `==`).

        Example:
            >>> import asyncfakes as af
            >>> key = af.MagicFake(name="key")
            >>> _ = key(1)
            >>> af.verify(key).called_with(1)
        """
        __tracebackhide__ = True
        self._latest_check("called", self._all(), args, kwargs)

    def called_once_with(
        self: Verifier[Callable[P, Any]], *args: P.args, **kwargs: P.kwargs
    ) -> None:
        """Check the fake was called exactly once, with these arguments.

        Example:
            >>> import asyncfakes as af
            >>> key = af.MagicFake(name="key")
            >>> _ = key(1)
            >>> af.verify(key).called_once_with(1)
        """
        __tracebackhide__ = True
        records = self._all()
        self._count_check("called", records, 1, expected_call=(args, kwargs))
        self._latest_check("called", records, args, kwargs)

    def called_inside(self, context: object) -> None:
        """Check every call was made inside the fake async context manager `context`.

        The sync counterpart of `awaited_inside`: holds when there was at least
        one call and each was made while the calling task was inside `context`
        (or inside a context that a call of the fake `context` returned).

        Example:
            >>> import asyncio, asyncfakes as af
            >>> cache = af.MagicFake(name="cache")
            >>> lock = af.async_context(name="lock")
            >>> async def main():
            ...     async with lock:
            ...         cache.get("k")
            >>> asyncio.run(main())
            >>> af.verify(cache.get).called_inside(lock)
        """
        __tracebackhide__ = True
        self._inside_check("called", self._all(), context)

    # -- shared checks -------------------------------------------------------

    def _count_check(
        self,
        verb: str,
        records: list[_Raw],
        times: int | None,
        expected_call: tuple[tuple[Any, ...], dict[str, Any]] | None = None,
    ) -> None:
        __tracebackhide__ = True
        if times is not None and type(times) is not int:
            raise TypeError(
                f"verify({self._track.name}).{verb}(times={times!r}): times must be a whole "
                f"number or None, not {type(times).__name__}"
            )
        if times is not None and times < 0:
            raise ValueError(
                f"verify({self._track.name}).{verb}(times={times}): times must be >= 0"
            )
        count = len(records)
        if (times is None and count > 0) or count == times:
            return
        name = self._track.name
        if times is None:
            expected = f"to be {verb} at least once"
        elif times == 0:
            expected = f"not to be {verb}"
        elif expected_call is not None:
            expected = f"to be {verb} once as {format_call(name, *expected_call)}"
        else:
            expected = f"to be {verb} {plural(times, 'time')}"
        raise self._fail(
            [f"Expected {name} {expected}, but it was {verb} {plural(count, 'time')}."]
            + _call_lines(self._track, self._all())
        )

    def _latest_check(
        self, verb: str, records: list[_Raw], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        __tracebackhide__ = True
        name = self._track.name
        if not records:
            raise self._fail(
                [
                    f"Expected {name} to be {verb} as {format_call(name, args, kwargs)}, "
                    f"but it was never {verb}."
                ]
                + _call_lines(self._track, self._all())
            )
        latest = max(records, key=lambda raw: raw[SEQ])
        if _arguments_equal(latest, args, kwargs):
            return
        noun = "await" if verb == "awaited" else "call"
        raise self._fail(
            [f"The latest {noun} of {name} has other arguments:"]
            + format_call_diff(name, (args, kwargs), (latest[ARGS], latest[KWARGS]))
            + _call_lines(self._track, self._all())
        )


def _contexts_made_by(factory: object) -> set[int]:
    """The ids of what the calls of the fake `factory` returned.

    ``conn.transaction`` makes a new context on each call, so
    ``awaited_inside(conn.transaction)`` means "inside a context one of its calls
    returned". Empty for a fake async context (its records are its own entries)
    and for an object that is not a fake.
    """
    if isinstance(factory, FakeAsyncContext):
        return set()
    track = get_track(factory)
    if track is None:
        return set()
    return {id(raw[RESULT]) for raw in track.records if raw[OUTCOME] == RETURNED}


def _name_of(target: object) -> str:
    track = get_track(target)
    if track is not None:
        return track.name
    return getattr(target, "__qualname__", None) or repr(target)


def verify(target: T) -> Verifier[T]:
    """Start checks on the recorded calls of a fake (or a fake's method).

    Typed after `target`: for ``af.verify(client.get)``, where `client` is
    ``af.fake(httpx.AsyncClient)``, `awaited_with` takes the parameters of
    `httpx.AsyncClient.get` (a type checker flags a wrong argument).

    Args:
        target: a fake (`af.AsyncFake()`, `af.fake(...)`, a builder) or a fake's method.

    Returns:
        A `Verifier` whose methods raise `VerificationError` when the check fails.

    Raises:
        TypeError: `target` is not a fake.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> client = af.AsyncFake(name="client")
        >>> _ = asyncio.run(client.get("https://a"))
        >>> af.verify(client.get).awaited_once_with("https://a")
        >>> af.verify(client.post).not_awaited()
    """
    track = ensure_track(target, "verify")
    return Verifier(target, track)


def assert_in_order(*targets: object) -> None:
    """Check that calls to `targets` happened in this order across the active journal.

    Each target is a fake or a fake's method; a fake matches calls of itself
    and of its children. The journal may hold other calls in between
    (the expected order is a subsequence).

    Raises:
        VerificationError: no subsequence of the journal matches.
        TypeError: a target is not a fake.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> db = af.AsyncFake(name="db")
        >>> async def main():
        ...     await db.begin(); await db.save(1); await db.commit()
        >>> asyncio.run(main())
        >>> af.assert_in_order(db.begin, db.save, db.commit)
    """
    __tracebackhide__ = True
    if not targets:
        raise TypeError("assert_in_order() takes at least one fake, in the expected order.")
    tracks = [ensure_track(target, "assert_in_order") for target in targets]
    records = [
        raw for raw in ordered(journal()._calls) if any(_matches(raw, target) for target in targets)
    ]
    position = 0
    for raw in records:
        if position < len(targets) and _matches(raw, targets[position]):
            position += 1
    if position == len(targets):
        return
    lines = ["Calls were not made in the expected order."]
    lines.append("Expected order:")
    missing = "  <- not found after the previous one"
    lines.extend(
        f"  {index}. {track.name}{missing if index == position + 1 else ''}"
        for index, track in enumerate(tracks, 1)
    )
    if records:
        lines.append(f"Actual calls ({len(records)}):")
        lines.extend(
            f"  {index}. {view(raw).describe()}  at {view(raw).site}"
            for index, raw in enumerate(records, 1)
        )
    else:
        lines.append("Actual calls: none.")
    raise VerificationError("\n".join(lines))


def _matches(raw: _Raw, target: object) -> bool:
    called = raw[TARGET]
    return called is target or is_descendant(called, target)


def assert_all_awaited() -> None:
    """Check that every call to an async fake in the active journal was awaited.

    A call whose awaitable was created and never awaited is the "forgot `await`"
    bug. Each such call is reported with its call site (file:line), and its
    awaitable is closed, so Python does not also emit a late
    "coroutine was never awaited" warning.

    Raises:
        VerificationError: some calls were never awaited.

    Example:
        >>> import asyncfakes as af
        >>> af.journal().clear()
        >>> save = af.AsyncFake(name="save")
        >>> _ = save(1)  # forgot await
        >>> try:
        ...     af.assert_all_awaited()
        ... except af.VerificationError as error:
        ...     print(str(error).splitlines()[0])
        1 call to an async fake was never awaited (a missing `await`?):
    """
    __tracebackhide__ = True
    report = close_forgotten(journal())
    if report:
        raise VerificationError(report)


def _callees(records: list[_Raw]) -> str:
    """Whose calls `records` are: an async fake's, a spied function's, or several of them."""
    targets: list[object] = list({id(raw[TARGET]): raw[TARGET] for raw in records}.values())
    spied = sum(1 for target in targets if getattr(type(target), "_af_spied", False) is True)
    if spied == 0:
        return "an async fake" if len(targets) == 1 else "async fakes"
    if spied == len(targets):
        return "a spied async function" if spied == 1 else "spied async functions"
    return "async fakes and spied async functions"


def close_forgotten(calls: Journal) -> str:
    """Close the never-awaited awaitables of the calls in `calls`; describe them ('' if none).

    What `assert_all_awaited` reports; the pytest plugin also warns with it for
    calls made outside a `Sandbox`, when the test that made them ends.
    """
    forgotten = [raw for raw in ordered(calls._calls) if is_unawaited(raw)]
    if not forgotten:
        return ""
    for raw in forgotten:
        awaitable = raw[AWAITABLE]
        raw[AWAITABLE] = None
        awaitable.close()
        raw[OUTCOME] = "cancelled"
    count = len(forgotten)
    lines = [
        f"{plural(count, 'call')} to {_callees(forgotten)} {'was' if count == 1 else 'were'} "
        "never awaited (a missing `await`?):"
    ]
    lines.extend(
        f"  {index}. {view(raw).describe()}  at {view(raw).site}"
        for index, raw in enumerate(forgotten, 1)
    )
    lines.append(
        "Await each call (or pass it to asyncio.create_task); "
        "the never-awaited coroutines have been closed."
    )
    return "\n".join(lines)
