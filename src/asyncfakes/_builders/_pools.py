"""`af.pool()`: a connection pool fake with asyncpg's surface and real pool semantics.

Acquirers beyond `size` wait in FIFO order; a waiter cancelled while waiting
loses no slot; a connection released inside a cancelled `async with` still
goes back. Each acquisition is one call in the core (`af.calls(pool.acquire)`),
in flight from the moment the connection is handed out until it is released,
so `af.max_concurrency(pool.acquire) == pool.max_in_use`.
"""

from __future__ import annotations

import asyncio
import collections
import sys
from collections.abc import Awaitable, Callable, Generator
from types import FrameType, TracebackType
from typing import Any, Generic, Protocol, TypeVar, cast, overload

from .._cm import FakeAsyncContext
from .._errors import ConnectionReleasedError, LeakError, PoolClosedError, SpecAttributeError
from .._fake import AsyncFake, MagicFake
from .._format import plural
from .._recorder import (
    ARGS,
    AWAITABLE,
    KWARGS,
    NO_KWARGS,
    TRACK_ATTR,
    Deferred,
    Track,
    begin_await,
    fail,
    finish,
    new_record,
    run_awaited,
    view,
)
from .._spec import suggest
from .._specfake import fake
from .._types import is_number

__all__ = ["FakePool", "pool"]

C = TypeVar("C")
C_co = TypeVar("C_co", covariant=True)


if sys.version_info >= (3, 11):
    _AcquireTimeout = TimeoutError
else:  # 3.10: asyncio.TimeoutError is not the builtin yet; be both, as callers catch either
    _AcquireTimeout = type(
        "TimeoutError",
        (asyncio.TimeoutError, TimeoutError),
        {"__module__": "builtins", "__doc__": "An acquire that waited past its timeout."},
    )


def _driver_errors(spec: type | None) -> dict[str, type[BaseException]] | None:
    """The real driver's error types, when the pool is spec'd to asyncpg."""
    if spec is None or not spec.__module__.startswith("asyncpg"):
        return None
    import asyncpg

    interface: type[BaseException] = asyncpg.InterfaceError
    return {
        "closed": interface,
        "released": interface,
        "invalid": type("InvalidConnectionError", (interface, ValueError), {}),
    }


# What a lease holds, in one list (its only slot): the pool, the connection and
# the acquisition's record (None once released).
_POOL, _CONNECTION, _RAW = range(3)


class _Lease:
    """A connection handed out by one acquisition: a proxy that dies on release.

    Slotted, and built without __init__: a lease is made on every acquisition.
    Its ``__dict__`` is a read-only snapshot (``_af_lease_connection``, ...,
    and the connection's track, so that `af.calls(conn)` finds it).
    """

    __slots__ = ("__weakref__", "_af_lease")

    _af_lease: list[Any]

    @property
    def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
        lease = self._af_lease
        number, track = lease[_POOL]._numbers[id(lease[_CONNECTION])]
        return {
            "_af_lease_pool": lease[_POOL],
            "_af_lease_connection": lease[_CONNECTION],
            "_af_lease_raw": lease[_RAW],
            "_af_lease_number": number,
            TRACK_ATTR: track,  # None when the connection records nothing
        }

    def __getattr__(self, name: str) -> Any:
        if name == "_af_lease":  # a copy being built: no state yet
            raise AttributeError(name)
        lease = self._af_lease
        member = getattr(lease[_CONNECTION], name)
        if lease[_RAW] is None:
            return _ReleasedMember(self, name, member)
        return member

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "_af_lease":  # a copy being built
            _set_lease(self, value)
            return
        setattr(self._af_lease[_CONNECTION], name, value)

    def __repr__(self) -> str:
        lease = self._af_lease
        state = "released" if lease[_RAW] is None else "in use"
        number = lease[_POOL]._number_of(lease[_CONNECTION])
        return f"<connection #{number} of {lease[_POOL].name} ({state})>"


# A new lease, typed Any: it stands in for any connection type (and cast() is a call).
_new_lease: Callable[[], Any] = _Lease
# Sets a lease's slot, bypassing its __setattr__ (which forwards to the connection).
_set_lease: Callable[[object, list[Any]], None] = vars(_Lease)["_af_lease"].__set__


