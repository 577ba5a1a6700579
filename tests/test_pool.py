"""af.pool(): acquisition, waiting, cancellation, closing, leaks and misuse."""

from __future__ import annotations

import asyncio
import copy

import asyncpg
import pytest

import asyncfakes as af
from _sites import here


class UserRepository:
    """Realistic code under test: a repository writing through an asyncpg-style pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def rename(self, user_id: int, name: str) -> str | None:
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow("SELECT name FROM users WHERE id = $1", user_id)
            if row is None:
                return None
            await conn.execute("UPDATE users SET name = $2 WHERE id = $1", user_id, name)
            return str(row["name"])


async def test_async_with_acquire_hands_out_and_takes_back_a_connection() -> None:
    """It hands a connection to `async with` and takes it back on exit."""
    db = af.pool(size=2)
    async with db.acquire() as conn:
        assert db.in_use == 1
        await conn.execute("SELECT 1")
    assert db.in_use == 0
    assert db.acquired == 1
    assert db.connections == [conn.__dict__["_af_lease_connection"]]
    af.verify(conn.execute).awaited_once_with("SELECT 1")
    db.assert_all_released()


async def test_await_acquire_and_release() -> None:
    """It supports `conn = await pool.acquire()` and `await pool.release(conn)`."""
    db = af.pool(size=1)
    conn = await db.acquire()
    assert db.in_use == 1
    await db.release(conn)
    assert db.in_use == 0
    again = await db.acquire()
    assert again is not conn  # a new lease on the same underlying connection
    assert len(db.connections) == 1
    await db.release(again)


async def test_repository_runs_inside_a_transaction() -> None:
    """It drives a repository: the update runs inside the connection's transaction."""
    connection = af.AsyncFake(name="conn")
    transaction = af.async_context(None) if hasattr(af, "async_context") else None
    from asyncfakes._cm import FakeAsyncContext

    transaction = FakeAsyncContext(None, name="conn.transaction()")
    connection.transaction = af.MagicFake(return_value=transaction)
    connection.fetchrow.return_value = {"name": "ada"}
    db = af.pool(lambda: connection, size=1)
    repository = UserRepository(db)  # type: ignore[arg-type]
    assert await repository.rename(1, "grace") == "ada"
    af.verify(connection.execute).awaited_once_with(
        "UPDATE users SET name = $2 WHERE id = $1", 1, "grace"
    )
    af.verify(connection.execute).awaited_inside(transaction)
    af.verify(connection.fetchrow).awaited_inside(transaction)
    assert transaction.entered == transaction.exited == 1
    db.assert_all_released()


async def test_default_connections_have_a_recorded_transaction() -> None:
    """It gives default connections a transaction() async context visible in `inside`."""
    db = af.pool(size=1)
    async with db.acquire() as conn:
        async with conn.transaction() as tx:
            await conn.execute("INSERT")
    (record,) = af.calls(conn.execute)
    assert len(record.inside) == 1
    assert record.inside[0].entered == 1
    assert tx is None


async def test_exhaustion_waits_in_fifo_order() -> None:
    """It makes acquirers beyond `size` wait and serves them first come, first served."""
    db = af.pool(size=1)
    order: list[str] = []

    async def worker(label: str) -> None:
        async with db.acquire():
            order.append(label)
            await asyncio.sleep(0)

    first = await db.acquire()
    tasks = [asyncio.create_task(worker(label)) for label in "abc"]
    await asyncio.sleep(0)
    assert order == []
    await db.release(first)
    await asyncio.gather(*tasks)
    assert order == ["a", "b", "c"]
    assert db.max_in_use == 1
    assert af.max_concurrency(db.acquire) == 1


async def test_semaphore_limited_batch_respects_the_limit() -> None:
    """It measures max_in_use for a batch job limited by a semaphore."""
    db = af.pool(size=10)
    limit = asyncio.Semaphore(3)

    async def job(n: int) -> None:
        async with limit, db.acquire() as conn:
            await conn.execute("INSERT", n)
            await asyncio.sleep(0.001)

    await asyncio.gather(*(job(n) for n in range(20)))
    assert db.max_in_use == 3
    assert af.max_concurrency(db.acquire) == 3
    assert db.acquired == 20
    assert len(db.connections) == 3


async def test_acquire_timeout_raises_timeout_error() -> None:
    """It raises asyncio.TimeoutError when no connection frees up in time."""
    db = af.pool(size=1, acquire_timeout=0.01)
    held = await db.acquire()
    with pytest.raises(asyncio.TimeoutError):
        await db.acquire()
    with pytest.raises(asyncio.TimeoutError):
        async with db.acquire(timeout=0.01):
            pass
    await db.release(held)
    assert db.in_use == 0
    async with db.acquire():
        pass


