"""The pytest plugin's `fakes` fixture and `patch.stopall()`, run out of process with pytester.

One small user project is run under each runner the plugin supports:
pytest-asyncio (strict and auto), anyio's plugin (asyncio and trio backends),
pytest-xdist with two workers, and random order. A pytest subprocess costs
seconds here, so each run checks every test of the project by name.
"""

from __future__ import annotations

import fnmatch
import textwrap

import pytest

pytest_plugins = ["pytester"]

# looptime's plugin, when installed, leaks an event loop per sync test.
INI = """
[pytest]
asyncio_mode = {mode}
asyncio_default_fixture_loop_scope = function
filterwarnings = error
addopts = -p no:cacheprovider -p no:looptime_plugin --strict-markers
"""

APP = """
class Mailer:
    async def send(self, to: str) -> str:
        return f"sent to {to}"

    def sign(self, text: str) -> str:
        return text + " --"


async def welcome(mailer: Mailer, to: str) -> str:
    return await mailer.send(mailer.sign(to))


def render(name: str) -> str:
    return f"<{name}>"


TIMEOUT = 5.0
"""

# {mark} is the async marker of the runner under test ("" in auto mode).
PASSING = """
import pytest

import asyncfakes as af
import app


def test_sync_test_patches_through_the_fixture(fakes):
    render = fakes.patch("app.render")
    render.return_value = "<fake>"
    assert app.render("ada") == "<fake>"
    assert fakes.journal is af.journal()


{mark}
async def test_async_test_patches_and_spies(fakes):
    send = fakes.patch.object(app.Mailer, "send")
    send.return_value = "queued"
    sign = fakes.spy(app.Mailer, "sign")
    assert await app.welcome(app.Mailer(), "ada") == "queued"
    af.verify(send).awaited_once_with("ada --")
    af.verify(sign).called_once_with("ada")


{mark}
async def test_the_previous_tests_left_nothing_patched():
    assert app.render("ada") == "<ada>"
    assert await app.Mailer().send("ada") == "sent to ada"
    assert "send" in vars(app.Mailer) and "sign" in vars(app.Mailer)


def test_leaks_a_started_patch_one():
    assert app.TIMEOUT == 5.0
    af.patch("app.TIMEOUT", 0.0).start()


def test_leaks_a_started_patch_two():
    assert app.TIMEOUT == 5.0
    af.spy(app.Mailer, "sign")
    af.patch("app.TIMEOUT", 0.0).start()


@af.patch("app.render")
def test_a_decorated_test_gets_its_replacement_and_fixtures(render, fakes, tmp_path):
    render.return_value = "<decorated>"
    assert app.render("x") == "<decorated>"
    assert tmp_path.exists()


@af.patch.object(app.Mailer, "send")
{mark}
async def test_a_decorated_async_test(send, fakes):
    await app.Mailer().send("ada")
    af.verify(send).awaited_once_with("ada")
"""

FAILING = """
import pytest

import asyncfakes as af
import app


{mark}
async def test_forgets_an_await(fakes):
    fakes.patch.object(app.Mailer, "send")
    app.Mailer().send("ada")


{mark}
async def test_leaks_a_connection(fakes):
    db = fakes.pool(size=1, name="db")
    await db.acquire()


{mark}
async def test_fails_and_forgets_an_await(fakes):
    fakes.patch.object(app.Mailer, "send")
    app.Mailer().send("ada")
    assert 1 == 2
"""

UNITTEST = """
import unittest

import asyncfakes as af
import app


class TestWithFakes(af.AsyncFakesTestCase):
    async def test_patches_in_a_test_case(self):
        send = self.fakes.patch.object(app.Mailer, "send")
        send.return_value = "queued"
        self.assertEqual(await app.welcome(app.Mailer(), "ada"), "queued")

    async def test_forgets_an_await_in_a_test_case(self):
        self.fakes.patch.object(app.Mailer, "send")
        app.Mailer().send("ada")
"""

PASSING_NAMES = [
    "test_sync_test_patches_through_the_fixture",
    "test_async_test_patches_and_spies",
    "test_the_previous_tests_left_nothing_patched",
    "test_leaks_a_started_patch_one",
    "test_leaks_a_started_patch_two",
    "test_a_decorated_test_gets_its_replacement_and_fixtures",
    "test_a_decorated_async_test",
]

ANYIO_CONFTEST = """
import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param
"""


def _project(pytester: pytest.Pytester, *, mode: str, mark: str, anyio: bool = False) -> None:
    pytester.makeini(INI.format(mode=mode))
    files = {
        "app": APP,
        "test_passing": PASSING.replace("{mark}", mark),
        "test_failing": FAILING.replace("{mark}", mark),
    }
    if anyio:
        files["conftest"] = ANYIO_CONFTEST
    else:
        files["test_unittest_case"] = UNITTEST
    pytester.makepyfile(**{name: textwrap.dedent(source) for name, source in files.items()})


def _has_lines(result: pytest.RunResult, *expected: str) -> None:
    """The output holds lines matching these (fnmatch patterns), consecutive."""
    lines = result.stdout.lines
    width = len(expected)
    found = any(
        all(map(fnmatch.fnmatchcase, lines[start : start + width], expected))
        for start in range(len(lines) - width + 1)
    )
    assert found, "\n".join(["missing lines:", *expected, "in output:", *lines])


def _passed(result: pytest.RunResult, names: list[str], suffixes: list[str]) -> None:
    for name in names:
        for suffix in suffixes:
            result.stdout.fnmatch_lines([f"PASSED test_passing.py::{name}{suffix}"])