class _ReleasedMember:
    """A member of a released connection: calling it fails as the real driver does.

    Its calls can still be verified (`af.verify(conn.execute)` after the block).
    """

    def __init__(self, lease: _Lease, name: str, member: Any) -> None:
        self._lease = lease
        self._name = name
        track = getattr(member, "__dict__", {}).get(TRACK_ATTR)
        if track is not None:
            self.__dict__[TRACK_ATTR] = track

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        pool: FakePool[Any] = self._lease._af_lease[_POOL]
        raise pool._released_error(self._lease, self._name)

    def __repr__(self) -> str:
        return f"<{self._name} of {self._lease!r}>"


class _State(Generic[C]):
    """A pool's hot state, read and written on every acquisition and release.

    It lives apart from `FakePool`, whose spec-forwarding ``__getattr__`` makes
    each attribute access on the pool slower (Python 3.10 and 3.11 do not
    specialise attribute access on such a class).
    """

    __slots__ = (
        "acquire",
        "acquired",
        "closed",
        "closing",
        "connections",
        "drained",
        "held",
        "idle",
        "numbers",
        "pool",
        "size",
        "track",
        "waiters",
    )

    def __init__(self, pool: FakePool[C], size: int) -> None:
        self.pool = pool
        self.size = size
        self.track = Track(f"{pool.name}.acquire")
        self.acquire: Callable[..., Any] = _unset
        self.connections: list[C] = []
        self.idle: collections.deque[C] = collections.deque()
        self.waiters: collections.deque[asyncio.Future[C]] = collections.deque()
        self.held: list[_Lease] = []  # in acquisition order
        self.numbers: dict[int, tuple[int, Track | None]] = {}
        self.acquired = 0
        self.closing = False
        self.closed = False
        self.drained: asyncio.Event | None = None


def _unset() -> None:  # pragma: no cover - replaced before the pool is handed out
    raise AssertionError("unreachable")


class _AcquireContext(Generic[C_co]):
    """What `pool.acquire()` returns: awaitable, and an async context manager.

    Awaiting or entering it acquires a connection. When one is free that is a
    few plain steps: no future, no timeout, no extra coroutine. `_frame` (the
    site of the `acquire()` call) is cleared by the first use. `_lease` is set
    by ``__aenter__`` for ``__aexit__``; `_timeout` is the class's None unless
    the context is a `_TimedAcquireContext`.
    """

    __slots__ = ("_frame", "_lease", "_state")

    _frame: FrameType | None
    _lease: _Lease | None
    _state: _State[Any]
    _timeout: float | None = None

    # __await__ and __aenter__ repeat the same steps, inlined: this is the hot path.
    def __await__(self) -> Generator[Any, None, C_co]:
        frame = self._frame
        if frame is None:  # awaited a second time: another acquisition
            frame = sys._getframe(1)
        else:
            self._frame = None
        state = self._state
        if state.closing:
            raise state.pool._closed_error("closed" if state.closed else "closing")
        idle = state.idle
        if idle and self._timeout is None:
            raw = new_record(state.track, state.acquire, (), NO_KWARGS, frame)
            connection = idle.popleft()
        else:
            raw, connection = yield from _acquire_slowly(state, self._timeout, frame).__await__()
        begin_await(raw)
        state.acquired += 1
        lease = _new_lease()  # it stands in for the connection
        _set_lease(lease, [state.pool, connection, raw])
        state.held.append(lease)
        proxy: C_co = lease
        return proxy

    async def __aenter__(self) -> C_co:
        frame = self._frame
        state = self._state
        if frame is None:
            raise RuntimeError(
                f"{state.pool.name}.acquire(): this acquire context was already used; "
                f"call {state.pool.name}.acquire() again for another connection."
            )
        self._frame = None
        if state.closing:
            raise state.pool._closed_error("closed" if state.closed else "closing")
        idle = state.idle
        if idle and self._timeout is None:
            raw = new_record(state.track, state.acquire, (), NO_KWARGS, frame)
            connection = idle.popleft()
        else:
            raw, connection = await _acquire_slowly(state, self._timeout, frame)
        begin_await(raw)
        state.acquired += 1
        lease = self._lease = _new_lease()
        _set_lease(lease, [state.pool, connection, raw])
        state.held.append(lease)
        proxy: C_co = lease
        return proxy

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        lease = self._lease
        if lease is not None:
            self._lease = None
            # Released synchronously, so a cancelled block still returns its connection.
            _release(self._state, lease, check=False)