async def test_cancelled_waiter_loses_no_slot() -> None:
    """It keeps the slot of a task cancelled while waiting for a connection."""
    db = af.pool(size=1)
    held = await db.acquire()
    waiter = asyncio.create_task(db.acquire().__aenter__())
    await asyncio.sleep(0)
    waiter.cancel()
    await db.release(held)
    with pytest.raises(asyncio.CancelledError):
        await waiter
    async with db.acquire():
        assert db.in_use == 1
    assert db.in_use == 0
    assert len(db.connections) == 1


async def test_waiter_cancelled_after_handoff_gives_the_connection_back() -> None:
    """It returns a connection handed to a waiter that was cancelled in the same step."""
    db = af.pool(size=1)
    held = await db.acquire()
    waiter = asyncio.create_task(db.acquire().__aenter__())
    await asyncio.sleep(0)
    await db.release(held)  # hands the connection to the waiter
    waiter.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert db.in_use == 0
    async with db.acquire():
        pass


async def test_task_cancelled_while_holding_releases_its_connection() -> None:
    """It releases the connection of a task cancelled inside `async with`."""
    db = af.pool(size=1)
    entered = asyncio.Event()

    async def hold() -> None:
        async with db.acquire():
            entered.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(hold())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert db.in_use == 0
    (record,) = af.calls(db.acquire)
    assert record.outcome == "returned"


async def test_leak_names_the_acquisition_site() -> None:
    """It names each leaked connection and where it was acquired."""
    db = af.pool(size=2, name="db")
    async with db.acquire():
        pass
    site = here(1)
    await db.acquire()  # the leak: never released
    with pytest.raises(af.LeakError) as info:
        db.assert_all_released()
    assert str(info.value) == (
        "db: 1 connection acquired and never released:\n"
        f"  1. connection #1 acquired at {site} by task {asyncio.current_task().get_name()}\n"
        "Release each one with `await db.release(conn)`, or acquire it with "
        "`async with db.acquire() as conn:`."
    )


async def test_closed_pool_refuses_acquire() -> None:
    """It raises PoolClosedError when acquiring from a closed pool."""
    db = af.pool(size=1, name="db")
    await db.close()
    with pytest.raises(af.PoolClosedError) as info:
        await db.acquire()
    assert str(info.value) == (
        "db.acquire(): the pool is closed; acquire connections before db.close(), "
        "or build a new pool."
    )


async def test_close_waits_for_connections_to_be_released() -> None:
    """It makes close() wait until every held connection is released, as asyncpg does."""
    db = af.pool(size=1)
    conn = await db.acquire()
    closing = asyncio.create_task(db.close())
    await asyncio.sleep(0)
    assert not closing.done()
    assert db.is_closing()
    await db.release(conn)
    await closing


async def test_terminate_invalidates_held_connections() -> None:
    """It makes held connections unusable after terminate()."""
    db = af.pool(size=1, name="db")
    conn = await db.acquire()
    db.terminate()
    with pytest.raises(af.ConnectionReleasedError):
        await conn.fetch("SELECT 1")


async def test_release_misuse_raises_value_error() -> None:
    """It rejects releasing a foreign connection or releasing twice."""
    db = af.pool(size=1, name="db")
    other = af.pool(size=1, name="other")
    conn = await db.acquire()
    foreign = await other.acquire()
    with pytest.raises(ValueError) as info:
        await db.release(foreign)
    assert str(info.value) == (
        f"db.release({foreign!r}): not a connection of this pool; "
        "pass the connection returned by db.acquire()."
    )
    with pytest.raises(
        ValueError,
        match=r"^db\.release\(42\): not a connection of this pool; pass the connection returned by db\.acquire\(\)\.$",
    ):
        await db.release(42)
    await db.release(conn)
    with pytest.raises(ValueError) as info:
        await db.release(conn)
    assert str(info.value) == (
        f"db.release({conn!r}): this connection was already released; "
        "release each acquired connection exactly once."
    )
    await other.release(foreign)


async def test_use_after_release_raises() -> None:
    """It raises when a connection is used after its release."""
    db = af.pool(size=1, name="db")
    async with db.acquire() as conn:
        pass
    with pytest.raises(af.ConnectionReleasedError) as info:
        await conn.fetch("SELECT 1")
    assert str(info.value) == (
        "<connection #1 of db (released)>.fetch: the connection was used after it was "
        "released back to db; acquire it again, or use it only inside "
        "`async with db.acquire() as conn:`."
    )


