"""`af.flaky`: async callables that fail, succeed, stall and hang on a script.

A `Flaky` is an async callable recorded in the core: each call is one
`CallRecord` (so `af.calls`, `af.verify` and the journal see it), and its
attempts, their loop times and the intervals between them are there to assert
a retry schedule. Its outcome list is walked one entry per awaited call
(exceptions are raised, other values returned, the last entry repeats).
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import math
import random as _random
import sys
from collections.abc import Callable, Coroutine, Sequence
from types import FrameType
from typing import Any, Final, Generic, TypeAlias, TypeVar, cast, overload

from typing_extensions import Never, TypeIs

from .._errors import SpecTypeError
from .._format import format_call
from .._recorder import (
    AWAITABLE,
    BOUND,
    STARTED,
    TRACK_ATTR,
    Deferred,
    Track,
    new_record,
    run_awaited,
)
from .._spec import BindError, MemberSpec, function_spec

__all__ = ["Flaky", "FlakyFactory", "flaky"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

Error: TypeAlias = "BaseException | type[BaseException]"
"""What a failing attempt raises: an exception instance or class."""

Latency: TypeAlias = "float | Sequence[float]"
"""Seconds of loop time before each attempt's outcome: one number, or one per attempt."""

# A public function under a private name (pyright would flag `sys._getframe`).
_getframe: Callable[[int], FrameType] = getattr(sys, "_getframe")  # noqa: B009

_get_running_loop = asyncio.events._get_running_loop

_RETURN: Final = 0
_RAISE: Final = 1
_HANG: Final = 2