class _TimedAcquireContext(_AcquireContext[C_co]):
    """What `pool.acquire(timeout=...)` returns."""

    __slots__ = ("_timeout",)


async def _acquire_slowly(
    state: _State[C], timeout: float | None, frame: FrameType
) -> tuple[list[Any], C]:
    """An acquisition with a timeout, or with no idle connection: record it, then get one."""
    kwargs = NO_KWARGS if timeout is None else {"timeout": timeout}
    raw = new_record(state.track, state.acquire, (), kwargs, frame)
    idle = state.idle
    if idle:
        return raw, idle.popleft()
    if len(state.connections) < state.size:
        return raw, state.pool._create()
    return raw, await state.pool._wait(raw, timeout)


def _release(state: _State[C], connection: object, *, check: bool = True) -> None:
    """Take back the lease `connection`: its acquisition returns, the connection goes on.

    Synchronous on purpose: nothing between taking the lease and handing the
    connection on can be interrupted by a cancellation. Without `check`, a lease
    that is no longer held (terminated, or released inside the block) is ignored.
    """
    held = state.held
    if held and held[-1] is connection:  # the latest acquisition: the usual case
        lease = held.pop()
    else:
        found = _unhold(state, connection, check=check)
        if found is None:
            return
        lease = found
    record = lease._af_lease
    returned: C = record[_CONNECTION]
    finish(record[_RAW], returned)
    record[_RAW] = None
    if state.waiters or state.closing:
        _hand_on(state, returned)
    else:
        state.idle.append(returned)


def _hand_on(state: _State[C], connection: C) -> None:
    """Where a released connection goes when acquirers wait or the pool is closing."""
    if state.closed:
        return
    if state.waiters:
        state.pool._give_back(connection)
    else:
        state.idle.append(connection)
    if state.drained is not None and not state.held:
        state.drained.set()


def _unhold(state: _State[C], connection: object, *, check: bool) -> _Lease | None:
    """Remove `connection` from the held leases (not the latest one); None if absent."""
    held = state.held
    for index, lease in enumerate(held):
        if lease is connection:
            del held[index]
            return lease
    if check:
        raise state.pool._release_error(connection)
    return None


class _AcquireMethod(Protocol[C_co]):
    """The type of `pool.acquire`."""

    def __call__(self, *, timeout: float | None = None) -> _AcquireContext[C_co]: ...


def _acquire_method(state: _State[C]) -> _AcquireMethod[C]:
    """`pool.acquire`: a recorded function (cheaper to call than an object) returning a context."""
    pool = state.pool

    def acquire(*, timeout: float | None = None) -> _AcquireContext[C]:
        context: _AcquireContext[C]
        if timeout is None:
            context = _AcquireContext()
        else:
            pool._check_timeout(timeout)
            context = _TimedAcquireContext()
            context._timeout = timeout
        context._state = state
        context._frame = sys._getframe(1)
        return context

    namespace = acquire.__dict__
    namespace[TRACK_ATTR] = state.track
    # Like a bound method: a Sandbox finds the pool behind a call of pool.acquire
    # in its journal, and runs the pool's leak check.
    namespace["__self__"] = pool
    acquire.__qualname__ = f"{pool.name}.acquire"
    state.acquire = acquire
    return acquire


def _release_method(state: _State[C]) -> Callable[..., Awaitable[None]]:
    """`pool.release`: a function of the pool's own, found without a method lookup."""

    async def release(connection: C, *, timeout: float | None = None) -> None:
        # The usual case, the latest acquisition released, inlined from `_release`:
        # this is the hot path of `await pool.release(conn)`.
        held = state.held
        if not held or held[-1] is not connection or state.waiters or state.closing:
            _release(state, connection)
            return
        record = held.pop()._af_lease
        returned: C = record[_CONNECTION]
        finish(record[_RAW], returned)
        record[_RAW] = None
        state.idle.append(returned)

    release.__name__ = "release"
    release.__qualname__ = f"{state.pool.name}.release"
    release.__doc__ = vars(FakePool)["release"].__doc__
    return release


