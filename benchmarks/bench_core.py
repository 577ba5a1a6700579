"""Cost of an awaited, recorded call: `AsyncFake` vs `AsyncMock` vs a bare `async def`.

Issue 2, item 5. Targets: an awaited `AsyncFake` call at least 10 times faster than
an awaited `AsyncMock` call, and at most ¼ of its memory per recorded call.

Every contender is called the way client code calls an HTTP client,
``await f(URL, timeout=5)``, in three shapes:

- top-level: the fake itself is the awaited callable;
- child: ``client.get`` of a parent fake (the common shape: a fake client);
- child with ``side_effect``: ``client.get.side_effect = handler`` (a sync function).

Time is measured two ways: on a fresh object per batch of calls (a test makes a
few calls on a new fake; batches are interleaved round-robin across contenders,
the median batch is reported) and as one long run of 100,000 calls on one
object. Memory per recorded call comes from `tracemalloc`: once with the
standard lists (``call_args_list``…) never read, which is what the lazy design
saves, then after reading them, which shows their full cost, then after
dropping the object, which shows what stays alive.

Run it alone with ``python benchmarks/bench_core.py``; ``benchmarks/run.py``
runs it with the others.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import sys
import threading
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any
from unittest.mock import AsyncMock

import _harness as h

import asyncfakes as af

URL = "https://api.example.com/users/1"
RESPONSE: dict[str, Any] = {"id": 1, "name": "Ada"}

BATCH = h.scaled(1_000, 200)
ROUNDS = h.scaled(150, 10)
LONG = h.scaled(100_000, 5_000)
LONG_ROUNDS = h.scaled(3, 1)
MEMORY_CALLS = h.scaled(10_000, 1_000)

CONTENDERS = ("async def", "AsyncMock", "AsyncFake")

# Not contenders: lower bounds for any pure-Python recorder, top-level shape only.
NO_RECORDING = "floor: object call + await, no recording"
MINIMAL_RECORDER = "floor: minimal pure-Python recorder"
FLOORS = {NO_RECORDING: "no-recording floor", MINIMAL_RECORDER: "minimal-recorder floor"}


# ------------------------------------------------------------ the contenders


async def fetch(url: str, timeout: float | None = None) -> dict[str, Any]:
    return RESPONSE


def handler(url: str, timeout: float | None = None) -> dict[str, Any]:
    return RESPONSE


class Client:
    async def get(self, url: str, timeout: float | None = None) -> dict[str, Any]:
        return RESPONSE


class HandlerClient:
    async def get(self, url: str, timeout: float | None = None) -> dict[str, Any]:
        return handler(url, timeout)


class NoRecording:
    """An object whose `__call__` returns a coroutine, as a fake's does, recording nothing."""

    __slots__ = ("result",)

    def __init__(self, result: Any) -> None:
        self.result = result

    def __call__(self, *args: Any, **kwargs: Any) -> Coroutine[Any, Any, Any]:
        return self._run()

    async def _run(self) -> Any:
        return self.result


_next_seq = itertools.count(1).__next__
_running_loop = asyncio.events._get_running_loop
_inside: ContextVar[tuple[object, ...]] = ContextVar("floor_inside", default=())
_get_inside = _inside.get
_CHEAP_LOOKUP = sys.version_info >= (3, 12)
# Before 3.12, finding the running loop calls getpid() and `current_task` is
# Python code: the floor keeps the last loop found and reads asyncio's dict of
# current tasks, as the core does.
_current_tasks: dict[Any, Any] = getattr(asyncio.tasks, "_current_tasks", {})
_get_ident = threading.get_ident
_last_loop: list[Any] = [None]


