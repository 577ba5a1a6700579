"""verify() and the assert_* helpers: checks and their exact messages."""

from __future__ import annotations

import asyncio
import inspect
from unittest.mock import ANY

import pytest

import asyncfakes as af
from _sites import here


@pytest.fixture(autouse=True)
def _clean_journal():
    af.journal().clear()
    yield
    af.journal().clear()


async def test_awaited_once_with_passes_for_a_single_matching_await() -> None:
    """It passes when the fake was awaited once with equal arguments."""
    client = af.AsyncFake(name="client")
    await client.get("https://a", timeout=5)
    af.verify(client.get).awaited_once_with("https://a", timeout=5)
    af.verify(client.get).awaited_once_with(ANY, timeout=ANY)
    af.verify(client.get).awaited(times=1)
    af.verify(client.get).called_once_with("https://a", timeout=5)


async def test_awaited_with_marks_the_differing_argument() -> None:
    """It shows expected and actual calls with the differing argument marked."""
    client = af.AsyncFake(name="client")
    first = here(1)
    await client.get("https://a", timeout=5)
    second = here(1)
    await client.get("https://b", timeout=5)
    with pytest.raises(af.VerificationError) as info:
        af.verify(client.get).awaited_with("https://a", timeout=5)
    assert str(info.value) == (
        "The latest await of client.get has other arguments:\n"
        "  expected: client.get('https://a', timeout=5)\n"
        "  actual:   client.get('https://b', timeout=5)\n"
        "                       ^^^^^^^^^^^\n"
        "Calls (2):\n"
        f"  1. client.get('https://a', timeout=5)  [awaited, returned]  at {first}\n"
        f"  2. client.get('https://b', timeout=5)  [awaited, returned]  at {second}"
    )


async def test_missing_keyword_is_marked_at_the_closing_parenthesis() -> None:
    """It marks an expected argument that the actual call lacks."""
    save = af.AsyncFake(name="save")
    site = here(1)
    await save(1)
    with pytest.raises(af.VerificationError) as info:
        af.verify(save).awaited_with(1, force=True)
    assert str(info.value) == (
        "The latest await of save has other arguments:\n"
        "  expected: save(1, force=True)\n"
        "  actual:   save(1)\n"
        "                  ^\n"
        "Calls (1):\n"
        f"  1. save(1)  [awaited, returned]  at {site}"
    )


async def test_count_failures_list_every_call_with_its_status() -> None:
    """It reports the count and lists calls, including one never awaited."""
    client = af.AsyncFake(name="client")
    first = here(1)
    await client.get("https://a")
    second = here(1)
    pending = client.get("https://b")
    with pytest.raises(af.VerificationError) as info:
        af.verify(client.get).awaited(times=2)
    assert str(info.value) == (
        "Expected client.get to be awaited 2 times, but it was awaited 1 time.\n"
        "Calls (2):\n"
        f"  1. client.get('https://a')  [awaited, returned]  at {first}\n"
        f"  2. client.get('https://b')  [never awaited]  at {second}"
    )
    af.verify(client.get).called(times=2)
    await pending


async def test_not_awaited_and_never_called() -> None:
    """It reports unexpected awaits and missing calls."""
    client = af.AsyncFake(name="client")
    site = here(1)
    await client.get("https://a")
    with pytest.raises(af.VerificationError) as info:
        af.verify(client.get).not_awaited()
    assert str(info.value) == (
        "Expected client.get not to be awaited, but it was awaited 1 time.\n"
        "Calls (1):\n"
        f"  1. client.get('https://a')  [awaited, returned]  at {site}"
    )
    with pytest.raises(af.VerificationError) as info:
        af.verify(client.delete).awaited()
    assert str(info.value) == (
        "Expected client.delete to be awaited at least once, but it was awaited 0 times.\n"
        "Calls: none."
    )
    with pytest.raises(af.VerificationError) as info:
        af.verify(client.delete).called_with("x")
    assert str(info.value) == (
        "Expected client.delete to be called as client.delete('x'), but it was never called.\n"
        "Calls: none."
    )
    af.verify(client.delete).not_called()