_SHORTCUTS = ("fetch", "fetchrow", "fetchval", "execute", "executemany")


class _OnConnection:
    """The resolver of a pool shortcut's call: the same call on an acquired connection."""

    __slots__ = ("method", "pool")

    def __init__(self, pool: FakePool[Any], method: str) -> None:
        self.pool = pool
        self.method = method

    def resolve_call(self, raw: list[Any]) -> Any:
        return Deferred(self.pool._on_connection(self.method, *raw[ARGS], **raw[KWARGS]))


def _shortcut(pool: FakePool[Any], method: str) -> Callable[..., Awaitable[Any]]:
    """`pool.fetchrow` and the other shortcuts: recorded calls, like `pool.acquire`."""
    resolver = _OnConnection(pool, method)
    track = Track(f"{pool.name}.{method}")

    def shortcut(*args: Any, **kwargs: Any) -> Awaitable[Any]:
        raw = new_record(track, shortcut, args, kwargs or NO_KWARGS, sys._getframe(1))
        raw[AWAITABLE] = awaitable = run_awaited(raw, resolver)
        return awaitable

    namespace = shortcut.__dict__
    namespace[TRACK_ATTR] = track
    namespace["__self__"] = pool
    shortcut.__qualname__ = shortcut.__name__ = f"{pool.name}.{method}"
    shortcut.__doc__ = getattr(FakePool, method).__doc__
    return shortcut