def test_bad_arguments_are_rejected() -> None:
    """It rejects a size below 1, a negative timeout and a non-callable factory."""
    with pytest.raises(
        ValueError, match=r"^af\.pool\(size=0\): size must be a whole number of at least 1$"
    ):
        af.pool(size=0)
    with pytest.raises(
        ValueError, match=r"^af\.pool\(acquire_timeout=-1\): the timeout must not be negative$"
    ):
        af.pool(acquire_timeout=-1)
    with pytest.raises(
        TypeError, match=r"^af\.pool\(factory=3\): factory must be a zero-argument callable"
    ):
        af.pool(3)  # type: ignore[arg-type]
    db = af.pool(name="db")
    with pytest.raises(
        ValueError, match=r"^db\.acquire\(timeout=-1\): timeout must not be negative$"
    ):
        db.acquire(timeout=-1)


async def test_acquire_context_cannot_be_entered_twice() -> None:
    """It rejects reusing one acquire context."""
    db = af.pool(name="db")
    context = db.acquire()
    async with context:
        pass
    with pytest.raises(
        RuntimeError,
        match=r"^db\.acquire\(\): this acquire context was already used; call db\.acquire\(\) again for another connection\.$",
    ):
        async with context:
            pass


async def test_spec_asyncpg_raises_the_drivers_errors() -> None:
    """It raises asyncpg's own errors when spec'd to asyncpg.Pool."""
    db = af.pool(spec=asyncpg.Pool, size=1)
    conn = await db.acquire()
    await db.release(conn)
    with pytest.raises(
        asyncpg.InterfaceError,
        match=r"^cannot call Connection\.fetch\(\): connection has been released back to the pool$",
    ):
        await conn.fetch("SELECT 1")
    with pytest.raises(asyncpg.InterfaceError):
        await db.release(conn)
    await db.close()
    with pytest.raises(asyncpg.InterfaceError, match=r"^pool is closed$"):
        await db.acquire()


async def test_spec_checks_attributes_against_the_real_pool() -> None:
    """It fails on attributes the real pool does not have, with a suggestion."""
    db = af.pool(spec=asyncpg.Pool)
    with pytest.raises(
        AttributeError,
        match=r"^asyncpg\.pool\.Pool has no attribute 'fetchrows'\. Did you mean 'fetchrow'",
    ):
        db.fetchrows
    assert db.get_max_size() == 10
    plain = af.pool(name="db")
    with pytest.raises(AttributeError, match=r"^db has no attribute 'copy_records_to_table'"):
        plain.copy_records_to_table


async def test_shortcuts_run_on_an_acquired_connection() -> None:
    """It runs fetch/fetchrow/fetchval/execute/executemany on a connection and releases it."""
    connection = af.AsyncFake(name="conn")
    connection.fetchval.return_value = 42
    db = af.pool(lambda: connection, size=1)
    assert await db.fetchval("SELECT 42") == 42
    await db.fetch("SELECT")
    await db.fetchrow("SELECT")
    await db.execute("DELETE")
    await db.executemany("INSERT", [(1,), (2,)])
    assert db.acquired == 5
    assert db.in_use == 0
    af.verify(connection.executemany).awaited_once_with("INSERT", [(1,), (2,)])


async def test_a_sandbox_checks_a_pool_made_outside_it() -> None:
    """It lets a Sandbox find, through its journal, a pool made outside it and leaked inside it."""
    db = af.pool(name="db")
    with pytest.raises(af.LeakError, match=r"db: 1 connection acquired and never released:"):
        async with af.Sandbox():
            await db.acquire()


async def test_each_acquisition_records_its_site_and_timeout() -> None:
    """It records every acquisition, free or waited for, with its line and its timeout."""
    db = af.pool(size=1, name="db")
    first_site = here(1)
    first = await db.acquire()
    waiter = asyncio.create_task(db.acquire(timeout=5).__aenter__())
    await asyncio.sleep(0)
    await db.release(first)
    second = await waiter
    await db.release(second)
    records = af.calls(db.acquire)
    assert [record.kwargs for record in records] == [{}, {"timeout": 5}]
    assert [record.outcome for record in records] == ["returned", "returned"]
    assert records[0].site == first_site
    assert [record.result for record in records] == db.connections * 2