@pytest.mark.parametrize(
    ("mode", "mark"), [("strict", "@pytest.mark.asyncio"), ("auto", "")], ids=["strict", "auto"]
)
def test_fixture_under_pytest_asyncio(pytester: pytest.Pytester, mode: str, mark: str) -> None:
    """It works in sync and async tests under pytest-asyncio; teardown reports what was left."""
    _project(pytester, mode=mode, mark=mark)
    result = pytester.runpytest_subprocess("-rA", "-p", "no:randomly")
    _passed(result, PASSING_NAMES, [""])
    _has_lines(
        result,
        "_" * 18 + " ERROR at teardown of test_forgets_an_await " + "_" * 18,
        "",
        "E   asyncfakes.VerificationError: 1 call to an async fake was never awaited "
        "(a missing `await`?):",
        "      1. Mailer.send('ada')  at test_failing.py:10",
        "    Await each call (or pass it to asyncio.create_task); the never-awaited coroutines "
        "have been closed.",
    )
    _has_lines(
        result,
        "E   asyncfakes.LeakError: 1 resource was not released, closed or finished "
        "when the sandbox exited:",
        "      1. db: 1 connection acquired and never released:",
        "           1. connection #1 acquired at test_failing.py:16 by task Task-*",
        "         Release each one with `await db.release(conn)`, or acquire it with "
        "`async with db.acquire() as conn:`.",
    )
    # A failing test shows its own failure only: the sandbox undoes without checking.
    result.stdout.fnmatch_lines(["FAILED test_failing.py::test_fails_and_forgets_an_await - *"])
    result.stdout.no_fnmatch_line("*ERROR at teardown of test_fails_and_forgets_an_await*")
    # unittest cases run by pytest: the sandbox's check fails the case itself.
    result.stdout.fnmatch_lines(
        ["PASSED test_unittest_case.py::TestWithFakes::test_patches_in_a_test_case"]
    )
    result.stdout.fnmatch_lines(
        [
            "FAILED test_unittest_case.py::TestWithFakes::test_forgets_an_await_in_a_test_case*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "E * asyncfakes.VerificationError: 1 call to an async fake was never "
            "awaited (a missing `await`?):",
            "E *   1. Mailer.send('ada')  at test_unittest_case.py:15",
        ]
    )
    result.assert_outcomes(passed=len(PASSING_NAMES) + 3, failed=2, errors=2)


def test_fixture_under_anyio_on_asyncio_and_trio(pytester: pytest.Pytester) -> None:
    """It works under anyio's plugin on both backends, trio included."""
    _project(pytester, mode="strict", mark="@pytest.mark.anyio", anyio=True)
    result = pytester.runpytest_subprocess("-rA", "-p", "no:randomly")
    async_names = [name for name in PASSING_NAMES if "async" in name or "previous" in name]
    _passed(result, async_names, ["[asyncio]", "[trio]"])
    _has_lines(
        result,
        "E   asyncfakes.VerificationError: 1 call to an async fake was never awaited "
        "(a missing `await`?):",
        "      1. Mailer.send('ada')  at test_failing.py:10",
    )
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_forgets_an_await[[]trio[]]*"])
    sync = len(PASSING_NAMES) - len(async_names)
    result.assert_outcomes(passed=sync + 2 * len(async_names) + 4, failed=2, errors=4)


def test_fixture_with_xdist_and_random_order(pytester: pytest.Pytester) -> None:
    """It keeps tests apart across two xdist workers in random order, and in a shuffled order."""
    _project(pytester, mode="strict", mark="@pytest.mark.asyncio")
    # pytest-randomly shuffles the tests on each worker too; seed 1 runs the second
    # leaking test before the first in one process.
    spread = pytester.runpytest_subprocess("-n", "2", "--randomly-seed=2", "test_passing.py")
    spread.assert_outcomes(passed=len(PASSING_NAMES))
    shuffled = pytester.runpytest_subprocess("--randomly-seed=1", "test_passing.py", "-v")
    shuffled.assert_outcomes(passed=len(PASSING_NAMES))
    order = [line.split("::")[1].split()[0] for line in shuffled.stdout.lines if "PASSED" in line]
    assert sorted(order) == sorted(PASSING_NAMES)
    assert order.index("test_leaks_a_started_patch_two") < order.index(
        "test_leaks_a_started_patch_one"
    )


HALF_READ = """
import pytest

kept = []


@pytest.mark.asyncio
async def test_leaves_a_stream_half_read(fakes):
    body = fakes.stream([b"a", b"b"], name="body")
    iterator = aiter(body)
    kept.append(iterator)
    await anext(iterator)
"""


def test_fixture_reports_a_stream_the_loop_closed_before_teardown(
    pytester: pytest.Pytester,
) -> None:
    """It reports a half-read stream under pytest-asyncio, which closes the loop before teardown."""
    pytester.makeini(INI.format(mode="strict"))
    pytester.makepyfile(test_half_read=HALF_READ)
    result = pytester.runpytest_subprocess("-rA", "-p", "no:randomly")
    _has_lines(
        result,
        "E   asyncfakes.LeakError: 1 resource was not released, closed or finished "
        "when the sandbox exited:",
        "      1. body: the iteration started at test_half_read.py:11 was neither exhausted nor "
        "closed (the event loop closed it as it shut down, after the test). Iterate it to the "
        "end, or close it (`await it.aclose()`, `async with contextlib.aclosing(it)`).",
    )
    result.assert_outcomes(passed=1, errors=1)
