"""Type tests for af.pool(): checked by mypy --strict and pyright strict, not run."""

from __future__ import annotations

from typing import Any

import asyncpg
from typing_extensions import assert_type

import asyncfakes as af


class Connection:
    async def fetchval(self, query: str) -> int:
        return 1


async def typed_pool() -> None:
    pool = af.pool(Connection, size=2)
    assert_type(pool, af.FakePool[Connection])
    async with pool.acquire() as conn:
        assert_type(conn, Connection)
        assert_type(await conn.fetchval("SELECT 1"), int)
    conn = await pool.acquire()
    assert_type(conn, Connection)
    await pool.release(conn)
    assert_type(pool.in_use, int)
    assert_type(pool.max_in_use, int)
    assert_type(pool.connections, list[Connection])
    pool.assert_all_released()


async def default_pool() -> None:
    pool = af.pool(spec=asyncpg.Pool)
    assert_type(pool, af.FakePool[Any])


def rejected() -> None:
    af.pool(Connection, size="2")  # type: ignore[call-overload]
    af.pool(Connection, acquire_timeout="soon")  # type: ignore[call-overload]
