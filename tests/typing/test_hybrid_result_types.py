"""Type tests for members returning an awaitable async iterable: checked, not run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator
from typing import Any

from typing_extensions import assert_type

import asyncfakes as af


class Row:
    id: int = 0


class Cursor:
    pass


class Factory:
    def __await__(self) -> Generator[Any, None, Cursor]:
        raise NotImplementedError

    def __aiter__(self) -> AsyncIterator[Row]:
        raise NotImplementedError


class Connection:
    def cursor(self, query: str) -> Factory:
        raise NotImplementedError


def members(f: Callable[[str], Factory]) -> None:
    assert_type(af.when(f).yields(Row()), af.Stub[Callable[[str], AsyncIterator[Row]]])
    conn = af.fake(Connection)
    af.when(conn.cursor).called_with("q").yields(Row(), Row()).raises(EOFError)
    af.when(conn.cursor).yields("row")  # type: ignore[arg-type]