class MinimalRecorder:
    """The floor of recording in pure Python: what API.md §1 asks a record to hold, no more.

    Not a fake (no mock, no spec, no lists, no checks): one `__call__` that
    writes the record inline, with the cheapest lookup Python offers for each
    field (target, args, kwargs, process-wide seq, loop, loop time, task, the
    enclosing contexts, the caller's code and instruction), appends it to the
    callee's list and the journal, and a coroutine that marks it awaited and
    stores the outcome, the result and the end time.
    """

    __slots__ = ("journal", "records", "result")

    def __init__(self, result: Any) -> None:
        self.result = result
        self.records: list[list[Any]] = []
        self.journal: list[list[Any]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Coroutine[Any, Any, Any]:
        if _CHEAP_LOOKUP:
            loop = _running_loop()
            task = asyncio.current_task(loop)
        else:
            loop = _last_loop[0]
            if loop is None or loop._thread_id != _get_ident():
                loop = _last_loop[0] = _running_loop()
            task = _current_tasks.get(loop)
        frame = sys._getframe(1)
        raw = [
            self,
            args,
            kwargs,
            _next_seq(),
            loop,
            loop.time(),
            task,
            _get_inside(),
            frame.f_code,
            frame.f_lasti,
            False,
            None,
            None,
            None,
        ]
        self.records.append(raw)
        self.journal.append(raw)
        return self._run(raw)

    async def _run(self, raw: list[Any]) -> Any:
        raw[10] = True
        result = raw[12] = self.result
        raw[11] = "returned"
        raw[13] = raw[4].time()
        return result


def top_level(kind: str) -> Any:
    if kind == "async def":
        return fetch
    if kind == NO_RECORDING:
        return NoRecording(RESPONSE)
    if kind == MINIMAL_RECORDER:
        return MinimalRecorder(RESPONSE)
    if kind == "AsyncMock":
        return AsyncMock(return_value=RESPONSE)
    return af.AsyncFake(return_value=RESPONSE)


def child(kind: str) -> Any:
    if kind == "async def":
        return Client()
    client = AsyncMock() if kind == "AsyncMock" else af.AsyncFake()
    client.get.return_value = RESPONSE
    return client


def child_side_effect(kind: str) -> Any:
    if kind == "async def":
        return HandlerClient()
    client = AsyncMock() if kind == "AsyncMock" else af.AsyncFake()
    client.get.side_effect = handler
    return client


async def drive_top_level(f: Any, count: int) -> tuple[float, float]:
    start = h.clocks()
    for _ in range(count):
        await f(URL, timeout=5)
    return h.elapsed(start, count)


async def drive_child(client: Any, count: int) -> tuple[float, float]:
    start = h.clocks()
    for _ in range(count):
        await client.get(URL, timeout=5)
    return h.elapsed(start, count)


Drive = Callable[[Any, int], Coroutine[Any, Any, tuple[float, float]]]

SHAPES: dict[str, tuple[Callable[[str], Any], Drive]] = {
    "top-level": (top_level, drive_top_level),
    "child": (child, drive_child),
    "child + side_effect": (child_side_effect, drive_child),
}


def forget_journal() -> None:
    """Drop the process journal's records, as a per-test Sandbox does (untimed)."""
    af.journal().clear()


def prepare() -> None:
    forget_journal()
    gc.collect()


# --------------------------------------------------------------------- timing


def time_batches(loop: Any) -> tuple[list[dict[str, Any]], dict[str, h.Stats]]:
    created: dict[str, list[float]] = {}
    collections: dict[str, h.GcCount] = {}

    def sampler(shape: str, kind: str) -> Callable[[], tuple[float, float]]:
        make, drive = SHAPES[shape]
        key = f"{shape}|{kind}"
        created[key] = []
        counter = collections[key] = h.GcCount()

        def sample() -> tuple[float, float]:
            start = h.perf_counter()
            target = make(kind)
            created[key].append(h.perf_counter() - start)
            with counter:
                return h.run(loop, drive(target, BATCH))

        return sample

    samplers = {f"{shape}|{kind}": sampler(shape, kind) for shape in SHAPES for kind in CONTENDERS}
    samplers |= {f"top-level|{kind}": sampler("top-level", kind) for kind in FLOORS}
    stats = h.interleave(
        samplers, rounds=ROUNDS, warmup=3, prepare=prepare, label=f"batches of {BATCH:,}"
    )
    rows = []
    for key, value in stats.items():
        shape, kind = key.split("|")
        micro = value.scaled(1e6)
        calls = (ROUNDS + 3) * BATCH
        rows.append(
            h.row(
                f"{shape}, fresh object per {BATCH:,} calls: {kind}",
                micro.median,
                "µs/call",
                p25=micro.p25,
                p75=micro.p75,
                samples=micro.samples,
                cpu=None if micro.cpu is None else micro.cpu.median,
                gc_per_1000_calls=[
                    round(count * 1000 / calls, 2) for count in collections[key].collections
                ],
            )
        )
    for key, values in created.items():
        shape, kind = key.split("|")
        if kind == "async def" or kind in FLOORS or shape == "child + side_effect":
            continue
        micro = h.Stats.of(values).scaled(1e6)
        rows.append(
            h.row(
                f"{shape}, create and configure (once per object): {kind}",
                micro.median,
                "µs/object",
                p25=micro.p25,
                p75=micro.p75,
            )
        )
    return rows, stats


def time_long(loop: Any) -> tuple[list[dict[str, Any]], dict[str, h.Stats]]:
    def sampler(shape: str, kind: str) -> Callable[[], tuple[float, float]]:
        make, drive = SHAPES[shape]

        def sample() -> tuple[float, float]:
            return h.run(loop, drive(make(kind), LONG))

        return sample

    samplers = {
        f"{shape}|{kind}": sampler(shape, kind)
        for shape in ("top-level", "child")
        for kind in CONTENDERS
    }
    stats = h.interleave(
        samplers, rounds=LONG_ROUNDS, warmup=0, prepare=prepare, label=f"{LONG:,} calls on one"
    )
    rows = []
    for key, value in stats.items():
        shape, kind = key.split("|")
        micro = value.scaled(1e6)
        rows.append(
            h.row(
                f"{shape}, {LONG:,} calls on one object: {kind}",
                micro.median,
                "µs/call",
                p25=micro.p25,
                p75=micro.p75,
                samples=micro.samples,
                cpu=None if micro.cpu is None else micro.cpu.median,
            )
        )
    prepare()
    return rows, stats


# --------------------------------------------------------------------- memory


def read_own(shape: str, target: Any) -> None:
    """Read the called mock's standard lists (AsyncFake materialises them now)."""
    called = target if shape == "top-level" else target.get
    _ = called.call_args_list, called.await_args_list, called.mock_calls


def read_parent(shape: str, target: Any) -> None:
    """Read the parent's lists too (a child's calls appear there)."""
    if shape != "top-level":
        _ = target.mock_calls, target.method_calls


def measure_memory(loop: Any, shape: str, kind: str) -> dict[str, float]:
    make, drive = SHAPES[shape]
    prepare()
    with h.tracing():
        base = h.traced_bytes()
        target = make(kind)
        h.run(loop, drive(target, 1))  # the first call creates lazily made state
        before = h.traced_bytes()
        h.run(loop, drive(target, MEMORY_CALLS))
        untouched = h.traced_bytes() - before
        if kind != "async def":
            read_own(shape, target)
        own = h.traced_bytes() - before
        if kind != "async def":
            read_parent(shape, target)
        every = h.traced_bytes() - before
        del target
        retained = h.traced_bytes() - base
    prepare()
    return {
        "untouched": untouched / MEMORY_CALLS,
        "own": own / MEMORY_CALLS,
        "every": every / MEMORY_CALLS,
        "retained": max(0.0, retained / MEMORY_CALLS),
    }


kept: list[object] = []


async def keep_arguments(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The floor of any recorder: keep the call's arguments, nothing else."""
    kept.append((url, *args))
    kept.append(kwargs)
    return RESPONSE


def measure_floor(loop: Any) -> float:
    """Bytes per call that any recorder keeps: the caller's args tuple and kwargs dict."""
    prepare()
    with h.tracing():
        before = h.traced_bytes()
        h.run(loop, drive_top_level(keep_arguments, MEMORY_CALLS))
        floor = h.traced_bytes() - before
    kept.clear()
    prepare()
    return floor / MEMORY_CALLS


def measure_minimal_recorder(loop: Any) -> float:
    """Bytes per call kept by `MinimalRecorder`: the smallest record API.md §1 allows."""
    prepare()
    recorder = MinimalRecorder(RESPONSE)
    h.run(loop, drive_top_level(recorder, 1))
    with h.tracing():
        before = h.traced_bytes()
        h.run(loop, drive_top_level(recorder, MEMORY_CALLS))
        used = h.traced_bytes() - before
    del recorder
    prepare()
    return used / MEMORY_CALLS


def memory(loop: Any) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    rows = []
    measured: dict[str, dict[str, float]] = {}
    for shape in ("top-level", "child"):
        for kind in CONTENDERS:
            h.progress(f"memory: {shape}, {kind}")
            value = measured[f"{shape}|{kind}"] = measure_memory(loop, shape, kind)
            labels = [
                ("untouched", "lists never read"),
                ("own", "after reading call_args_list & co."),
            ]
            if shape != "top-level":
                labels.append(("every", "after reading the parent's lists too"))
            labels.append(("retained", "still allocated after `del` of the object"))
            for field, label in labels:
                rows.append(h.row(f"{shape}, {label}: {kind}", round(value[field], 1), "B/call"))
    h.progress("memory: the arguments alone")
    floor = measure_floor(loop)
    measured["floor"] = {"untouched": floor}
    rows.append(
        h.row(
            "the call's own arguments (args tuple, kwargs dict), kept by any recorder",
            round(floor, 1),
            "B/call",
        )
    )
    h.progress("memory: the minimal recorder")
    minimal = measure_minimal_recorder(loop)
    measured[MINIMAL_RECORDER] = {"untouched": minimal}
    rows.append(h.row(f"top-level: {MINIMAL_RECORDER}", round(minimal, 1), "B/call"))
    return rows, measured


# ----------------------------------------------------------------------- main


def main() -> dict[str, Any]:
    loop = h.new_loop()
    try:
        batch_rows, batches = time_batches(loop)
        long_rows, long = time_long(loop)
        memory_rows, measured = memory(loop)
    finally:
        loop.close()

    ratios = []
    timings = [(f"{shape}, fresh object per {BATCH:,} calls", shape, batches) for shape in SHAPES]
    timings += [
        (f"{shape}, {LONG:,} calls on one object", shape, long) for shape in ("top-level", "child")
    ]
    for label, shape, stats in timings:
        mock, fake = stats[f"{shape}|AsyncMock"], stats[f"{shape}|AsyncFake"]
        ratios.append(
            h.ratio(f"AsyncMock ÷ AsyncFake time, {label}", mock.median / fake.median, at_least=10)
        )
    for label, shape, stats in timings:
        mock_cpu, fake_cpu = stats[f"{shape}|AsyncMock"].cpu, stats[f"{shape}|AsyncFake"].cpu
        if mock_cpu is not None and fake_cpu is not None:
            ratios.append(
                h.ratio(
                    f"AsyncMock ÷ AsyncFake CPU time, {label}",
                    mock_cpu.median / fake_cpu.median,
                    at_least=10,
                    note="thread CPU time: under load, wall time favours the faster contender",
                )
            )
    # What the 10x target would need of any pure-Python recorder, measured in the same run.
    mock_top = batches["top-level|AsyncMock"]
    for kind, short in FLOORS.items():
        floor_stats = batches[f"top-level|{kind}"]
        if mock_top.cpu is not None and floor_stats.cpu is not None:
            ratios.append(
                h.ratio(
                    f"AsyncMock ÷ {short} CPU time, top-level, fresh object per {BATCH:,} calls",
                    mock_top.cpu.median / floor_stats.cpu.median,
                    note="informational: the most a pure-Python recorder could reach",
                )
            )
    for shape in ("top-level", "child"):
        mock_bytes, fake_bytes = measured[f"{shape}|AsyncMock"], measured[f"{shape}|AsyncFake"]
        ratios.append(
            h.ratio(
                f"AsyncFake ÷ AsyncMock memory per call, {shape}, lists never read",
                fake_bytes["untouched"] / mock_bytes["untouched"],
                at_most=0.25,
            )
        )
        floor = measured["floor"]["untouched"]
        ratios.append(
            h.ratio(
                f"AsyncFake ÷ AsyncMock memory per call beyond the call's own arguments, {shape}",
                (fake_bytes["untouched"] - floor) / (mock_bytes["untouched"] - floor),
                note="informational: both keep the caller's args tuple and kwargs dict",
            )
        )
        if shape == "top-level":
            ratios.append(
                h.ratio(
                    f"{FLOORS[MINIMAL_RECORDER]} ÷ AsyncMock memory per call, top-level",
                    measured[MINIMAL_RECORDER]["untouched"] / mock_bytes["untouched"],
                    note="informational: the least memory a record of API.md §1 can take",
                )
            )
        field = "own" if shape == "top-level" else "every"
        ratios.append(
            h.ratio(
                f"AsyncFake ÷ AsyncMock memory per call, {shape}, after reading every list",
                fake_bytes[field] / mock_bytes[field],
                note="informational: the lists' full cost once materialised",
            )
        )

    batch_cases = [
        f"{shape}, fresh object per {BATCH:,} calls: {kind}"
        for shape in SHAPES
        for kind in CONTENDERS
    ] + [f"top-level, fresh object per {BATCH:,} calls: {kind}" for kind in FLOORS]
    long_cases = [
        f"{shape}, {LONG:,} calls on one object: {kind}"
        for shape in ("top-level", "child")
        for kind in CONTENDERS
    ]
    memory_cases = [
        f"{shape}, {label}: {kind}"
        for shape, full in (
            ("top-level", "after reading call_args_list & co."),
            ("child", "after reading the parent's lists too"),
        )
        for label in ("lists never read", full)
        for kind in ("AsyncMock", "AsyncFake")
    ]
    return h.result(
        "core",
        "Awaited recorded call: AsyncFake vs AsyncMock vs a bare async def",
        batch_rows + long_rows + memory_rows,
        ratios,
        target=(
            f"AsyncFake ≥ 10{h.TIMES} faster than AsyncMock per awaited call (every shape) "
            "and ≤ ¼ of its memory per recorded call"
        ),
        notes=[
            f"Each call is `await f(URL, timeout=5)`; fresh-object timings are the median of "
            f"{ROUNDS} batches of {BATCH:,} calls per contender, interleaved round-robin after "
            "3 warm-up rounds; object creation is timed separately.",
            f"Long runs: {LONG:,} calls on one object, median of {LONG_ROUNDS} runs.",
            "The garbage collector stays enabled; before each sample (untimed) the process "
            "journal is cleared, as a per-test Sandbox would, and gc.collect() runs.",
            "Times are wall time (time.perf_counter); the 'CPU time' ratios use the thread's "
            "CPU time (time.thread_time) over the same batches, which leaves out time the OS "
            "gave to other processes. On a loaded machine a longer batch is preempted more "
            "often, so wall-time ratios flatter the faster contender: a time target counts as "
            "met only when both the wall-time and the CPU-time ratio meet it.",
            f"Memory: tracemalloc over {MEMORY_CALLS:,} awaited calls after one warm-up call; "
            "'retained' is what stays allocated after `del` of the object without clearing "
            "the journal (records in the process journal keep the fake and its calls alive). "
            "Every recorder keeps the caller's args tuple and kwargs dict: that floor is "
            "measured with an `async def` that keeps them, and is part of both contenders' "
            "numbers.",
            "The two 'floor' rows are not contenders but lower bounds, top-level shape only: "
            "an object whose __call__ returns a coroutine and records nothing, and a minimal "
            "pure-Python recorder (benchmarks/bench_core.py, MinimalRecorder) that writes "
            "exactly the fields API.md §1 asks of a record, inline, with the cheapest lookups, "
            "and nothing else a fake does.",
        ],
        chart=[
            {
                "title": f"Awaited call, fresh object per {BATCH:,} calls (thread CPU time)",
                "unit": "µs/call",
                "cases": batch_cases,
                "log": True,
                "field": "cpu",
            },
            {
                "title": f"{LONG:,} calls on one object (thread CPU time)",
                "unit": "µs/call",
                "cases": long_cases,
                "log": True,
                "field": "cpu",
            },
            {
                "title": "Memory per recorded call",
                "unit": "B/call",
                "cases": memory_cases,
                "log": False,
            },
        ],
    )


if __name__ == "__main__":
    h.standalone(main)