class FakePool(Generic[C]):
    """A connection pool fake; build it with `af.pool()`.

    Attributes:
        connections: every connection the pool created, in creation order.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> db = af.pool(size=2)
        >>> async def main():
        ...     first = await db.acquire()
        ...     async with db.acquire():
        ...         busy = db.in_use
        ...     await db.release(first)
        ...     return busy
        >>> asyncio.run(main()), db.in_use, db.max_in_use, db.acquired
        (2, 0, 2, 2)
    """

    def __init__(
        self,
        factory: Callable[[], C],
        *,
        size: int,
        acquire_timeout: float | None,
        spec: type | None,
        name: str,
    ) -> None:
        self.name = name
        self._factory = factory
        self._size = size
        self._timeout = acquire_timeout
        self._spec = spec
        self._errors = _driver_errors(spec)
        state = self._state = _State(self, size)
        self.connections: list[C] = state.connections
        self._idle = state.idle
        self._waiters = state.waiters
        self._numbers = state.numbers
        self.acquire: _AcquireMethod[C] = _acquire_method(state)
        self.__dict__["release"] = _release_method(state)
        # Recorded calls in the instance, over the class's methods (typed there).
        for method in _SHORTCUTS:
            self.__dict__[method] = _shortcut(self, method)
        self.__dict__[TRACK_ATTR] = state.track
        self._spec_fake: Any = None

    # -- state -----------------------------------------------------------------

    @property
    def acquired(self) -> int:
        """How many acquisitions succeeded."""
        return self._state.acquired

    @property
    def max_in_use(self) -> int:
        """The largest number of connections held at once."""
        # Each acquisition is in flight on the pool's track while it is held.
        return self._state.track.max_in_flight

    @property
    def in_use(self) -> int:
        """How many connections are held right now."""
        return len(self._state.held)

    @property
    def _leases(self) -> dict[int, _Lease]:
        """The leases held now, by id (a snapshot)."""
        return {id(lease): lease for lease in self._state.held}

    @property
    def size(self) -> int:
        """The pool's capacity."""
        return self._size

    @property
    def _closing(self) -> bool:
        return self._state.closing

    @property
    def _closed(self) -> bool:
        return self._state.closed

    def get_size(self) -> int:
        """As asyncpg: the number of connections the pool holds (created so far)."""
        return len(self.connections)

    def get_max_size(self) -> int:
        """As asyncpg: the pool's capacity."""
        return self._size

    def get_min_size(self) -> int:
        """As asyncpg: this fake creates connections on demand."""
        return 0

    def get_idle_size(self) -> int:
        """As asyncpg: connections created and not in use."""
        return len(self._idle)

    def is_closing(self) -> bool:
        """As asyncpg: True once close() or terminate() was called."""
        return self._state.closing

    # -- acquire / release -------------------------------------------------------

    def _check_timeout(self, timeout: object) -> None:
        if not is_number(timeout):
            raise TypeError(
                f"{self.name}.acquire(timeout={timeout!r}): timeout must be a number of "
                f"seconds or None, not {type(timeout).__name__}"
            )
        if cast("float", timeout) < 0:
            raise ValueError(
                f"{self.name}.acquire(timeout={timeout}): timeout must not be negative"
            )

    def _number_of(self, connection: object) -> int:
        """The connection's number in this pool (1 for the first one created)."""
        return self._numbers[id(connection)][0]

    def _create(self) -> C:
        connection = self._factory()
        self.connections.append(connection)
        track = getattr(connection, "__dict__", {}).get(TRACK_ATTR)
        self._numbers[id(connection)] = (len(self.connections), track)
        return connection

    async def _wait(self, raw: list[Any], timeout: float | None) -> C:
        """Wait (FIFO) for a released connection; the acquisition `raw` fails if this does."""
        if timeout is None:
            timeout = self._timeout
        try:
            if timeout is None:
                return await self._wait_in_line()
            try:
                return await asyncio.wait_for(self._wait_in_line(), timeout)
            except asyncio.TimeoutError:
                raise _AcquireTimeout(
                    f"{self.name}.acquire(): no connection was released within "
                    f"{timeout} s ({len(self._state.held)} of {self._size} in use); "
                    f"release connections sooner, raise size=, or check for a leak "
                    f"with {self.name}.assert_all_released()."
                ) from None
        except BaseException as error:
            fail(raw, error)
            raise

    async def _wait_in_line(self) -> C:
        if self._idle:  # freed while the timeout was being set up
            return self._idle.popleft()
        future: asyncio.Future[C] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        try:
            return await future
        except BaseException:
            if future.done() and not future.cancelled():
                # Handed a connection just as we were cancelled: give it back.
                self._give_back(future.result())
            else:
                future.cancel()
                try:
                    self._waiters.remove(future)
                except ValueError:
                    pass
            raise

    def _give_back(self, connection: C) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append(connection)

    async def release(self, connection: C, *, timeout: float | None = None) -> None:
        """Return a connection obtained from `acquire()` to the pool.

        Raises:
            ValueError: `connection` is not a connection of this pool, or was already released.
        """
        # `pool.release` is the pool's own function (`_release_method`), the same
        # steps with the usual case inlined; this method is what it falls back on.
        _release(self._state, connection)

    def _release_error(self, connection: object) -> BaseException:
        ours = isinstance(connection, _Lease) and connection._af_lease[_POOL] is self
        if ours:
            return self._invalid_error(
                f"{self.name}.release({connection!r}): this connection was already "
                "released; release each acquired connection exactly once."
            )
        return self._invalid_error(
            f"{self.name}.release({connection!r}): not a connection of this pool; "
            f"pass the connection returned by {self.name}.acquire()."
        )

    # -- creation idioms ---------------------------------------------------------

    def __await__(self) -> Generator[Any, None, FakePool[C]]:
        """As asyncpg's Pool: ``await`` gives the pool itself (``pool = await create_pool(...)``).

        Example:
            >>> import asyncio, asyncfakes as af
            >>> db = af.pool()
            >>> async def main():
            ...     return await db
            >>> asyncio.run(main()) is db
            True
        """
        return self
        yield  # a generator: `await pool` runs no step and gives the pool

    async def __aenter__(self) -> FakePool[C]:
        """As asyncpg's Pool: ``async with`` gives the pool and closes it on exit.

        Example:
            >>> import asyncio, asyncfakes as af
            >>> db = af.pool()
            >>> async def main():
            ...     async with db as pool:
            ...         await pool.execute("SELECT 1")
            ...     return db.is_closing()
            >>> asyncio.run(main())
            True
        """
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- closing ---------------------------------------------------------------

    async def close(self) -> None:
        """As asyncpg: stop handing out connections and wait until all are released."""
        state = self._state
        state.closing = True
        if state.held:
            drained = state.drained = asyncio.Event()
            await drained.wait()
        self._shut()

    def terminate(self) -> None:
        """As asyncpg: close at once; connections still held become unusable."""
        self._state.closing = True
        held = self._state.held
        for lease in held:
            record = lease._af_lease
            fail(record[_RAW], self._closed_error("closed"))
            record[_RAW] = None
        held.clear()
        self._shut()

    def _shut(self) -> None:
        self._state.closed = True
        self._idle.clear()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(self._closed_error("closed"))

    # -- asyncpg shortcuts ---------------------------------------------------

    async def _on_connection(self, method: str, *args: Any, **kwargs: Any) -> Any:
        async with self.acquire() as connection:
            return await getattr(connection, method)(*args, **kwargs)

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> Any:
        """Run `connection.fetch(...)` on an acquired connection (as asyncpg's Pool.fetch)."""
        return await self._on_connection("fetch", query, *args, **kwargs)

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> Any:
        """Run `connection.fetchrow(...)` on an acquired connection."""
        return await self._on_connection("fetchrow", query, *args, **kwargs)

    async def fetchval(self, query: str, *args: Any, **kwargs: Any) -> Any:
        """Run `connection.fetchval(...)` on an acquired connection."""
        return await self._on_connection("fetchval", query, *args, **kwargs)

    async def execute(self, query: str, *args: Any, **kwargs: Any) -> Any:
        """Run `connection.execute(...)` on an acquired connection."""
        return await self._on_connection("execute", query, *args, **kwargs)

    async def executemany(self, command: str, args: Any, **kwargs: Any) -> Any:
        """Run `connection.executemany(...)` on an acquired connection."""
        return await self._on_connection("executemany", command, args, **kwargs)

    # -- leaks -------------------------------------------------------------------

    def assert_all_released(self) -> None:
        """Check that every acquired connection was released.

        Raises:
            LeakError: naming each connection still held and where it was acquired.
        """
        __tracebackhide__ = True
        if not self._state.held:
            return
        held = sorted(
            self._state.held, key=lambda lease: self._number_of(lease._af_lease[_CONNECTION])
        )
        lines = [f"{self.name}: {plural(len(held), 'connection')} acquired and never released:"]
        for index, lease in enumerate(held, 1):
            record = view(lease._af_lease[_RAW])
            task = f" by task {record.task_name}" if record.task_name else ""
            lines.append(
                f"  {index}. connection #{self._number_of(lease._af_lease[_CONNECTION])} "
                f"acquired at {record.site}{task}"
            )
        lines.append(
            f"Release each one with `await {self.name}.release(conn)`, or acquire it with "
            f"`async with {self.name}.acquire() as conn:`."
        )
        raise LeakError("\n".join(lines))

    def _af_leak_check(self) -> None:
        self.assert_all_released()

    # -- errors ------------------------------------------------------------------

    def _closed_error(self, state: str) -> BaseException:
        if self._errors is not None:
            return self._errors["closed"](f"pool is {state}")
        return PoolClosedError(
            f"{self.name}.acquire(): the pool is {state}; acquire connections before "
            f"{self.name}.close(), or build a new pool."
        )

    def _released_error(self, lease: _Lease, attribute: str) -> BaseException:
        if self._errors is not None:
            return self._errors["released"](
                f"cannot call Connection.{attribute}(): "
                "connection has been released back to the pool"
            )
        return ConnectionReleasedError(
            f"{lease!r}.{attribute}: the connection was used after it was released back to "
            f"{self.name}; acquire it again, or use it only inside "
            f"`async with {self.name}.acquire() as conn:`."
        )

    def _invalid_error(self, message: str) -> BaseException:
        if self._errors is not None:
            return self._errors["invalid"](message)
        return ValueError(message)

    # -- spec ---------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or "_spec" not in self.__dict__:
            raise AttributeError(name)
        spec = self.__dict__["_spec"]
        if spec is None:
            raise AttributeError(
                f"{self.name} has no attribute {name!r} (an af.pool() without spec= has "
                "acquire, release, close, terminate, fetch, fetchrow, fetchval, execute, "
                "executemany); pass spec= to imitate a real pool class."
            )
        if not hasattr(spec, name):
            close = suggest(name, [n for n in dir(spec) if not n.startswith("_")])
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise SpecAttributeError(
                f"{spec.__module__}.{spec.__qualname__} has no attribute {name!r}.{hint}"
            )
        if self._spec_fake is None:
            self._spec_fake = fake(spec, name=self.name)
        return getattr(self._spec_fake, name)

    def __repr__(self) -> str:
        return (
            f"<FakePool {self.name}: size {self._size}, {self.in_use} in use, "
            f"{len(self.connections)} created{', closed' if self._closed else ''}>"
        )


