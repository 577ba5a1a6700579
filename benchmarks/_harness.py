"""Shared helpers for the benchmarks: timing, memory, peers, results.

Every ``benchmarks/bench_<name>.py`` module exposes ``main() -> dict`` and
builds its answer with `result()`, `row()` and `ratio()` from here, so that
``benchmarks/run.py`` can print it, store it in ``benchmarks/results.json``,
render it into ``docs/benchmarks.md`` and chart it. The contract (see
``benchmarks/README.md``)::

    {
      "name": "core",                      # the module's <name>
      "title": "...",                      # one line
      "rows": [{"case": str, "value": float, "unit": str,
                "cpu": float,                # optional: the same in thread CPU time
                ...extra}],
      "ratios": [{"name": str, "value": float, "target": str | None,
                  "met": bool | None}],    # met is None when there is no target
      "target": str,                       # the issue's target, in words
      "met": bool,                         # every ratio with a target met
      "notes": [str],                      # methodology, caveats
      "peers": {"decoy": "2.6.0" | "missing: ..."},
      "chart": [{"title": str, "unit": str, "cases": [str], "log": bool,
                 "field": "value" | "cpu"}],   # which row number to draw
    }

Methodology shared by every benchmark (keep it that way):

- `time.perf_counter` around the measured operations only; set-up (creating
  the object under test, `gc.collect()`) happens outside the timed region;
- the garbage collector stays enabled: collections caused by the measured
  code are part of its cost (`environment()` reports the GC state);
- the contenders are measured in the same process and interleaved round by
  round (`interleave`), so drift and neighbouring load hit them alike;
- warm-up rounds are discarded; the median is reported with its quartiles;
- memory comes from `tracemalloc` after `gc.collect()`, never from RSS;
- nothing here asserts on a time: the targets are reported, not enforced.

Set ``ASYNCFAKES_BENCH_QUICK=1`` (``run.py --quick``) for a smoke run with
tiny sizes whose numbers mean nothing.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

__all__ = [
    "clocks",
    "elapsed",
    "environment",
    "format_result",
    "format_value",
    "GcCount",
    "interleave",
    "new_loop",
    "optional_peer",
    "peer_failed",
    "perf_counter",
    "progress",
    "QUICK",
    "ratio",
    "result",
    "row",
    "run",
    "Sample",
    "scaled",
    "standalone",
    "Stats",
    "thread_time",
    "timed",
    "TIMES",
    "traced_bytes",
    "tracing",
]

T = TypeVar("T")

TIMES = "\N{MULTIPLICATION SIGN}"

QUICK: bool = os.environ.get("ASYNCFAKES_BENCH_QUICK") == "1"
"""True for a smoke run: sizes shrink, numbers are meaningless and are not stored."""

ROOT = Path(__file__).resolve().parent.parent

perf_counter = time.perf_counter
thread_time = time.thread_time


def scaled(full: int, quick: int) -> int:
    """`full` normally, `quick` in a smoke run."""
    return quick if QUICK else full


def progress(message: str) -> None:
    """A progress line on stderr (stdout stays for results)."""
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Stats:
    """Summary of repeated samples of one case (seconds per operation, or any unit)."""

    median: float
    p25: float
    p75: float
    best: float
    samples: int
    cpu: Stats | None = None
    """The same samples measured in CPU time of the thread, when the sampler gave it."""

    @classmethod
    def of(cls, samples: Sequence[float], cpu: Sequence[float] | None = None) -> Stats:
        """Summarise `samples` (at least one), and their CPU-time twins if given."""
        ordered = sorted(samples)
        if len(ordered) >= 4:
            p25, _, p75 = statistics.quantiles(ordered, n=4)
        else:
            p25, p75 = ordered[0], ordered[-1]
        return cls(
            statistics.median(ordered),
            p25,
            p75,
            ordered[0],
            len(ordered),
            None if cpu is None else cls.of(cpu),
        )

    def scaled(self, factor: float) -> Stats:
        """The same statistics multiplied by `factor` (for unit conversion)."""
        return Stats(
            self.median * factor,
            self.p25 * factor,
            self.p75 * factor,
            self.best * factor,
            self.samples,
            None if self.cpu is None else self.cpu.scaled(factor),
        )


class GcCount:
    """Counts garbage collections (per generation) while its block runs."""

    def __init__(self) -> None:
        self.collections = [0, 0, 0]

    def __enter__(self) -> GcCount:
        self._start = [stat["collections"] for stat in gc.get_stats()]
        return self

    def __exit__(self, *exc_info: object) -> None:
        end = [stat["collections"] for stat in gc.get_stats()]
        self.collections = [
            self.collections[index] + end[index] - self._start[index] for index in range(3)
        ]


Sample = float | tuple[float, float]
"""What a sampler returns: wall time per operation, or (wall, CPU) time per operation."""


def clocks() -> tuple[float, float]:
    """(wall, CPU) readings: `time.perf_counter()` and `time.thread_time()`.

    Take one before and one after the measured operations (`elapsed`). The CPU
    time of the thread leaves out the time the OS gave to other processes, so
    on a loaded machine it is a cross-check of the wall time; it costs a
    system call, so read it around a batch, never per operation.
    """
    return perf_counter(), thread_time()


def elapsed(start: tuple[float, float], count: int = 1) -> tuple[float, float]:
    """(wall, CPU) seconds per operation since `start` (from `clocks()`)."""
    wall, cpu = perf_counter(), thread_time()
    return (wall - start[0]) / count, (cpu - start[1]) / count


def interleave(
    samplers: Mapping[str, Callable[[], Sample]],
    *,
    rounds: int,
    warmup: int = 3,
    prepare: Callable[[], object] | None = gc.collect,
    label: str = "",
) -> dict[str, Stats]:
    """Run every sampler once per round, rotating the order; summarise each.

    A sampler does its own set-up, times only the operations it measures and
    returns the time per operation, or (wall, CPU) times per operation (see
    `clocks`), in which case each `Stats` carries its CPU twin in ``cpu``.
    `prepare` runs (untimed) before each sample; by default a `gc.collect()`
    so each sample starts from a clean heap and pays only for its own garbage.
    The first `warmup` rounds are discarded. Rotating the order means no case
    always runs right after the same neighbour.
    """
    names = list(samplers)
    samples: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    started = perf_counter()
    for round_index in range(warmup + rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            if prepare is not None:
                prepare()
            value = samplers[name]()
            if round_index >= warmup:
                if isinstance(value, tuple):
                    samples[name].append(value[0])
                    cpu[name].append(value[1])
                else:
                    samples[name].append(value)
        if label and round_index and round_index % max(1, (warmup + rounds) // 4) == 0:
            progress(f"{label}: round {round_index}/{warmup + rounds}")
    if label:
        progress(f"{label}: {rounds} rounds in {perf_counter() - started:.1f} s")
    return {name: Stats.of(values, cpu[name] or None) for name, values in samples.items()}


def new_loop() -> asyncio.AbstractEventLoop:
    """A fresh event loop (the default policy's), for `loop.run_until_complete`.

    One loop serves a whole benchmark so loop creation stays out of the
    numbers; the samplers time inside their coroutine.
    """
    return asyncio.new_event_loop()


def run(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T]) -> T:
    """`loop.run_until_complete` with a precise type."""
    return loop.run_until_complete(coroutine)


async def timed(operation: Callable[[], Awaitable[object]], count: int) -> float:
    """Await `operation()` `count` times; return seconds per await."""
    start = perf_counter()
    for _ in range(count):
        await operation()
    return (perf_counter() - start) / count


# --------------------------------------------------------------------- memory


@contextmanager
def tracing() -> Iterator[None]:
    """Trace allocations with `tracemalloc` for the block (1 frame: cheapest)."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start(1)
    try:
        yield
    finally:
        if not was_tracing:
            tracemalloc.stop()


def traced_bytes() -> int:
    """Bytes currently allocated and traced, after a full collection."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


# ---------------------------------------------------------------------- peers

_peers: dict[str, str] = {}


def optional_peer(name: str) -> ModuleType | None:
    """Import an optional contender (decoy, looptime…), or None if it is unusable.

    The outcome lands in the result's ``peers`` (version, or why it is missing),
    so a missing peer is reported instead of failing the run.
    """
    try:
        module = importlib.import_module(name)
    except Exception as exception:  # any import failure means: report, go on
        _peers[name] = f"missing: {type(exception).__name__}: {exception}"
        progress(f"optional peer {name} unavailable: {exception}")
        return None
    try:
        from importlib.metadata import version

        _peers[name] = version(name)
    except Exception:
        _peers[name] = str(getattr(module, "__version__", "installed"))
    return module


def peer_failed(name: str, exception: BaseException) -> None:
    """Record that an installed peer failed while being measured."""
    _peers[name] = f"failed: {type(exception).__name__}: {exception}"
    progress(f"optional peer {name} failed: {exception}")


# -------------------------------------------------------------------- results


def row(case: str, value: float, unit: str, **extra: object) -> dict[str, Any]:
    """One measured number."""
    return {"case": case, "value": value, "unit": unit, **extra}


def ratio(
    name: str,
    value: float,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """A derived ratio, with its target when it has one (`met` is None otherwise)."""
    target: str | None = None
    met: bool | None = None
    if at_least is not None:
        target = f"≥ {at_least:g}"
        met = value >= at_least
    elif at_most is not None:
        target = f"≤ {at_most:g}"
        met = value <= at_most
    entry: dict[str, Any] = {"name": name, "value": value, "target": target, "met": met}
    if note:
        entry["note"] = note
    return entry


def result(
    name: str,
    title: str,
    rows: Sequence[Mapping[str, Any]],
    ratios: Sequence[Mapping[str, Any]],
    *,
    target: str,
    notes: Sequence[str] = (),
    chart: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The dict a benchmark's `main()` returns; `met` is every targeted ratio met."""
    targeted = [entry["met"] for entry in ratios if entry.get("met") is not None]
    answer: dict[str, Any] = {
        "name": name,
        "title": title,
        "rows": [dict(entry) for entry in rows],
        "ratios": [dict(entry) for entry in ratios],
        "target": target,
        "met": bool(targeted) and all(targeted),
        "notes": list(notes),
        "peers": dict(_peers),
        "gc": {"enabled": gc.isenabled(), "thresholds": list(gc.get_threshold())},
    }
    if chart is not None:
        answer["chart"] = [dict(panel) for panel in chart]
    json.dumps(answer)  # fail here, in the benchmark, if it is not JSON-serialisable
    return answer


def environment() -> dict[str, Any]:
    """Where and on what the numbers were measured."""
    try:
        import asyncfakes

        version = asyncfakes.__version__
    except Exception as exception:
        version = f"unimportable: {exception}"
    env: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "asyncfakes": version,
        "gc_enabled": gc.isenabled(),
        "gc_thresholds": list(gc.get_threshold()),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }
    if hasattr(os, "getloadavg"):
        env["load_average"] = [round(load, 2) for load in os.getloadavg()]
    env["commit"] = _git_commit()
    return env


