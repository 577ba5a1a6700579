"""asyncfakes: fast, typed, spec-checked fakes for testing asyncio code."""

from ._builders._contexts import async_context as async_context
from ._builders._flaky import Flaky as Flaky
from ._builders._flaky import flaky as flaky
from ._builders._http import aiohttp_response as aiohttp_response
from ._builders._http import httpx_response as httpx_response
from ._builders._iterators import async_iter as async_iter
from ._builders._pools import FakePool as FakePool
from ._builders._pools import pool as pool
from ._builders._streams import FakeStream as FakeStream
from ._builders._streams import sse as sse
from ._builders._streams import stream as stream
from ._clock import VirtualClock as VirtualClock
from ._clock import virtual_time as virtual_time
from ._cm import FakeAsyncContext as FakeAsyncContext
from ._errors import AsyncFakesError as AsyncFakesError
from ._errors import ConnectionReleasedError as ConnectionReleasedError
from ._errors import LeakError as LeakError
from ._errors import PoolClosedError as PoolClosedError
from ._errors import SpecAttributeError as SpecAttributeError
from ._errors import SpecError as SpecError
from ._errors import SpecTypeError as SpecTypeError
from ._errors import UnstubbedCallError as UnstubbedCallError
from ._errors import VerificationError as VerificationError
from ._fake import AsyncFake as AsyncFake
from ._fake import MagicFake as MagicFake
from ._iter import FakeAsyncIterator as FakeAsyncIterator
from ._patching import Patch as Patch
from ._patching import Spy as Spy
from ._patching import patch as patch
from ._patching import spy as spy
from ._recorder import CallRecord as CallRecord
from ._recorder import Journal as Journal
from ._recorder import calls as calls
from ._recorder import journal as journal
from ._recorder import max_concurrency as max_concurrency
from ._recorder import wait_for_calls as wait_for_calls
from ._sandbox import Sandbox as Sandbox
from ._specfake import fake as fake
from ._stubbing import Stub as Stub
from ._stubbing import when as when
from ._unittest import AsyncFakesTestCase as AsyncFakesTestCase
from ._verify import Verifier as Verifier
from ._verify import assert_all_awaited as assert_all_awaited
from ._verify import assert_in_order as assert_in_order
from ._verify import verify as verify
from ._version import __version__ as __version__

__all__ = [
    "AsyncFake",
    "AsyncFakesError",
    "AsyncFakesTestCase",
    "CallRecord",
    "ConnectionReleasedError",
    "FakeAsyncContext",
    "FakeAsyncIterator",
    "FakePool",
    "FakeStream",
    "Flaky",
    "Journal",
    "LeakError",
    "MagicFake",
    "Patch",
    "PoolClosedError",
    "Sandbox",
    "SpecAttributeError",
    "SpecError",
    "SpecTypeError",
    "Spy",
    "Stub",
    "UnstubbedCallError",
    "VerificationError",
    "Verifier",
    "VirtualClock",
    "__version__",
    "aiohttp_response",
    "assert_all_awaited",
    "assert_in_order",
    "async_context",
    "async_iter",
    "calls",
    "fake",
    "flaky",
    "httpx_response",
    "journal",
    "max_concurrency",
    "patch",
    "pool",
    "spy",
    "sse",
    "stream",
    "verify",
    "virtual_time",
    "wait_for_calls",
    "when",
]