async def test_connection_released_inside_async_with_is_not_released_again() -> None:
    """It leaves the pool consistent when a block releases its own connection, or the pool ends."""
    db = af.pool(size=1, name="db")
    async with db.acquire() as conn:
        await db.release(conn)
        assert db.in_use == 0
        again = await db.acquire()  # the same connection, under a new lease
    assert db.in_use == 1
    await db.release(again)
    async with db.acquire():
        db.terminate()
    assert db.in_use == 0
    assert [record.outcome for record in af.calls(db.acquire)] == ["returned", "returned", "raised"]


async def test_acquire_is_a_recorded_function_that_names_its_pool() -> None:
    """It exposes acquire as a recorded callable whose __self__ is the pool."""
    db = af.pool(name="db")
    assert db.acquire.__self__ is db  # type: ignore[attr-defined]
    assert db.acquire.__qualname__ == "db.acquire"
    assert af.calls(db.acquire) == []
    assert af.max_concurrency(db.acquire) == 0


async def test_connections_released_out_of_order_go_back() -> None:
    """It takes back held connections in any order, and a lease still finds its fake's calls."""
    db = af.pool(size=3, name="db")
    first, second, third = [await db.acquire() for _ in range(3)]
    await first.execute("SELECT 1")
    await db.release(second)
    await db.release(first)
    assert db.in_use == 1
    assert [call.args for call in af.calls(first.execute)] == [("SELECT 1",)]
    assert af.calls(first) == af.calls(db.connections[0]) == []  # the connection's own track
    with pytest.raises(ValueError, match=r"this connection was already released"):
        await db.release(first)
    await db.release(third)
    assert db.in_use == 0
    assert db.max_in_use == af.max_concurrency(db.acquire) == 3


async def test_the_class_release_method_does_what_the_pools_own_does() -> None:
    """It releases through FakePool.release (what the pool's own `release` inlines) too."""
    db = af.pool(size=2, name="db")
    first, second = await db.acquire(), await db.acquire()
    await af.FakePool.release(db, first)  # not the latest acquisition
    await af.FakePool.release(db, second)
    assert (db.in_use, db.get_idle_size()) == (0, 2)
    with pytest.raises(ValueError, match=r"this connection was already released"):
        await af.FakePool.release(db, first)
    assert db.release.__doc__ == af.FakePool.release.__doc__
    assert db.release.__qualname__ == "db.release"


async def test_max_in_use_counts_held_connections_only() -> None:
    """It counts neither an acquirer that timed out waiting nor anything after terminate()."""
    db = af.pool(size=1, name="db", acquire_timeout=0.01)
    held = await db.acquire()
    with pytest.raises(TimeoutError):
        await db.acquire()
    assert db.max_in_use == af.max_concurrency(db.acquire) == 1
    db.terminate()
    assert (db.in_use, db.max_in_use, db.acquired) == (0, 1, 1)
    assert repr(held) == "<connection #1 of db (released)>"


async def test_awaiting_one_acquire_context_twice_acquires_twice() -> None:
    """It acquires again on a second await of the same context, as asyncpg's does."""
    db = af.pool(size=2, name="db")
    context = db.acquire()
    first = await context
    second = await context
    assert first is not second
    assert db.in_use == 2
    assert [call.site for call in af.calls(db.acquire)] == [here(-4), here(-3)]
    await db.release(second)
    await db.release(first)


async def test_a_timed_acquire_records_its_timeout_and_takes_an_idle_connection() -> None:
    """It hands out an idle connection at once to acquire(timeout=...), recording the timeout."""
    db = af.pool(size=1, name="db")
    async with db.acquire():
        pass
    async with db.acquire(timeout=5) as conn:
        assert db.get_idle_size() == 0
    assert len(db.connections) == 1
    assert [call.kwargs for call in af.calls(db.acquire)] == [{}, {"timeout": 5}]
    assert repr(conn) == "<connection #1 of db (released)>"


async def test_attribute_writes_through_a_lease_reach_the_connection() -> None:
    """It forwards an attribute set on the lease to the connection it stands for."""
    db = af.pool(name="db")
    async with db.acquire() as conn:
        conn.fetchval = af.AsyncFake(name="fetchval", return_value=42)
        assert await conn.fetchval("SELECT 42") == 42
    assert db.connections[0].fetchval is conn.__dict__["_af_lease_connection"].fetchval


async def test_a_lease_released_inside_its_block_is_not_released_again() -> None:
    """It lets the block's exit pass over a connection the block already released."""
    db = af.pool(size=1, name="db")
    async with db.acquire() as conn:
        await db.release(conn)
    assert (db.in_use, db.get_idle_size(), db.acquired) == (0, 1, 1)