def _git_commit() -> str | None:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except Exception:
        return None
    return f"{commit}{' + uncommitted src changes' if dirty else ''}"


def format_value(value: float) -> str:
    """A number with about three significant digits."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def format_result(answer: Mapping[str, Any]) -> str:
    """A plain-text table of one benchmark's result."""
    lines = [f"== {answer.get('name')}: {answer.get('title', '')}"]
    status = answer.get("status", "ok")
    if status != "ok":
        lines.append(f"   {status.upper()}: {answer.get('error', '')}".rstrip())
        return "\n".join(lines)
    rows = answer.get("rows", [])
    if rows:
        width = max(len(str(entry["case"])) for entry in rows)
        for entry in rows:
            cpu = entry.get("cpu")
            twin = f"  (CPU {format_value(cpu)})" if isinstance(cpu, (int, float)) else ""
            lines.append(
                f"   {entry['case']:<{width}}  {format_value(entry['value']):>10} {entry['unit']}"
                f"{twin}"
            )
    ratios = answer.get("ratios", [])
    if ratios:
        lines.append("   ratios:")
        width = max(len(str(entry["name"])) for entry in ratios)
        for entry in ratios:
            met = entry.get("met")
            verdict = "" if met is None else ("  met" if met else "  NOT MET")
            target = f"  (target {entry['target']})" if entry.get("target") else ""
            lines.append(
                f"   {entry['name']:<{width}}  {format_value(entry['value']):>8}{TIMES}"
                f"{target}{verdict}"
            )
    lines.append(
        f"   target: {answer.get('target', '')} -> {'MET' if answer.get('met') else 'NOT MET'}"
    )
    for name, info in answer.get("peers", {}).items():
        lines.append(f"   peer {name}: {info}")
    for note in answer.get("notes", []):
        lines.append(f"   note: {note}")
    return "\n".join(lines)


def standalone(main: Callable[[], Mapping[str, Any]]) -> None:
    """Run one benchmark module directly: print its table, then its JSON."""
    answer = main()
    print(format_result(answer))
    print(json.dumps(answer, indent=2, ensure_ascii=False))
