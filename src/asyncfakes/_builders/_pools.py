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
import difflib
import sys
from collections.abc import Callable, Generator
from types import FrameType, TracebackType
from typing import Any, Generic, TypeVar, cast, overload

from .._cm import FakeAsyncContext
from .._errors import ConnectionReleasedError, LeakError, PoolClosedError, SpecAttributeError
from .._fake import AsyncFake, MagicFake
from .._format import plural
from .._recorder import TRACK_ATTR, Track, begin_await, fail, finish, new_record, view
from .._types import is_number

__all__ = ["FakePool", "pool"]

C = TypeVar("C")


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


class _Lease(Generic[C]):
    """A connection handed out by one acquisition: a proxy that dies on release."""

    def __init__(
        self, pool: FakePool[C], connection: C, raw: list[Any], number: int, track: Track | None
    ) -> None:
        namespace = self.__dict__
        namespace["_af_lease_pool"] = pool
        namespace["_af_lease_connection"] = connection
        namespace["_af_lease_raw"] = raw
        namespace["_af_lease_number"] = number
        namespace["_af_lease_released"] = False
        if track is not None:
            namespace[TRACK_ATTR] = track

    def __getattr__(self, name: str) -> Any:
        namespace = self.__dict__
        member = getattr(namespace["_af_lease_connection"], name)
        if namespace["_af_lease_released"]:
            return _ReleasedMember(self, name, member)
        return member

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.__dict__["_af_lease_connection"], name, value)

    def __repr__(self) -> str:
        state = "released" if self.__dict__["_af_lease_released"] else "in use"
        return (
            f"<connection #{self.__dict__['_af_lease_number']} of "
            f"{self.__dict__['_af_lease_pool'].name} ({state})>"
        )


class _ReleasedMember:
    """A member of a released connection: calling it fails as the real driver does.

    Its calls can still be verified (`af.verify(conn.execute)` after the block).
    """

    def __init__(self, lease: _Lease[Any], name: str, member: Any) -> None:
        self._lease = lease
        self._name = name
        track = getattr(member, "__dict__", {}).get(TRACK_ATTR)
        if track is not None:
            self.__dict__[TRACK_ATTR] = track

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        pool: FakePool[Any] = self._lease.__dict__["_af_lease_pool"]
        raise pool._released_error(self._lease, self._name)

    def __repr__(self) -> str:
        return f"<{self._name} of {self._lease!r}>"


class _AcquireContext(Generic[C]):
    """What `pool.acquire()` returns: awaitable, and an async context manager."""

    __slots__ = ("_done", "_frame", "_lease", "_pool", "_timeout")

    def __init__(self, pool: FakePool[C], timeout: float | None, frame: FrameType) -> None:
        self._pool = pool
        self._timeout = timeout
        self._frame: FrameType | None = frame
        self._lease: _Lease[C] | None = None
        self._done = False

    def _take_frame(self) -> FrameType:
        frame = self._frame if self._frame is not None else sys._getframe(2)
        self._frame = None
        return frame

    def __await__(self) -> Generator[Any, None, C]:
        self._done = True
        frame = self._frame if self._frame is not None else sys._getframe(1)
        self._frame = None
        # The lease stands in for the connection.
        return cast(
            "Generator[Any, None, C]", self._pool._acquire(self._timeout, frame).__await__()
        )

    async def __aenter__(self) -> C:
        if self._lease is not None or self._done:
            raise RuntimeError(
                f"{self._pool.name}.acquire(): this acquire context was already used; "
                f"call {self._pool.name}.acquire() again for another connection."
            )
        lease = await self._pool._acquire(self._timeout, self._take_frame())
        self._lease = lease
        return cast("C", lease)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done = True
        lease, self._lease = self._lease, None
        if lease is not None and not lease.__dict__["_af_lease_released"]:
            # Released synchronously, so a cancelled block still returns its connection.
            self._pool._release(lease)