async def test_a_copied_lease_is_the_same_lease() -> None:
    """It copies a lease as a second handle on the same acquisition, released with it."""
    db = af.pool(size=1, name="db")
    conn = await db.acquire()
    twin = copy.copy(conn)
    assert repr(twin) == repr(conn) == "<connection #1 of db (in use)>"
    await db.release(conn)
    assert repr(twin) == "<connection #1 of db (released)>"
    with pytest.raises(af.ConnectionReleasedError):
        await twin.execute("SELECT 1")


async def test_spec_asyncpg_connections_are_spec_d_fakes_of_asyncpg_connection() -> None:
    """It builds each default connection with af.fake(asyncpg.Connection) when spec'd to asyncpg."""
    db = af.pool(spec=asyncpg.Pool, size=1, name="db")
    async with db.acquire() as conn:
        with pytest.raises(
            AttributeError,
            match=(
                r"^db\.connection#1 has no attribute 'fetchrw': asyncpg\.connection\.Connection "
                r"does not define it\. Did you mean 'fetchrow', 'fetch' or 'fetchval'\?$"
            ),
        ):
            conn.fetchrw
    with pytest.raises(TypeError) as refused:
        await db.fetchrow("SELECT 1", timout=1)
    assert str(refused.value) == (
        "Connection.fetchrow() got an unexpected keyword argument 'timout'. "
        "Did you mean 'timeout'?\n"
        "  call:      db.connection#1.fetchrow('SELECT 1', timout=1)\n"
        "  signature: Connection.fetchrow(query, *args, timeout=..., record_class=...)"
    )
    with pytest.raises(TypeError, match=r"^Pool\.copy_records_to_table\(\) got an unexpected "):
        db.copy_records_to_table("users", records=[], recordz=1)
    db.assert_all_released()


async def test_pool_is_awaitable_and_an_async_context_manager_as_asyncpg_s() -> None:
    """It supports asyncpg's creation idioms: `await create_pool()` and `async with create_pool()`."""

    async def count_users(dsn: str) -> int:
        async with asyncpg.create_pool(dsn) as pool:
            return int(await pool.fetchval("SELECT count(*) FROM users"))

    async def open_pool(dsn: str) -> asyncpg.Pool:
        return await asyncpg.create_pool(dsn)

    connection = af.fake(asyncpg.Connection, name="conn")
    af.when(connection.fetchval).returns(3)
    db = af.pool(lambda: connection, spec=asyncpg.Pool, size=1, name="db")
    with af.patch("asyncpg.create_pool", new=lambda dsn: db):
        assert await open_pool("postgresql://test") is db
        assert not db.is_closing()
        assert await count_users("postgresql://test") == 3
    assert db.is_closing()
    with pytest.raises(asyncpg.InterfaceError, match=r"^pool is closed$"):
        await db.acquire()


async def test_shortcuts_are_recorded_calls_of_the_pool() -> None:
    """It records fetch/fetchrow/... as calls of the pool, to verify like any fake."""
    connection = af.AsyncFake(name="conn")
    connection.fetchrow.return_value = {"id": 1}
    db = af.pool(lambda: connection, size=1, name="db")
    assert await db.fetchrow("SELECT * FROM users WHERE id = $1", 1) == {"id": 1}
    await db.execute("DELETE FROM users")
    af.verify(db.fetchrow).awaited_once_with("SELECT * FROM users WHERE id = $1", 1)
    af.verify(db.execute).awaited_once_with("DELETE FROM users")
    af.verify(db.fetch).not_awaited()
    (call,) = af.calls(db.fetchrow)
    assert (call.describe(), call.outcome, call.result) == (
        "db.fetchrow('SELECT * FROM users WHERE id = $1', 1)",
        "returned",
        {"id": 1},
    )
    assert call.site == here(-11)
    assert repr(db.fetchrow).startswith("<function db.fetchrow at 0x")
    assert db.fetchrow.__doc__ == "Run `connection.fetchrow(...)` on an acquired connection."


async def test_a_shortcut_never_awaited_is_reported() -> None:
    """It reports `db.fetch(...)` without `await` like any forgotten await, and closes it."""
    db = af.pool(name="db")
    sites: list[str] = []

    async def forget() -> None:
        async with af.Sandbox():
            sites.append(here(1))
            db.fetch("SELECT 1")

    with pytest.raises(af.VerificationError) as forgotten:
        await forget()
    assert str(forgotten.value).splitlines()[1] == f"  1. db.fetch('SELECT 1')  at {sites[0]}"
    assert db.acquired == 0