async def test_awaited_once_with_reports_the_count_first() -> None:
    """It fails on the count before comparing arguments."""
    fetch = af.AsyncFake(name="fetch")
    first = here(1)
    await fetch(1)
    second = here(1)
    await fetch(2)
    with pytest.raises(af.VerificationError) as info:
        af.verify(fetch).awaited_once_with(2)
    assert str(info.value) == (
        "Expected fetch to be awaited once as fetch(2), but it was awaited 2 times.\n"
        "Calls (2):\n"
        f"  1. fetch(1)  [awaited, returned]  at {first}\n"
        f"  2. fetch(2)  [awaited, returned]  at {second}"
    )


def test_sync_fakes_take_called_checks_only() -> None:
    """It rejects awaited checks on a sync fake and says which check to use."""
    key = af.MagicFake(name="key")
    key("k")
    af.verify(key).called_with("k")
    af.verify(key).called_once_with("k")
    with pytest.raises(
        TypeError,
        match=r"^verify\(key\)\.awaited_with\(\): key is a sync fake and is never awaited; use verify\(key\)\.called_with\(\.\.\.\) instead\.$",
    ):
        af.verify(key).awaited_with("k")


def test_verify_rejects_what_is_not_a_fake() -> None:
    """It raises TypeError naming what was passed instead of a fake."""
    with pytest.raises(TypeError) as info:
        af.verify(print)
    assert str(info.value) == (
        "verify() takes a fake, but got builtin_function_or_method 'print'. "
        "Create one with af.fake(...), af.AsyncFake() or af.patch(...)."
    )
    with pytest.raises(TypeError) as info:
        af.calls(42)
    assert str(info.value) == (
        "calls() takes a fake, but got int 42. "
        "Create one with af.fake(...), af.AsyncFake() or af.patch(...)."
    )


def test_negative_times_is_rejected() -> None:
    """It rejects a negative times= with a clear error."""
    fetch = af.AsyncFake(name="fetch")
    with pytest.raises(
        ValueError, match=r"^verify\(fetch\)\.awaited\(times=-1\): times must be >= 0$"
    ):
        af.verify(fetch).awaited(times=-1)


async def test_awaited_inside_checks_every_await() -> None:
    """It holds when every await ran inside the context and names the ones that did not."""
    conn = af.AsyncFake(name="conn")
    transaction = af.AsyncFake(name="transaction")
    async with transaction:
        await conn.execute("INSERT")
    af.verify(conn.execute).awaited_inside(transaction)
    site = here(1)
    await conn.execute("DELETE")
    with pytest.raises(af.VerificationError) as info:
        af.verify(conn.execute).awaited_inside(transaction)
    assert str(info.value) == (
        "Expected every await of conn.execute inside transaction, but 1 of 2 awaits ran outside it:\n"
        f"  - conn.execute('DELETE')  at {site}  (inside: no fake context)\n"
        "Run the call inside `async with transaction:` or check the context passed."
    )
    with pytest.raises(af.VerificationError) as info:
        af.verify(conn.fetch).awaited_inside(transaction)
    assert str(info.value) == (
        "Expected conn.fetch to be awaited inside transaction, but it was never awaited.\n"
        "Calls: none."
    )


async def test_awaited_inside_takes_the_fake_that_makes_the_contexts() -> None:
    """It counts a call inside any context that a call of the fake passed returned."""
    db = af.pool(name="db")
    async with db.acquire() as conn, conn.transaction():
        await conn.execute("INSERT")
    async with db.acquire() as conn, conn.transaction():  # a second, new context
        await conn.execute("UPDATE")
    connection = db.connections[0]
    af.verify(connection.execute).awaited_inside(connection.transaction)
    site = here(1)
    await connection.execute("DELETE")
    with pytest.raises(af.VerificationError) as info:
        af.verify(connection.execute).awaited_inside(connection.transaction)
    assert str(info.value) == (
        "Expected every await of db.connection#1.execute inside db.connection#1.transaction, "
        "but 1 of 3 awaits ran outside it:\n"
        f"  - db.connection#1.execute('DELETE')  at {site}  (inside: no fake context)\n"
        "Run the call inside `async with db.connection#1.transaction():` or check the "
        "context passed."
    )