async def _async_template(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - never run
    """Lends its code object so that `inspect.iscoroutinefunction(flaky)` holds."""


_COROUTINE_CODE: Final = _async_template.__code__
_ANY_SIGNATURE: Final = inspect.signature(_async_template)


class Flaky(Generic[T_co]):
    """An async callable that walks a script of outcomes; build it with `af.flaky`.

    Each call is recorded in the core (`af.calls(fn)`); awaiting it takes the
    next outcome: an exception is raised, a value returned, and the last outcome
    repeats. `inspect.iscoroutinefunction` is true for it, so retry decorators
    (tenacity, stamina, backoff) treat it as the async function it stands for.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> fetch = af.flaky(ConnectionError, "ok", latency=0.5)
        >>> async def main():
        ...     async with af.virtual_time():
        ...         for _ in range(3):
        ...             try:
        ...                 print(await fetch())
        ...             except ConnectionError:
        ...                 print("failed")
        >>> asyncio.run(main())
        failed
        ok
        ok
        >>> fetch.attempts, fetch.attempt_times, fetch.intervals
        (3, [0.0, 0.5, 1.0], [0.5, 0.5])
    """

    def __init__(
        self,
        pick: Callable[[int], tuple[int, Any]],
        *,
        builder: str,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> None:
        delays = _ensure_latency(builder, latency)
        signature: inspect.Signature | None = None
        member: MemberSpec | None = None
        if spec is not None:
            if not callable(spec):
                raise TypeError(
                    f"{builder}(spec={spec!r}): spec must be the real function "
                    "whose signature the calls are checked against"
                )
            signature = _signature_of(spec)
            member = function_spec(spec)
            if name is None:
                name = _name_of(spec)
        label = name or "flaky"
        namespace = self.__dict__
        namespace[TRACK_ATTR] = Track(label)
        self._pick = pick
        self._delays = delays
        self._served = 0
        self._member = member
        # What inspect.iscoroutinefunction and inspect.signature read: a flaky
        # passes for the async function it stands in for (as AsyncMock does).
        namespace["__code__"] = _COROUTINE_CODE
        namespace["__defaults__"] = None
        namespace["__kwdefaults__"] = None
        namespace["__annotations__"] = {}
        namespace["__name__"] = label
        namespace["__qualname__"] = label
        namespace["__signature__"] = _ANY_SIGNATURE if signature is None else signature

    def __call__(self, *args: Any, **kwargs: Any) -> Coroutine[Any, Any, T_co]:
        member = self._member
        bound = None if member is None else self._bind(member, args, kwargs)
        raw = new_record(self.__dict__[TRACK_ATTR], self, args, kwargs, _getframe(1))
        raw[BOUND] = bound
        awaitable: Coroutine[Any, Any, T_co] = run_awaited(raw, self)
        raw[AWAITABLE] = awaitable  # a call never awaited is reported as such
        return awaitable

    def _bind(
        self, member: MemberSpec, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> inspect.BoundArguments | None:
        try:
            return member.bind(args, kwargs)
        except BindError as error:
            # The same shape as fake()'s: Python's own words, the call, the real signature.
            raise SpecTypeError(
                f"{error}\n"
                f"  call:      {format_call(self.name, args, kwargs)}\n"
                f"  signature: {member.signature_text()}"
            ) from None

    def resolve_call(self, raw: list[Any]) -> Any:
        """Take the next outcome (the core's `Resolver` protocol)."""
        index = self._served
        self._served = index + 1
        kind, value = self._pick(index)
        delays = self._delays
        delay = delays[index] if index < len(delays) else delays[-1]
        if delay > 0 or kind == _HANG:
            return Deferred(_later(delay, kind, value))
        if kind == _RAISE:
            raise _fresh(value)
        return value

    @property
    def name(self) -> str:
        """The name used in messages: `name=`, else the spec's name, else ``"flaky"``."""
        track: Track = self.__dict__[TRACK_ATTR]
        return track.name

    @property
    def attempts(self) -> int:
        """How many times it was called."""
        track: Track = self.__dict__[TRACK_ATTR]
        return len(track.records)

    @property
    def attempt_times(self) -> list[float]:
        """The loop time of each call, oldest first (rounded to the nanosecond)."""
        track: Track = self.__dict__[TRACK_ATTR]
        return [round(raw[STARTED], 9) for raw in track.records]

    @property
    def intervals(self) -> list[float]:
        """Seconds between consecutive calls (rounded to the nanosecond): a backoff schedule."""
        track: Track = self.__dict__[TRACK_ATTR]
        times = [raw[STARTED] for raw in track.records]
        return [round(later - earlier, 9) for earlier, later in itertools.pairwise(times)]

    def __repr__(self) -> str:
        return f"<Flaky {self.name!r} attempts={self.attempts}>"


async def _later(delay: float, kind: int, value: Any) -> Any:
    # Under trio (through anyio) no asyncio loop runs: wait with trio's own primitives.
    trio = sys.modules.get("trio") if _get_running_loop() is None else None
    if delay > 0:
        await (asyncio.sleep(delay) if trio is None else trio.sleep(delay))
    if kind == _HANG:
        if trio is None:
            await asyncio.get_running_loop().create_future()
        else:
            await trio.sleep_forever()
    if kind == _RAISE:
        raise _fresh(value)
    return value


def _fresh(error: Any) -> BaseException | type[BaseException]:
    # Raising one instance again would chain each raise's traceback onto the last.
    return error if isinstance(error, type) else error.with_traceback(None)


def _name_of(function: Callable[..., Any]) -> str:
    qualname = getattr(function, "__qualname__", None) or getattr(function, "__name__", None)
    if not isinstance(qualname, str):
        return type(function).__name__
    return qualname.rpartition("<locals>.")[2]


def _signature_of(function: Callable[..., Any]) -> inspect.Signature:
    # Postponed annotations read better resolved (`int`, not `'int'`) in messages.
    try:
        return inspect.signature(function, eval_str=True)
    except Exception:
        return inspect.signature(function)


def _is_error(value: object) -> bool:
    return isinstance(value, BaseException) or (
        isinstance(value, type) and issubclass(value, BaseException)
    )


def _ensure_error(builder: str, error: object) -> None:
    if not _is_error(error):
        raise TypeError(
            f"{builder}(error={error!r}): error must be an exception class or instance, "
            "such as ConnectionError or ConnectionError('down')"
        )


def _is_seconds(value: object) -> TypeIs[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_probability(value: object) -> bool:
    return _is_seconds(value) and 0 <= value <= 1


def _ensure_latency(builder: str, latency: object) -> list[float]:
    message = (
        f"{builder}(latency={latency!r}): latency must be a number of seconds of at "
        "least 0, or a non-empty sequence of them (one per attempt, the last repeats)"
    )
    items: list[object]
    if _is_seconds(latency):
        items = [latency]
    elif isinstance(latency, Sequence) and not isinstance(latency, (str, bytes)):
        items = list(cast("Sequence[object]", latency))
        if not items:
            raise ValueError(message)
    else:
        raise TypeError(message)
    delays: list[float] = []
    for delay in items:
        if not _is_seconds(delay):
            raise TypeError(message)
        if not (math.isfinite(delay) and delay >= 0):
            raise ValueError(message)
        delays.append(float(delay))
    return delays


def _script(outcomes: Sequence[object]) -> Callable[[int], tuple[int, Any]]:
    entries = [(_RAISE if _is_error(value) else _RETURN, value) for value in outcomes]
    last = len(entries) - 1

    def pick(index: int) -> tuple[int, Any]:
        return entries[index if index < last else last]

    return pick


class FlakyFactory:
    """The type of `af.flaky`: call it with outcomes, or use a named shape.

    `af.flaky(*outcomes)`, `af.flaky.failing(...)`, `af.flaky.random(...)` and
    `af.flaky.hanging()` each return a `Flaky`. Every builder takes `latency=`
    (seconds of loop time before each outcome; a number, or a sequence with one
    per attempt whose last entry repeats), `spec=` (a real function: calls are
    bound to its signature and a call it would reject raises `TypeError`) and
    `name=` (for messages).

    Example:
        >>> import asyncio, asyncfakes as af
        >>> fetch = af.flaky.failing(2, ConnectionError("down"), then={"id": 1})
        >>> async def main():
        ...     for _ in range(3):
        ...         try:
        ...             return await fetch(1)
        ...         except ConnectionError:
        ...             pass
        >>> asyncio.run(main())
        {'id': 1}
        >>> [record.outcome for record in af.calls(fetch)]
        ['raised', 'raised', 'returned']
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "af.flaky"

    # pyright binds T to the first argument it may stand for, exception classes
    # included: the overloads with leading errors keep `af.flaky(OSError, "ok")`
    # a Flaky[str] for up to four errors before the first value.
    @overload
    def __call__(
        self,
        *outcomes: Error,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[Never]: ...

    @overload
    def __call__(
        self,
        error1: Error,
        error2: Error,
        error3: Error,
        error4: Error,
        /,
        *outcomes: T | Error,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[T]: ...

    @overload
    def __call__(
        self,
        error1: Error,
        error2: Error,
        error3: Error,
        /,
        *outcomes: T | Error,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[T]: ...

    @overload
    def __call__(
        self,
        error1: Error,
        error2: Error,
        /,
        *outcomes: T | Error,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[T]: ...

    @overload
    def __call__(
        self,
        error1: Error,
        /,
        *outcomes: T | Error,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[T]: ...

    @overload
    def __call__(
        self,
        *outcomes: T | Error,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[T]: ...

    def __call__(
        self,
        *outcomes: object,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[Any]:
        """An async callable whose calls walk `outcomes`.

        Args:
            *outcomes: one per call: exceptions (classes or instances) are
                raised, other values returned; the last one repeats.
            latency: seconds of loop time before each outcome, or one per attempt.
            spec: a real function whose signature calls must match.
            name: the name used in messages.

        Raises:
            TypeError: no outcomes, or `spec` is not callable.
            ValueError: a negative or empty `latency`.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> ping = af.flaky(TimeoutError, TimeoutError, "pong")
            >>> async def main():
            ...     results = []
            ...     for _ in range(4):
            ...         try:
            ...             results.append(await ping())
            ...         except TimeoutError as error:
            ...             results.append(type(error).__name__)
            ...     return results
            >>> asyncio.run(main())
            ['TimeoutError', 'TimeoutError', 'pong', 'pong']
        """
        if not outcomes:
            raise TypeError(
                "af.flaky() needs at least one outcome, such as "
                "af.flaky(ConnectionError, ConnectionError, 'ok'): exceptions are "
                "raised, other values returned, and the last one repeats"
            )
        return Flaky(_script(outcomes), builder="af.flaky", latency=latency, spec=spec, name=name)

    @overload
    def failing(
        self,
        times: int,
        error: Error,
        *,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[None]: ...

    @overload
    def failing(
        self,
        times: int,
        error: Error,
        *,
        then: T,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[T]: ...

    def failing(
        self,
        times: int,
        error: Error,
        *,
        then: object = None,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[Any]:
        """Fails the first `times` calls with `error`, then returns `then` forever.

        Args:
            times: how many calls fail (0 or more).
            error: the exception (class or instance) those calls raise.
            then: the value every later call returns (None by default).
            latency: seconds of loop time before each outcome, or one per attempt.
            spec: a real function whose signature calls must match.
            name: the name used in messages.

        Raises:
            ValueError: `times` is negative, or `latency` is.
            TypeError: `error` is not an exception.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> connect = af.flaky.failing(1, OSError("refused"), then="conn")
            >>> async def main():
            ...     try:
            ...         await connect()
            ...     except OSError as error:
            ...         print("first:", error)
            ...     print("second:", await connect())
            >>> asyncio.run(main())
            first: refused
            second: conn
        """
        builder = "af.flaky.failing"
        if not _is_count(times):
            raise ValueError(
                f"{builder}(times={times!r}): times must be a whole number of at least 0"
            )
        _ensure_error(builder, error)
        failure = (_RAISE, error)
        success = (_RETURN, then)

        def pick(index: int) -> tuple[int, Any]:
            return failure if index < times else success

        return Flaky(pick, builder=builder, latency=latency, spec=spec, name=name)

    @overload
    def random(
        self,
        rate: float,
        error: Error,
        *,
        seed: int = 0,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[None]: ...

    @overload
    def random(
        self,
        rate: float,
        error: Error,
        *,
        then: T,
        seed: int = 0,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[T]: ...

    def random(
        self,
        rate: float,
        error: Error,
        *,
        then: object = None,
        seed: int = 0,
        latency: Latency = 0,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[Any]:
        """Each call fails with probability `rate`, reproducibly for a given `seed`.

        Args:
            rate: the probability that a call fails, from 0 (never) to 1 (always).
            error: the exception (class or instance) a failing call raises.
            then: the value a successful call returns (None by default).
            seed: seeds the flaky's own random generator: the same seed gives the
                same sequence of failures and successes.
            latency: seconds of loop time before each outcome, or one per attempt.
            spec: a real function whose signature calls must match.
            name: the name used in messages.

        Raises:
            ValueError: `rate` is outside [0, 1], or `latency` is negative.
            TypeError: `error` is not an exception.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> def outcomes(seed):
            ...     send = af.flaky.random(0.5, ConnectionResetError, then="sent", seed=seed)
            ...     async def main():
            ...         results = []
            ...         for _ in range(6):
            ...             try:
            ...                 results.append(await send())
            ...             except ConnectionResetError:
            ...                 results.append("reset")
            ...         return results
            ...     return asyncio.run(main())
            >>> outcomes(seed=7)
            ['reset', 'reset', 'sent', 'reset', 'sent', 'reset']
            >>> outcomes(seed=7) == outcomes(seed=7)
            True
        """
        builder = "af.flaky.random"
        if not _is_probability(rate):
            raise ValueError(
                f"{builder}(rate={rate!r}): rate must be between 0 and 1 "
                "(the probability that a call fails)"
            )
        _ensure_error(builder, error)
        generator = _random.Random(seed)
        failure = (_RAISE, error)
        success = (_RETURN, then)

        def pick(index: int) -> tuple[int, Any]:
            return failure if generator.random() < rate else success

        return Flaky(pick, builder=builder, latency=latency, spec=spec, name=name)

    def hanging(
        self,
        *,
        spec: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> Flaky[Never]:
        """Every call waits forever, until it is cancelled (by a timeout, say).

        Args:
            spec: a real function whose signature calls must match.
            name: the name used in messages.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> stuck = af.flaky.hanging(name="db.query")
            >>> async def main():
            ...     async with af.virtual_time() as clock:
            ...         try:
            ...             await asyncio.wait_for(stuck("SELECT 1"), timeout=30)
            ...         except asyncio.TimeoutError:
            ...             return clock.now()
            >>> asyncio.run(main())
            30.0
            >>> af.calls(stuck)[0].outcome
            'cancelled'
        """

        def pick(index: int) -> tuple[int, Any]:
            return (_HANG, None)

        return Flaky(pick, builder="af.flaky.hanging", spec=spec, name=name)


flaky: Final = FlakyFactory()
"""Build a `Flaky`: ``af.flaky(*outcomes)``, ``.failing()``, ``.random()``, ``.hanging()``."""
