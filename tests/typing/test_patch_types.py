"""Type tests for af.patch, af.spy, af.Sandbox and af.AsyncFakesTestCase: checked, not run.

A patch made from a dotted path cannot know the replacement's type (Any); one
given `new=` is typed as `new`. Decorating keeps a function's return type and
a class's type. A Sandbox's builders keep the builders' own types.
"""

from __future__ import annotations

import json
import os
import unittest
from collections.abc import Callable, Coroutine, MutableMapping
from typing import Any

from typing_extensions import assert_type

import asyncfakes as af


class Repo:
    async def save(self, item: str) -> int:
        return 1


# -- patch -----------------------------------------------------------------------

assert_type(af.patch("json.dumps"), af.Patch[Any])
assert_type(af.patch("json.dumps", repr), af.Patch[Callable[[object], str]])
assert_type(af.patch("app.TIMEOUT", 0.5, scope="global"), af.Patch[float])
assert_type(af.patch.object(Repo, "save"), af.Patch[Any])
assert_type(af.patch.object(Repo, "save", new=None), af.Patch[None])
assert_type(af.patch.dict(os.environ, {"A": "1"}), af.Patch["os._Environ[str]"])
assert_type(af.patch.dict("os.environ", A="1"), af.Patch[MutableMapping[Any, Any]])

with af.patch.object(json, "dumps", new=repr) as dumps:
    assert_type(dumps, Callable[[object], str])

patcher = af.patch("json.dumps", spec=False, strict=False)
assert_type(patcher.start(), Any)
assert_type(patcher.stop(), None)
assert_type(patcher.started, bool)
assert_type(af.patch.stopall(), None)


@af.patch("json.dumps")
def decorated(dumps: Any) -> int:
    return 1


assert_type(decorated, Callable[..., int])


@af.patch.object(Repo, "save")
async def decorated_async(save: Any) -> str:
    return ""


still_async: Callable[..., Coroutine[Any, Any, str]] = decorated_async


@af.patch("json.dumps")
class Checks(unittest.TestCase):
    def test_it(self, dumps: Any) -> None: ...


assert_type(Checks, type[Checks])

af.patch("json.dumps", scope="thread")  # type: ignore[call-overload]
af.patch(json.dumps)  # type: ignore[call-overload]
af.patch.dict([("a", 1)])  # type: ignore[call-overload]

# -- spy -------------------------------------------------------------------------

spy = af.spy(Repo, "save")
assert_type(spy, af.Spy)
assert_type(spy.stop(), None)
assert_type(spy.original, object)
assert_type(spy.name, str)
af.verify(spy).awaited_once_with("a")
assert_type(af.calls(spy), list[af.CallRecord])

# -- Sandbox --------------------------------------------------------------------------


async def sandbox_types() -> None:
    async with af.Sandbox(check_tasks=True) as sb:
        assert_type(sb, af.Sandbox)
        assert_type(sb.patch("json.dumps"), Any)
        assert_type(sb.patch("json.dumps", new=repr), Callable[[object], str])
        assert_type(sb.patch.object(Repo, "save", new=1), int)
        assert_type(sb.patch.dict(os.environ, A="1"), "os._Environ[str]")
        assert_type(sb.spy(Repo, "save"), af.Spy)
        assert_type(sb.pool(size=2), af.FakePool[Any])
        assert_type(sb.async_iter([1, 2]), af.FakeAsyncIterator[int])
        assert_type(sb.own(Repo()), Repo)
        assert_type(sb.fake(Repo), Repo)
        assert_type(sb.fake(Repo, strict=True), Repo)
        assert_type(sb.journal, af.Journal)
        assert_type(sb.is_open, bool)
    with af.Sandbox() as plain:
        assert_type(plain.close(check=False), None)


# -- unittest ---------------------------------------------------------------------------


class Case(af.AsyncFakesTestCase):
    async def test_it(self) -> None:
        assert_type(self.fakes, af.Sandbox)