class _AcquireMethod(Generic[C]):
    """`pool.acquire`: a recorded callable returning an acquire context."""

    def __init__(self, pool: FakePool[C]) -> None:
        self.__dict__[TRACK_ATTR] = Track(f"{pool.name}.acquire")
        self._pool = pool
        # Like a bound method: a Sandbox finds the pool behind a call of pool.acquire
        # in its journal, and runs the pool's leak check.
        self.__self__ = pool

    def __call__(self, *, timeout: float | None = None) -> _AcquireContext[C]:
        if timeout is not None and not is_number(timeout):
            raise TypeError(
                f"{self._pool.name}.acquire(timeout={timeout!r}): timeout must be a number of "
                f"seconds or None, not {type(timeout).__name__}"
            )
        if timeout is not None and timeout < 0:
            raise ValueError(
                f"{self._pool.name}.acquire(timeout={timeout}): timeout must not be negative"
            )
        return _AcquireContext(self._pool, timeout, sys._getframe(1))

    def __repr__(self) -> str:
        return f"<bound method acquire of {self._pool!r}>"


class FakePool(Generic[C]):
    """A connection pool fake; build it with `af.pool()`.

    Attributes:
        connections: every connection the pool created, in creation order.
        acquired: how many acquisitions succeeded.
        max_in_use: the largest number of connections held at once.

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
        self.connections: list[C] = []
        self._idle: collections.deque[C] = collections.deque()
        self._waiters: collections.deque[asyncio.Future[C]] = collections.deque()
        self._leases: dict[int, _Lease[C]] = {}
        self._numbers: dict[int, tuple[int, Track | None]] = {}
        self.acquired: int = 0
        self.max_in_use: int = 0
        self._closing = False
        self._closed = False
        self._drained: asyncio.Event | None = None
        self.acquire: _AcquireMethod[C] = _AcquireMethod(self)
        self.__dict__[TRACK_ATTR] = self.acquire.__dict__[TRACK_ATTR]
        self._spec_fake: Any = None

    # -- state -----------------------------------------------------------------

    @property
    def in_use(self) -> int:
        """How many connections are held right now."""
        return len(self._leases)

    @property
    def size(self) -> int:
        """The pool's capacity."""
        return self._size

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
        return self._closing

    # -- acquire / release -------------------------------------------------------

    async def _acquire(self, timeout: float | None, frame: FrameType) -> _Lease[C]:
        if self._closing:
            raise self._closed_error("closing" if not self._closed else "closed")
        track: Track = self.__dict__[TRACK_ATTR]
        raw = new_record(
            track, self.acquire, (), {} if timeout is None else {"timeout": timeout}, frame
        )
        if self._idle:
            connection = self._idle.popleft()
        elif len(self.connections) < self._size:
            connection = self._create()
        else:
            if timeout is None:
                timeout = self._timeout
            try:
                if timeout is None:
                    connection = await self._wait()
                else:
                    try:
                        connection = await asyncio.wait_for(self._wait(), timeout)
                    except asyncio.TimeoutError:
                        raise _AcquireTimeout(
                            f"{self.name}.acquire(): no connection was released within "
                            f"{timeout} s ({len(self._leases)} of {self._size} in use); "
                            f"release connections sooner, raise size=, or check for a leak "
                            f"with {self.name}.assert_all_released()."
                        ) from None
            except BaseException as error:
                fail(raw, error)
                raise
        begin_await(raw)
        self.acquired += 1
        number, connection_track = self._numbers[id(connection)]
        lease = _Lease(self, connection, raw, number, connection_track)
        leases = self._leases
        leases[id(lease)] = lease
        self.max_in_use = max(self.max_in_use, len(leases))
        return lease

    def _create(self) -> C:
        connection = self._factory()
        self.connections.append(connection)
        track = getattr(connection, "__dict__", {}).get(TRACK_ATTR)
        self._numbers[id(connection)] = (len(self.connections), track)
        return connection

    async def _wait(self) -> C:
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
        self._release(connection)

    def _release(self, connection: object) -> None:
        # Synchronous on purpose: nothing between taking the lease and handing the
        # connection on can be interrupted by a cancellation.
        lease = self._leases.pop(id(connection), None)
        if lease is None or lease is not connection:
            if lease is not None:  # another object with a recycled id
                self._leases[id(connection)] = lease
            if isinstance(connection, _Lease) and connection.__dict__["_af_lease_pool"] is self:
                raise self._invalid_error(
                    f"{self.name}.release({connection!r}): this connection was already "
                    "released; release each acquired connection exactly once."
                )
            raise self._invalid_error(
                f"{self.name}.release({connection!r}): not a connection of this pool; "
                f"pass the connection returned by {self.name}.acquire()."
            )
        namespace = lease.__dict__
        namespace["_af_lease_released"] = True
        finish(namespace["_af_lease_raw"], namespace["_af_lease_connection"])
        if self._closed:
            return
        self._give_back(namespace["_af_lease_connection"])
        if self._drained is not None and not self._leases:
            self._drained.set()

    # -- closing ---------------------------------------------------------------

    async def close(self) -> None:
        """As asyncpg: stop handing out connections and wait until all are released."""
        self._closing = True
        if self._leases:
            self._drained = asyncio.Event()
            await self._drained.wait()
        self._shut()

    def terminate(self) -> None:
        """As asyncpg: close at once; connections still held become unusable."""
        self._closing = True
        for lease in list(self._leases.values()):
            lease.__dict__["_af_lease_released"] = True
            fail(lease.__dict__["_af_lease_raw"], self._closed_error("closed"))
        self._leases.clear()
        self._shut()

    def _shut(self) -> None:
        self._closed = True
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
        if not self._leases:
            return
        held = sorted(self._leases.values(), key=lambda lease: lease.__dict__["_af_lease_number"])
        lines = [f"{self.name}: {plural(len(held), 'connection')} acquired and never released:"]
        for index, lease in enumerate(held, 1):
            record = view(lease.__dict__["_af_lease_raw"])
            task = f" by task {record.task_name}" if record.task_name else ""
            lines.append(
                f"  {index}. connection #{lease.__dict__['_af_lease_number']} "
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

    def _released_error(self, lease: _Lease[C], attribute: str) -> BaseException:
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
            close = difflib.get_close_matches(name, [n for n in dir(spec) if not n.startswith("_")])
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise SpecAttributeError(
                f"{spec.__module__}.{spec.__qualname__} has no attribute {name!r}.{hint}"
            )
        if self._spec_fake is None:
            self._spec_fake = _create_spec_fake(spec, self.name)
        return getattr(self._spec_fake, name)

    def __repr__(self) -> str:
        return (
            f"<FakePool {self.name}: size {self._size}, {self.in_use} in use, "
            f"{len(self.connections)} created{', closed' if self._closed else ''}>"
        )


def _create_spec_fake(spec: type, name: str) -> Any:
    from .. import _fake

    create = getattr(_fake, "fake", None)
    if create is not None:
        return create(spec, name=name)
    return AsyncFake(spec=spec, name=name)


def _default_factory(spec: type | None, name: str) -> Callable[[], Any]:
    connection_class: type | None = None
    if spec is not None and spec.__module__.startswith("asyncpg"):
        import asyncpg

        connection_class = asyncpg.Connection
    counter = iter(range(1, sys.maxsize))

    def create() -> Any:
        number = next(counter)
        label = f"{name}.connection#{number}"
        if connection_class is not None:
            from .. import _fake

            create_fake = getattr(_fake, "fake", None)
            if create_fake is not None:
                return create_fake(connection_class, name=label)
        connection = AsyncFake(name=label)

        def transaction(*args: object, **kwargs: object) -> FakeAsyncContext[None]:
            return FakeAsyncContext(None, name=f"{label}.transaction")

        # A plain connection still gets transaction() as a recorded async context.
        connection.transaction = MagicFake(name="transaction", side_effect=transaction)
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
