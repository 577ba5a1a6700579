"""A sleep-heavy test suite in real time, with looptime, and with asyncfakes' virtual time.

Issue 5, item 5. Targets: the suite at least 100x faster in wall time with
``af.virtual_time`` than in real time, no slower than with looptime, and the
same outcome for every test in all three runs.

The suite is ``benchmarks/sleepy_suite/`` (26 tests in the style of the async
testing guide: timeouts, context managers that sleep, retries with tenacity and
backoff, heartbeats, polling, queues, rate limiting, debouncing, a circuit
breaker, a TTL cache, graceful shutdown; about 18 s of sleeping). Each run is a
``pytest`` subprocess with pytest-asyncio; the suite's conftest times the test
loop (every test's set-up, call and tear-down; interpreter start-up and
collection excluded) and records each test's outcome. Modes:

- real time: nothing changes (looptime's plugin is blocked so it patches nothing);
- looptime: ``--looptime`` turns on looptime's time compaction for every test;
- asyncfakes: every test gets ``@pytest.mark.virtual_time`` (looptime blocked).

The real run happens once (it takes the suite's full sleeping time); the two fast
modes run several times, interleaved, and their median is reported.

Run it alone with ``python benchmarks/bench_virtual_time.py``; ``benchmarks/run.py``
runs it with the others.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _harness as h

SUITE = Path(__file__).resolve().parent / "sleepy_suite"
FAST_ROUNDS = h.scaled(7, 1)
# A smoke run only checks that every mode runs: two short tests.
QUICK_SELECTION = ["-k", "test_operation_within_timeout or test_async_context_manager"]
NEEDED = ("pytest", "pytest_asyncio", "tenacity", "backoff")


def run_suite(mode: str) -> dict[str, Any]:
    """Run the suite once in `mode`; return its report plus the process wall time."""
    with tempfile.TemporaryDirectory(prefix="asyncfakes-sleepy-") as scratch:
        report = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-c",
            str(SUITE / "pytest.ini"),
            "--rootdir",
            str(SUITE),
            str(SUITE),
        ]
        command += ["--looptime"] if mode == "looptime" else ["-p", "no:looptime_plugin"]
        if h.QUICK:
            command += QUICK_SELECTION
        env = dict(os.environ)
        env["ASYNCFAKES_SLEEPY_MODE"] = mode
        env["ASYNCFAKES_SLEEPY_REPORT"] = str(report)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        started = time.perf_counter()
        completed = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        wall = time.perf_counter() - started
        if not report.exists():
            raise RuntimeError(
                f"the {mode} run of the sleepy suite wrote no report "
                f"(exit {completed.returncode}):\n"
                f"{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
            )
        answer: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    answer["process_seconds"] = wall
    answer["exit_code"] = completed.returncode
    return answer


def main() -> dict[str, Any]:
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        raise ModuleNotFoundError(
            f"the sleepy suite needs {', '.join(missing)} (install asyncfakes[test])",
            name=missing[0],
        )
    looptime = h.optional_peer("looptime")
    modes = ["asyncfakes"] + (["looptime"] if looptime is not None else [])

    h.progress("sleepy suite in real time (it really sleeps)")
    real = run_suite("real")
    fast: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
    for round_index in range(FAST_ROUNDS):
        order = modes if round_index % 2 == 0 else list(reversed(modes))
        for mode in order:
            fast[mode].append(run_suite(mode))
        h.progress(f"fast modes: round {round_index + 1}/{FAST_ROUNDS}")

    def median_of(mode: str, key: str) -> float:
        return statistics.median(run[key] for run in fast[mode])

    def per_test_median(mode: str) -> float:
        """The median, over rounds, of the median test's duration."""
        return statistics.median(statistics.median(run["durations"].values()) for run in fast[mode])

    tests = len(real["outcomes"])
    rows = [
        h.row("real time: test loop", real["loop_seconds"], "s", tests=tests),
        h.row("real time: whole pytest process", real["process_seconds"], "s"),
        h.row(
            "real time: median test",
            statistics.median(real["durations"].values()) * 1e3,
            "ms",
        ),
    ]
    for mode in modes:
        label = "af.virtual_time" if mode == "asyncfakes" else "looptime"
        rows += [
            h.row(f"{label}: test loop", median_of(mode, "loop_seconds"), "s", rounds=FAST_ROUNDS),
            h.row(f"{label}: whole pytest process", median_of(mode, "process_seconds"), "s"),
            h.row(f"{label}: median test", per_test_median(mode) * 1e3, "ms"),
        ]

    outcome_sets = {"real": real["outcomes"]}
    outcome_sets.update({mode: run["outcomes"] for mode in modes for run in fast[mode]})
    identical = all(outcomes == real["outcomes"] for outcomes in outcome_sets.values())
    passed = sum(outcome == "passed" for outcome in real["outcomes"].values())

    af_loop = median_of("asyncfakes", "loop_seconds")
    ratios = [
        h.ratio(
            "real time ÷ af.virtual_time, test loop", real["loop_seconds"] / af_loop, at_least=100
        ),
        h.ratio(
            "identical outcomes in every run (1 = yes)",
            1.0 if identical else 0.0,
            at_least=1,
            note=f"{passed} of {tests} tests passed in real time",
        ),
    ]
    if looptime is not None:
        loop_loop = median_of("looptime", "loop_seconds")
        ratios.insert(
            1,
            h.ratio(
                "looptime ÷ af.virtual_time, test loop (≥ 1: no slower)",
                loop_loop / af_loop,
                at_least=1,
            ),
        )
        ratios.append(
            h.ratio(
                "looptime ÷ af.virtual_time, median test",
                per_test_median("looptime") / per_test_median("asyncfakes"),
            )
        )
        ratios.append(h.ratio("real time ÷ looptime, test loop", real["loop_seconds"] / loop_loop))
    ratios.append(
        h.ratio(
            "real time ÷ af.virtual_time, whole pytest process",
            real["process_seconds"] / median_of("asyncfakes", "process_seconds"),
            note="informational: includes interpreter start-up and collection",
        )
    )
    cases = ["real time: test loop"] + [
        f"{'af.virtual_time' if mode == 'asyncfakes' else 'looptime'}: test loop" for mode in modes
    ]
    return h.result(
        "virtual_time",
        "A sleep-heavy test suite: real time vs looptime vs af.virtual_time",
        rows,
        ratios,
        target="≥ 100x faster than real time, no slower than looptime, identical outcomes",
        notes=[
            f"{tests} tests in benchmarks/sleepy_suite, run by pytest with pytest-asyncio "
            "(a new loop per test) in a subprocess per run",
            "test loop = the wall time of pytest's run-test loop (set-up, call, tear-down of "
            "every test); interpreter start-up and collection are excluded",
            f"the real-time run happens once; the fast modes run {FAST_ROUNDS} times each, "
            "interleaved, and their median is reported",
            "in virtual time a test costs what pytest and pytest-asyncio cost "
            "(a new event loop per test): the median test shows that floor",
        ],
        chart=[{"title": "Sleepy suite, test loop", "unit": "s", "cases": cases, "log": True}],
    )


if __name__ == "__main__":
    h.standalone(main)
