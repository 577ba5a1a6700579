"""The exception tree of asyncfakes.

Every error subclasses the builtin a user would catch::

    AsyncFakesError
    ├── SpecError
    │   ├── SpecAttributeError(SpecError, AttributeError)   unknown attribute
    │   └── SpecTypeError(SpecError, TypeError)             bad call shape, wrong kind of stub
    ├── UnstubbedCallError(AsyncFakesError, AssertionError) strict fake called without a stub
    ├── VerificationError(AsyncFakesError, AssertionError)  a verify()/assert_* check failed
    ├── LeakError(AsyncFakesError, AssertionError)          a resource outlived its test
    ├── PoolClosedError(AsyncFakesError, RuntimeError)      acquire from a closed pool
    └── ConnectionReleasedError(AsyncFakesError, RuntimeError)  pooled connection used after release

Messages are API: each names the fake, the call and what to do next.
"""

from __future__ import annotations

__all__ = [
    "AsyncFakesError",
    "ConnectionReleasedError",
    "LeakError",
    "PoolClosedError",
    "SpecAttributeError",
    "SpecError",
    "SpecTypeError",
    "UnstubbedCallError",
    "VerificationError",
]


class AsyncFakesError(Exception):
    """Base class of every error asyncfakes raises.

    Example:
        >>> import asyncfakes as af
        >>> issubclass(af.VerificationError, af.AsyncFakesError)
        True
    """


class SpecError(AsyncFakesError):
    """A fake was used in a way its real counterpart would reject.

    Concrete errors also subclass `AttributeError` (unknown attribute) or
    `TypeError` (bad call shape, wrong kind of stub), so code that catches the
    builtin keeps working.

    Example:
        >>> import asyncpg, asyncfakes as af
        >>> try:
        ...     af.pool(spec=asyncpg.Pool).fetchrows
        ... except af.SpecError as error:
        ...     print(isinstance(error, AttributeError), str(error).split(". ")[-1])
        True Did you mean 'fetchrow', 'fetch'?
    """


class SpecAttributeError(SpecError, AttributeError):
    """An attribute the real class does not have was read or set (also an `AttributeError`).

    Example:
        >>> import httpx, asyncfakes as af
        >>> try:
        ...     af.fake(httpx.AsyncClient).gett
        ... except af.SpecAttributeError as error:
        ...     print(isinstance(error, AttributeError), str(error).split(". ")[-1])
        True Did you mean 'get'?
    """


class SpecTypeError(SpecError, TypeError):
    """A call the real signature rejects, or a stub of the wrong kind (also a `TypeError`).

    Example:
        >>> import httpx, asyncfakes as af
        >>> client = af.fake(httpx.AsyncClient)
        >>> try:
        ...     af.when(client.get).yields(b"chunk")
        ... except af.SpecTypeError as error:
        ...     print(isinstance(error, TypeError))
        True
    """


class UnstubbedCallError(AsyncFakesError, AssertionError):
    """A strict fake was called with arguments no stub matches.

    Its message shows the `af.when(...)` line that would stub the call.

    Example:
        >>> import asyncfakes as af
        >>> issubclass(af.UnstubbedCallError, AssertionError)
        True
    """


class VerificationError(AsyncFakesError, AssertionError):
    """A `verify()` check or an `assert_*` helper failed.

    Example:
        >>> import asyncfakes as af
        >>> save = af.AsyncFake(name="save")
        >>> try:
        ...     af.verify(save).awaited()
        ... except af.VerificationError as error:
        ...     print(error)
        Expected save to be awaited at least once, but it was awaited 0 times.
        Calls: none.
    """


class LeakError(AsyncFakesError, AssertionError):
    """A resource (pool connection, stream, task) was not released or closed.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> db = af.pool(name="db")
        >>> async def leak():
        ...     await db.acquire()  # never released
        >>> asyncio.run(leak())
        >>> try:
        ...     db.assert_all_released()
        ... except af.LeakError as error:
        ...     print(str(error).splitlines()[0])
        db: 1 connection acquired and never released:
    """


class PoolClosedError(AsyncFakesError, RuntimeError):
    """A connection was acquired from a pool that was closed (pools not spec'd to a real driver).

    Example:
        >>> import asyncio, asyncfakes as af
        >>> db = af.pool(name="db")
        >>> async def main():
        ...     await db.close()
        ...     await db.acquire()
        >>> try:
        ...     asyncio.run(main())
        ... except af.PoolClosedError as error:
        ...     print(str(error).split("; ")[0])
        db.acquire(): the pool is closed
    """


class ConnectionReleasedError(AsyncFakesError, RuntimeError):
    """A pooled connection was used after it was released back to its pool.

    Example:
        >>> import asyncio, asyncfakes as af
        >>> db = af.pool(name="db")
        >>> async def leaky():
        ...     async with db.acquire() as conn:
        ...         pass
        ...     await conn.fetch("SELECT 1")  # the bug
        >>> try:
        ...     asyncio.run(leaky())
        ... except af.ConnectionReleasedError as error:
        ...     print(str(error).split(": ")[1].split(";")[0])
        the connection was used after it was released back to db
    """


# Users catch these as `af.VerificationError`; show them under the public name
# in tracebacks and reprs rather than the private module.
for _error in (
    AsyncFakesError,
    SpecError,
    SpecAttributeError,
    SpecTypeError,
    UnstubbedCallError,
    VerificationError,
    LeakError,
    PoolClosedError,
    ConnectionReleasedError,
):
    _error.__module__ = "asyncfakes"
del _error