def _default_factory(spec: type | None, name: str) -> Callable[[], Any]:
    connection_class: type[Any] | None = None
    if spec is not None and spec.__module__.startswith("asyncpg"):
        import asyncpg

        connection_class = asyncpg.Connection
    counter = iter(range(1, sys.maxsize))

    def create() -> Any:
        number = next(counter)
        label = f"{name}.connection#{number}"
        if connection_class is not None:
            return fake(connection_class, name=label)
        connection = AsyncFake(name=label)

        def transaction(*args: object, **kwargs: object) -> FakeAsyncContext[None]:
            return FakeAsyncContext(None, name=f"{label}.transaction()")

        # A plain connection still gets transaction() as a recorded async context,
        # named as a spec'd connection's is.
        connection.transaction = MagicFake(name=f"{label}.transaction", side_effect=transaction)
        return connection

    return create


@overload
def pool(
    factory: Callable[[], C],
    *,
    size: int = 10,
    acquire_timeout: float | None = None,
    spec: type | None = None,
    name: str = "pool",
) -> FakePool[C]: ...
@overload
def pool(
    factory: None = None,
    *,
    size: int = 10,
    acquire_timeout: float | None = None,
    spec: type | None = None,
    name: str = "pool",
) -> FakePool[Any]: ...
def pool(
    factory: Callable[[], Any] | None = None,
    *,
    size: int = 10,
    acquire_timeout: float | None = None,
    spec: type | None = None,
    name: str = "pool",
) -> FakePool[Any]:
    """Build a connection pool fake with an asyncpg-compatible surface.

    Args:
        factory: a zero-argument callable that builds one connection (default:
            `af.fake(asyncpg.Connection)` when `spec` is asyncpg's Pool, else an `AsyncFake`
            whose `transaction()` is a recorded async context manager).
        size: how many connections may be held at once; further acquirers wait (FIFO).
        acquire_timeout: seconds (loop time) an acquirer waits before `asyncio.TimeoutError`.
        spec: the real pool class to imitate (its errors are raised; unknown attributes fail).
        name: the name used in messages.

    Returns:
        A `FakePool`, generic in the connection type.

    Raises:
        ValueError: `size` below 1 or a negative `acquire_timeout`.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> db = af.pool(size=2)
        >>> async def main():
        ...     async with db.acquire() as conn:
        ...         await conn.execute("SELECT 1")
        ...     return db.in_use, db.acquired
        >>> asyncio.run(main())
        (0, 1)
        >>> db.assert_all_released()
    """
    if type(size) is not int or size < 1:
        raise ValueError(f"af.pool(size={size!r}): size must be a whole number of at least 1")
    if acquire_timeout is not None and not is_number(acquire_timeout):
        raise TypeError(
            f"af.pool(acquire_timeout={acquire_timeout!r}): acquire_timeout must be a number "
            f"of seconds or None, not {type(acquire_timeout).__name__}"
        )
    if acquire_timeout is not None and acquire_timeout < 0:
        raise ValueError(
            f"af.pool(acquire_timeout={acquire_timeout!r}): the timeout must not be negative"
        )
    if factory is None:
        factory = _default_factory(spec, name)
    elif not callable(factory):
        raise TypeError(
            f"af.pool(factory={factory!r}): factory must be a zero-argument callable that "
            "builds one connection, such as `lambda: af.fake(asyncpg.Connection)`."
        )
    return FakePool(factory, size=size, acquire_timeout=acquire_timeout, spec=spec, name=name)