async def test_called_inside_names_a_lookalike_context_that_was_not_passed() -> None:
    """It says when the calls ran inside another object of the same name as the one passed."""
    conn = af.MagicFake(name="conn")
    transaction = af.MagicFake(
        name="conn.transaction", side_effect=lambda: af.async_context(name="conn.transaction()")
    )
    async with transaction():
        conn.execute("INSERT")
    site = here(-1)
    with pytest.raises(af.VerificationError) as info:
        af.verify(conn.execute).called_inside(transaction.return_value)
    assert str(info.value) == (
        "Expected every call of conn.execute inside conn.transaction(), "
        "but 1 of 1 call ran outside it:\n"
        f"  - conn.execute('INSERT')  at {site}  (inside: conn.transaction())\n"
        "The calls ran inside another object named conn.transaction(), not the one passed: "
        "pass the object the code entered, or the fake whose calls made it "
        "(`called_inside(conn.transaction)` for `async with conn.transaction():`)."
    )
    af.verify(conn.execute).called_inside(transaction)


async def test_inside_checks_take_only_the_very_context_when_it_is_no_factory() -> None:
    """It matches a fake async context or a non-fake only by identity, not by what they gave."""
    inner = af.async_context(name="inner")
    outer = af.async_context(inner, name="outer")
    save = af.AsyncFake(name="save")
    async with outer as entered:
        pass
    async with entered:  # inside what outer gave, but no longer inside outer
        await save()
    with pytest.raises(af.VerificationError, match=r"1 of 1 await ran outside it"):
        af.verify(save).awaited_inside(outer)
    with pytest.raises(af.VerificationError, match=r"Run the call inside `async with "):
        af.verify(save).awaited_inside(object())
    af.verify(save).awaited_inside(inner)


async def test_awaited_once_with_names_the_latest_await_when_the_arguments_differ() -> None:
    """It reports a single await with other arguments as an await, with the calls."""
    save = af.AsyncFake(name="save")
    site = here(1)
    await save(1)
    with pytest.raises(af.VerificationError) as info:
        af.verify(save).awaited_once_with(2)
    assert str(info.value) == (
        "The latest await of save has other arguments:\n"
        "  expected: save(2)\n"
        "  actual:   save(1)\n"
        "                 ^\n"
        "Calls (1):\n"
        f"  1. save(1)  [awaited, returned]  at {site}"
    )


async def test_awaited_and_called_hold_for_exactly_one_call() -> None:
    """It counts one call as "at least once"."""
    save, key = af.AsyncFake(name="save"), af.MagicFake(name="key")
    await save(1)
    key(1)
    af.verify(save).awaited()
    af.verify(save).called()
    af.verify(key).called()


def test_checks_of_awaits_list_the_calls_that_were_never_awaited() -> None:
    """It lists a call never awaited under "never awaited" failures, with its site."""
    save = af.AsyncFake(name="save")
    site = here(1)
    forgotten = save(1)
    forgotten.close()
    listing = f"Calls (1):\n  1. save(1)  [cancelled]  at {site}"
    with pytest.raises(af.VerificationError) as inside:
        af.verify(save).awaited_inside(af.async_context(name="tx"))
    assert str(inside.value) == (
        f"Expected save to be awaited inside tx, but it was never awaited.\n{listing}"
    )
    with pytest.raises(af.VerificationError) as latest:
        af.verify(save).awaited_with(1)
    assert str(latest.value) == (
        f"Expected save to be awaited as save(1), but it was never awaited.\n{listing}"
    )


async def test_a_context_that_is_no_fake_is_named_by_its_qualified_name() -> None:
    """It names a plain object passed to awaited_inside by its __qualname__, else its repr."""

    class Transaction:
        pass

    save = af.AsyncFake(name="save")
    await save()
    with pytest.raises(af.VerificationError, match=r"inside .*<locals>\.Transaction, but"):
        af.verify(save).awaited_inside(Transaction)
    with pytest.raises(af.VerificationError, match=r"inside 42, but"):
        af.verify(save).awaited_inside(42)


