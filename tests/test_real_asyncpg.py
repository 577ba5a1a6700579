"""Spec'd fakes of asyncpg.Pool and asyncpg.Connection driving a real repository.

asyncpg ships no annotations: the kind of `Pool.acquire()` (awaitable and an
async context manager) and of `Connection.transaction()` (an async context
manager) is read from what the methods return.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from asyncpg.exceptions import UniqueViolationError

import asyncfakes as af


class Users:
    """A repository as it is written against asyncpg."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def get(self, user_id: int) -> dict[str, Any] | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT id, name FROM users WHERE id = $1", user_id)
            return None if row is None else dict(row)

    async def rename(self, user_id: int, name: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("UPDATE users SET name = $1 WHERE id = $2", name, user_id)
            await conn.execute("INSERT INTO audit (user_id) VALUES ($1)", user_id)

    async def count(self) -> int:
        conn = await self.pool.acquire()
        try:
            value: int = await conn.fetchval("SELECT count(*) FROM users")
            return value
        finally:
            await self.pool.release(conn)


def _pool_with(conn: Any) -> Any:
    pool = af.fake(asyncpg.Pool)
    af.when(pool.acquire).enters(conn)
    return pool


async def test_fetchrow_through_an_acquired_connection() -> None:
    """acquire() is entered; fetchrow() is bound to asyncpg's signature."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.fetchrow).called_with("SELECT id, name FROM users WHERE id = $1", 1).returns(
        {"id": 1, "name": "ada"}
    )
    users = Users(_pool_with(conn))
    assert await users.get(1) == {"id": 1, "name": "ada"}
    af.when(conn.fetchrow).returns(None)
    assert await users.get(2) is None


async def test_writes_happen_inside_the_transaction() -> None:
    """Both statements run inside conn.transaction(), which is recorded as a context."""
    conn = af.fake(asyncpg.Connection)
    await Users(_pool_with(conn)).rename(1, "bob")
    (transaction_call,) = af.calls(conn.transaction)
    af.verify(conn.execute).awaited_inside(transaction_call.result)
    af.verify(conn.execute).awaited(times=2)
    af.assert_in_order(conn.transaction, conn.execute)


async def test_a_constraint_violation_surfaces_with_asyncpg_s_error() -> None:
    """raises() with asyncpg's own exception reaches the repository unchanged."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.execute).raises(UniqueViolationError("duplicate key"))
    with pytest.raises(UniqueViolationError):
        await Users(_pool_with(conn)).rename(1, "bob")
    (transaction_call,) = af.calls(conn.transaction)
    assert isinstance(transaction_call.result, af.FakeAsyncContext)
    assert isinstance(transaction_call.result.exit_exception, UniqueViolationError)


async def test_acquire_is_awaitable_too() -> None:
    """`conn = await pool.acquire()` gives the same connection; release() is recorded."""
    conn = af.fake(asyncpg.Connection)
    af.when(conn.fetchval).returns(3)
    pool = _pool_with(conn)
    assert await Users(pool).count() == 3
    af.verify(pool.release).awaited_once_with(conn)


async def test_calls_to_asyncpg_are_checked_against_its_signatures() -> None:
    """A keyword asyncpg does not take fails at the call."""
    conn = af.fake(asyncpg.Connection)
    with pytest.raises(TypeError) as caught:
        await conn.fetchrow("SELECT 1", timout=5)
    assert str(caught.value).splitlines() == [
        "Connection.fetchrow() got an unexpected keyword argument 'timout'. "
        "Did you mean 'timeout'?",
        "  call:      Connection.fetchrow('SELECT 1', timout=5)",
        "  signature: Connection.fetchrow(query, *args, timeout=..., record_class=...)",
    ]
