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
    """Base class of every error asyncfakes raises."""


class SpecError(AsyncFakesError):
    """A fake was used in a way its real counterpart would reject.

    Concrete errors also subclass `AttributeError` (unknown attribute) or
    `TypeError` (bad call shape, wrong kind of stub), so code that catches the
    builtin keeps working.
    """


class SpecAttributeError(SpecError, AttributeError):
    """An attribute the real class does not have was read or set."""


class SpecTypeError(SpecError, TypeError):
    """A call the real signature rejects, or a stub of the wrong kind."""


class UnstubbedCallError(AsyncFakesError, AssertionError):
    """A strict fake was called with arguments no stub matches."""


class VerificationError(AsyncFakesError, AssertionError):
    """A `verify()` check or an `assert_*` helper failed."""


class LeakError(AsyncFakesError, AssertionError):
    """A resource (pool connection, stream, task) was not released or closed."""


class PoolClosedError(AsyncFakesError, RuntimeError):
    """A connection was acquired from a pool that was closed."""


class ConnectionReleasedError(AsyncFakesError, RuntimeError):
    """A pooled connection was used after it was released back to its pool."""
