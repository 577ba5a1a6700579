"""The migration guide's examples, run: the `unittest.mock` and pytest-mock tests pass against
three bugs, and the same tests converted to asyncfakes catch each bug, one fix at a time.

The files live in tests/patching_migration/ and are included in
docs/guide/patching-sandbox-plugin.md; each ``text`` block of that page that
follows a ``<!-- migration-output: NAME -->`` line is output the run NAME must
print, line for line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent / "patching_migration"
PAGE = Path(__file__).parent.parent / "docs" / "guide" / "patching-sandbox-plugin.md"

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
addopts = -p no:cacheprovider -p no:looptime_plugin -p no:randomly
"""

# The fixes, in the order the converted tests ask for them.
FIXES = [
    (
        "await api.fetch_user(user_id, timeout=5)  # bug 1: fetch_user() takes no timeout",
        "await api.fetch_user(user_id)",
    ),
    (
        'await cache.delete(f"stale:{user_id}")  # bug 3: the method is delete_key()',
        'await cache.delete_key(f"stale:{user_id}")',
    ),
    (
        '    cache.set(f"user:{user_id}", user["name"], ttl=60)  # bug 2: the write is never awaited',
        '    await cache.set(f"user:{user_id}", user["name"], ttl=60)',
    ),
]


def _expected_outputs() -> dict[str, list[str]]:
    """The page's output blocks, by run name."""
    text = PAGE.read_text(encoding="utf-8")
    blocks = re.findall(
        r"^<!-- migration-output: (?P<name>[\w-]+) -->\n```text\n(?P<body>.*?)^```$",
        text,
        re.MULTILINE | re.DOTALL,
    )
    return {name: body.splitlines() for name, body in blocks}


def _project(pytester: pytest.Pytester, fixed: int) -> None:
    """The migration project with the first `fixed` bugs fixed."""
    pytester.makeini(INI)
    service = (HERE / "profile_service.py").read_text(encoding="utf-8")
    for bug, fix in FIXES[:fixed]:
        assert bug in service
        service = service.replace(bug, fix)
    files = {"profile_service": service}
    for name in ("before_unittest_mock", "before_pytest_mock", "after_unittest", "after_pytest"):
        files[f"test_{name}"] = (HERE / f"{name}.py").read_text(encoding="utf-8")
    pytester.makepyfile(**files)


def _normal(line: str, root: Path) -> str:
    """A line of pytest output without what varies: the run's directory, the timing, the
    traceback depth (the indent after ``E``)."""
    line = line.replace(f"{root}{os.sep}", "").strip().strip("=").strip()
    line = re.sub(r"^E\s+", "", line)
    line = line.replace("asyncfakes._errors.", "asyncfakes.")  # errors show as asyncfakes.X
    return re.sub(r" in \d+\.\d+s( \(\d+:\d+:\d+\))?$", "", line)


def _shows(result: pytest.RunResult, root: Path, expected: list[str]) -> None:
    """Each expected line is in the output, in this order (see `_normal`)."""
    lines = [_normal(line, root) for line in result.stdout.lines]
    position = 0
    for wanted in expected:
        try:
            position = lines.index(_normal(wanted, root), position) + 1
        except ValueError:
            raise AssertionError(
                "\n".join(["missing line:", wanted, "in output:", *result.stdout.lines])
            ) from None


def test_the_page_has_an_output_block_for_every_run() -> None:
    """The page shows the output of the run before conversion and of each fix after it."""
    assert sorted(_expected_outputs()) == ["after-0", "after-1", "after-2", "after-3", "before"]


def test_the_mock_based_tests_pass_against_every_bug(pytester: pytest.Pytester) -> None:
    """unittest.mock + AsyncMock and pytest-mock pass; the missing await is only a warning."""
    _project(pytester, fixed=0)
    result = pytester.runpytest_subprocess(
        "test_before_unittest_mock.py", "test_before_pytest_mock.py"
    )
    result.assert_outcomes(passed=2, warnings=2)
    _shows(result, pytester.path, _expected_outputs()["before"])


@pytest.mark.parametrize("fixed", [0, 1, 2, 3])
def test_the_converted_tests_catch_each_bug_in_turn(pytester: pytest.Pytester, fixed: int) -> None:
    """The converted tests fail on the wrong keyword, then the renamed method, then the missing await."""
    _project(pytester, fixed=fixed)
    result = pytester.runpytest_subprocess("test_after_unittest.py", "test_after_pytest.py")
    outcomes = [
        {"failed": 2},
        {"failed": 2},
        {"failed": 1, "passed": 1, "errors": 1},
        {"passed": 2},
    ]
    result.assert_outcomes(**outcomes[fixed])
    _shows(result, pytester.path, _expected_outputs()[f"after-{fixed}"])