async def test_assert_in_order_accepts_a_subsequence() -> None:
    """It passes when the targets were called in order, with other calls in between."""
    db = af.AsyncFake(name="db")
    cache = af.AsyncFake(name="cache")
    await db.begin()
    await cache.get("k")
    await db.save(1)
    await db.commit()
    af.assert_in_order(db.begin, cache.get, db.commit)
    af.assert_in_order(db.begin, cache, db.save)


async def test_assert_in_order_reports_the_first_missing_step() -> None:
    """It lists the expected order, marks the first step not found, and lists actual calls."""
    db = af.AsyncFake(name="db")
    begin = here(1)
    await db.begin()
    commit = here(1)
    await db.commit()
    save = here(1)
    await db.save(1)
    with pytest.raises(af.VerificationError) as info:
        af.assert_in_order(db.begin, db.save, db.commit)
    assert str(info.value) == (
        "Calls were not made in the expected order.\n"
        "Expected order:\n"
        "  1. db.begin\n"
        "  2. db.save\n"
        "  3. db.commit  <- not found after the previous one\n"
        "Actual calls (3):\n"
        f"  1. db.begin()  at {begin}\n"
        f"  2. db.commit()  at {commit}\n"
        f"  3. db.save(1)  at {save}"
    )


def test_assert_in_order_needs_targets() -> None:
    """It rejects a call without targets."""
    with pytest.raises(
        TypeError, match=r"^assert_in_order\(\) takes at least one fake, in the expected order\.$"
    ):
        af.assert_in_order()


async def test_assert_all_awaited_names_the_call_site_and_closes_the_coroutine() -> None:
    """It reports each never-awaited call with file:line and closes its coroutine."""
    save = af.AsyncFake(name="save")
    await save(0)
    site = here(1)
    forgotten = save(1)
    with pytest.raises(af.VerificationError) as info:
        af.assert_all_awaited()
    assert str(info.value) == (
        "1 call to an async fake was never awaited (a missing `await`?):\n"
        f"  1. save(1)  at {site}\n"
        "Await each call (or pass it to asyncio.create_task); "
        "the never-awaited coroutines have been closed."
    )
    assert inspect.getcoroutinestate(forgotten) == inspect.CORO_CLOSED
    af.assert_all_awaited()  # reported once, then clean


async def test_assert_all_awaited_passes_when_everything_was_awaited() -> None:
    """It passes when every call was awaited, including through tasks."""
    save = af.AsyncFake(name="save")
    await save(1)
    await asyncio.create_task(save(2))
    af.assert_all_awaited()


def test_a_check_verify_does_not_have_names_the_one_meant() -> None:
    """A missing check (unittest.mock's names, a typo) says which check was meant, and lists them."""
    fetch = af.AsyncFake(name="fetch")
    checks = (
        "awaited(), not_awaited(), awaited_with(), awaited_once_with(), awaited_inside(), "
        "called(), not_called(), called_with(), called_once_with(), called_inside()."
    )
    expected = {
        "awaited_once": " Did you mean verify(fetch).awaited(times=1)?",
        "called_once": " Did you mean verify(fetch).called(times=1)?",
        "assert_awaited_once_with": " Did you mean verify(fetch).awaited_once_with(...)?",
        "called_oncewith": " Did you mean verify(fetch).called_once_with(...)?",
        "assert_called": " Did you mean verify(fetch).called(...)?",
        "xyz": "",
    }
    for name, hint in expected.items():
        with pytest.raises(AttributeError) as missing:
            getattr(af.verify(fetch), name)
        assert (
            str(missing.value) == f"verify(fetch) has no check {name!r}.{hint} Its checks: {checks}"
        )


def test_assert_all_awaited_closes_and_settles_every_call_it_reports() -> None:
    """Each reported call is closed and recorded as cancelled, so nothing is reported twice."""
    af.journal().clear()
    send = af.AsyncFake(name="send")
    first, second = send("a"), send("b")
    with pytest.raises(af.VerificationError) as forgotten:
        af.assert_all_awaited()
    assert str(forgotten.value).splitlines()[0] == (
        "2 calls to an async fake were never awaited (a missing `await`?):"
    )
    assert (first.cr_frame, second.cr_frame) == (None, None)
    assert [call.outcome for call in af.calls(send)] == ["cancelled", "cancelled"]
    assert af.journal().unawaited() == []
    af.assert_all_awaited()
