"""Cost of building a spec'd fake: `af.fake` vs `create_autospec` vs decoy.

Issue 3, item 5. The operation: build a fake of ``redis.asyncio.Redis`` (an
instance: its ~400 commands) and touch three methods (``get``, ``set``,
``delete``), the way a test sets one up. Contenders:

- ``af.fake(redis.asyncio.Redis)``;
- ``unittest.mock.create_autospec(redis.asyncio.Redis, instance=True)``;
- decoy's ``Decoy().mock(cls=redis.asyncio.Redis)`` (when installed).

Two situations:

- warm: the same process has already built a fake of the class (asyncfakes
  keeps its introspection per class, weakly); the contenders are interleaved
  round by round and the median is reported;
- cold: the first fake of the class in a fresh interpreter, each sample in its
  own subprocess; only the build is timed (imports are done before the clock
  starts), so the cost of introspecting the class is in the number.

Targets: warm ≥ 100x faster than `create_autospec` and faster than decoy;
cold faster than `create_autospec`.

Run it alone with ``python benchmarks/bench_spec.py``; ``benchmarks/run.py``
runs it with the others.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any
from unittest.mock import create_autospec

import _harness as h
import redis.asyncio as redis

import asyncfakes as af

MEMBERS = ("get", "set", "delete")

WARM_FAST = h.scaled(200, 10)  # builds per sample for the fast contenders
WARM_ROUNDS = h.scaled(15, 3)
AUTOSPEC_ROUNDS = h.scaled(7, 2)
COLD_SAMPLES = h.scaled(5, 1)

CONTENDERS = ("af.fake", "create_autospec", "decoy")


def touch(fake: Any) -> None:
    for name in MEMBERS:
        getattr(fake, name)


def build_asyncfakes() -> None:
    touch(af.fake(redis.Redis))


def build_autospec() -> None:
    touch(create_autospec(redis.Redis, instance=True))


def decoy_builder() -> Callable[[], None] | None:
    decoy = h.optional_peer("decoy")
    if decoy is None:
        return None

    def build() -> None:
        touch(decoy.Decoy().mock(cls=redis.Redis))

    return build


def sampler(build: Callable[[], None], count: int) -> Callable[[], float]:
    def sample() -> float:
        start = h.perf_counter()
        for _ in range(count):
            build()
        return (h.perf_counter() - start) / count

    return sample


# --------------------------------------------------------------------- cold

_COLD_SCRIPT = """
import json, sys, time
import redis.asyncio as redis
from unittest.mock import create_autospec
import asyncfakes as af
kind = sys.argv[1]
if kind == "decoy":
    import decoy
members = {members!r}
start = time.perf_counter()
if kind == "af.fake":
    fake = af.fake(redis.Redis)
elif kind == "create_autospec":
    fake = create_autospec(redis.Redis, instance=True)
else:
    fake = decoy.Decoy().mock(cls=redis.Redis)
for name in members:
    getattr(fake, name)
print(json.dumps(time.perf_counter() - start))
"""


def cold_sample(kind: str) -> float:
    """Seconds to build the first fake of the class in a fresh interpreter."""
    completed = subprocess.run(
        [sys.executable, "-c", _COLD_SCRIPT.format(members=MEMBERS), kind],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    seconds: float = json.loads(completed.stdout.strip().splitlines()[-1])
    return seconds


# --------------------------------------------------------------------- main


def main() -> dict[str, Any]:
    build_decoy = decoy_builder()
    contenders = [kind for kind in CONTENDERS if kind != "decoy" or build_decoy is not None]

    # Warm: one fake of each first, so every contender has paid its one-off costs.
    build_asyncfakes()
    build_autospec()
    if build_decoy is not None:
        build_decoy()
    fast: dict[str, Callable[[], float]] = {"af.fake": sampler(build_asyncfakes, WARM_FAST)}
    if build_decoy is not None:
        fast["decoy"] = sampler(build_decoy, max(1, WARM_FAST // 10))
    warm = h.interleave(fast, rounds=WARM_ROUNDS, warmup=2, label="warm af.fake/decoy")
    warm.update(
        h.interleave(
            {"create_autospec": sampler(build_autospec, 1)},
            rounds=AUTOSPEC_ROUNDS,
            warmup=1,
            label="warm create_autospec",
        )
    )

    cold_samples: dict[str, list[float]] = {kind: [] for kind in contenders}
    for index in range(COLD_SAMPLES):
        for kind in contenders[index % len(contenders) :] + contenders[: index % len(contenders)]:
            cold_samples[kind].append(cold_sample(kind))
        h.progress(f"cold: sample {index + 1}/{COLD_SAMPLES}")
    cold = {kind: h.Stats.of(samples) for kind, samples in cold_samples.items()}

    rows = []
    for kind in contenders:
        rows.append(
            h.row(
                f"warm {kind}",
                warm[kind].median * 1e3,
                "ms",
                p25=warm[kind].p25 * 1e3,
                p75=warm[kind].p75 * 1e3,
            )
        )
    for kind in contenders:
        rows.append(
            h.row(
                f"cold {kind}",
                cold[kind].median * 1e3,
                "ms",
                p25=cold[kind].p25 * 1e3,
                p75=cold[kind].p75 * 1e3,
            )
        )

    ours_warm, ours_cold = warm["af.fake"].median, cold["af.fake"].median
    ratios = [
        h.ratio(
            "warm: create_autospec ÷ af.fake",
            warm["create_autospec"].median / ours_warm,
            at_least=100,
        ),
        h.ratio(
            "cold: create_autospec ÷ af.fake",
            cold["create_autospec"].median / ours_cold,
            at_least=1,
        ),
    ]
    if "decoy" in contenders:
        ratios.append(
            h.ratio("warm: decoy ÷ af.fake", warm["decoy"].median / ours_warm, at_least=1)
        )
        ratios.append(h.ratio("cold: decoy ÷ af.fake", cold["decoy"].median / ours_cold))
    return h.result(
        "spec",
        "Build a spec'd fake of redis.asyncio.Redis and touch 3 methods",
        rows,
        ratios,
        target=(
            "warm af.fake ≥ 100x faster than create_autospec and faster than decoy; "
            "cold af.fake faster than create_autospec"
        ),
        notes=[
            "Operation: build a fake of redis.asyncio.Redis (instance) and read its get, set "
            "and delete members.",
            "Warm: interleaved rounds in one process after a first build of each contender; "
            f"af.fake timed over {WARM_FAST} builds per sample, decoy over "
            f"{max(1, WARM_FAST // 10)}, create_autospec over 1.",
            f"Cold: the first build in a fresh interpreter ({COLD_SAMPLES} subprocesses per "
            "contender, imports excluded from the timing).",
        ],
        chart=[
            {
                "title": "warm build + 3 members",
                "unit": "ms",
                "cases": [f"warm {kind}" for kind in contenders],
                "log": True,
            },
            {
                "title": "cold (first fake of the class in the process)",
                "unit": "ms",
                "cases": [f"cold {kind}" for kind in contenders],
                "log": True,
            },
        ],
    )


if __name__ == "__main__":
    h.standalone(main)
