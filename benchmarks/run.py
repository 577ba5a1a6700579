"""Run every benchmark, print the tables, store the results, update the docs and the chart.

Usage (``nox -s bench`` runs the first form on every Python 3.10-3.13)::

    python benchmarks/run.py                  # all benchmarks on this Python
    python benchmarks/run.py --only core      # some of them (repeatable)
    python benchmarks/run.py --quick          # smoke run: tiny sizes, nothing written
    python benchmarks/run.py --report         # no measuring: re-render docs and chart
    python benchmarks/run.py --list           # what would run

Each ``benchmarks/bench_<name>.py`` exposing ``main() -> dict`` (see
``_harness.py`` for the contract) runs in its own interpreter, so one
benchmark's heap, GC state or crash never touches another's numbers. A
benchmark that fails, times out or misses an optional dependency is reported
as such; the run goes on.

Results are merged into ``benchmarks/results.json`` under this interpreter's
``major.minor`` version (a run on 3.12 replaces only the 3.12 entries of the
benchmarks it ran). The generated parts of ``docs/benchmarks.md`` sit between
``<!-- BEGIN bench:<block> -->`` and ``<!-- END bench:<block> -->`` markers and
are rewritten from the whole results file; ``docs/assets/benchmarks.png`` is
redrawn with matplotlib.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"
DOCS_PAGE = ROOT / "docs" / "benchmarks.md"
CHART = ROOT / "docs" / "assets" / "benchmarks.png"
CHART_LINK = "assets/benchmarks.png"
SCHEMA = 1
DEFAULT_TIMEOUT = 900.0

sys.path.insert(0, str(HERE))

import _harness as h  # noqa: E402  (lives next to this file)


def discover() -> list[str]:
    """The names of the benchmarks: ``bench_<name>.py`` files next to this one."""
    return sorted(path.stem.removeprefix("bench_") for path in HERE.glob("bench_*.py"))


def version_key() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _version_order(key: str) -> tuple[int, ...]:
    return tuple(int(part) for part in key.split(".") if part.isdigit())


# ------------------------------------------------------------ running one


def child(name: str, output: str) -> int:
    """Run ``bench_<name>.main()`` in this process; write its result to `output`."""
    answer: dict[str, Any]
    try:
        module = importlib.import_module(f"bench_{name}")
        answer = dict(module.main())
        answer.setdefault("status", "ok")
    except ModuleNotFoundError as exception:
        missing = exception.name or str(exception)
        answer = {
            "name": name,
            "status": "missing dependency",
            "error": f"{missing} is not installed ({exception})",
        }
    except BaseException as exception:
        answer = {
            "name": name,
            "status": "error",
            "error": f"{type(exception).__name__}: {exception}",
            "traceback": traceback.format_exc(),
        }
    Path(output).write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    return 0


def run_one(name: str, *, quick: bool, timeout: float) -> dict[str, Any]:
    """Run one benchmark in a fresh interpreter and return its (checked) result."""
    env = dict(os.environ)
    if quick:
        env["ASYNCFAKES_BENCH_QUICK"] = "1"
    with tempfile.TemporaryDirectory(prefix="asyncfakes-bench-") as scratch:
        output = Path(scratch) / "result.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--child", name, str(output)]
        try:
            completed = subprocess.run(command, env=env, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return {"name": name, "status": "timeout", "error": f"no result after {timeout:g} s"}
        if not output.exists():
            return {
                "name": name,
                "status": "error",
                "error": f"the benchmark's interpreter exited with {completed.returncode} "
                "and wrote no result",
            }
        answer = json.loads(output.read_text(encoding="utf-8"))
    return check(name, answer)


def check(name: str, answer: Any) -> dict[str, Any]:
    """Validate a result against the contract; a malformed one becomes an error entry."""
    if not isinstance(answer, dict):
        return {"name": name, "status": "error", "error": "main() did not return a dict"}
    if answer.get("status", "ok") != "ok":
        answer["name"] = name
        return answer
    problems = []
    for key, kind in (("rows", list), ("ratios", list), ("target", str), ("met", bool)):
        if not isinstance(answer.get(key), kind):
            problems.append(f"{key!r} must be a {kind.__name__}")
    for entry in answer.get("rows", []) if isinstance(answer.get("rows"), list) else []:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("case"), str)
            and isinstance(entry.get("value"), (int, float))
            and isinstance(entry.get("unit"), str)
        ):
            problems.append(f"row {entry!r} needs case (str), value (number), unit (str)")
            break
    for entry in answer.get("ratios", []) if isinstance(answer.get("ratios"), list) else []:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and isinstance(entry.get("value"), (int, float))
        ):
            problems.append(f"ratio {entry!r} needs name (str) and value (number)")
            break
    if problems:
        return {
            "name": name,
            "status": "error",
            "error": "malformed result: " + "; ".join(problems),
        }
    answer.setdefault("title", name)
    answer.setdefault("notes", [])
    answer.setdefault("peers", {})
    answer["name"] = name
    return answer


# ------------------------------------------------------------ results file


def load_results() -> dict[str, Any]:
    if RESULTS.exists():
        data = json.loads(RESULTS.read_text(encoding="utf-8"))
        if data.get("schema") == SCHEMA:
            return data  # type: ignore[no-any-return]
    return {"schema": SCHEMA, "runs": {}}


def merge(
    data: dict[str, Any], env: Mapping[str, Any], answers: Iterable[Mapping[str, Any]]
) -> None:
    run = data["runs"].setdefault(version_key(), {"environment": {}, "benchmarks": {}})
    run["environment"] = dict(env)
    measured = {key: env.get(key) for key in ("date", "commit", "load_average")}
    for answer in answers:
        run["benchmarks"][answer["name"]] = {**answer, "measured": measured}


def save_results(data: Mapping[str, Any]) -> None:
    ordered = dict(data)
    ordered["runs"] = {key: data["runs"][key] for key in sorted(data["runs"], key=_version_order)}
    RESULTS.write_text(json.dumps(ordered, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# ------------------------------------------------------------ docs


def _versions(data: Mapping[str, Any]) -> list[str]:
    return sorted(data["runs"], key=_version_order)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _benchmark_names(data: Mapping[str, Any]) -> list[str]:
    names: set[str] = set()
    for run in data["runs"].values():
        names.update(run["benchmarks"])
    return sorted(names)


def _answers(data: Mapping[str, Any], name: str) -> dict[str, dict[str, Any]]:
    return {
        version: data["runs"][version]["benchmarks"][name]
        for version in _versions(data)
        if name in data["runs"][version]["benchmarks"]
    }


def _verdict(met: object) -> str:
    if met is None:
        return ""
    return "✅ met" if met else "❌ not met"


def _row_cell(entry: Mapping[str, Any]) -> str:
    """A row's value, and its CPU-time twin when the benchmark measured one."""
    text = h.format_value(entry["value"])
    cpu = entry.get("cpu")
    if isinstance(cpu, (int, float)):
        text += f" (CPU {h.format_value(cpu)})"
    return text


def render_benchmark(data: Mapping[str, Any], name: str, *, heading: bool) -> str:
    """Markdown for one benchmark: its rows and ratios, one column per Python."""
    answers = _answers(data, name)
    ok = {
        version: answer for version, answer in answers.items() if answer.get("status", "ok") == "ok"
    }
    lines: list[str] = []
    title = next((answer.get("title") for answer in ok.values()), name)
    if heading:
        lines += [f"### {title}", ""]
    failed = {v: a for v, a in answers.items() if v not in ok}
    for version, answer in failed.items():
        lines.append(
            f'!!! warning "Python {version}: {answer.get("status")}"\n'
            f"    {_cell(answer.get('error', ''))}\n"
        )
    if not ok:
        return "\n".join(lines).rstrip() + "\n"
    versions = list(ok)
    target = next(iter(ok.values())).get("target", "")
    lines.append(
        f"**Target:** {target} — "
        + ", ".join(f"Python {v}: {_verdict(ok[v].get('met'))}" for v in versions)
    )
    lines.append("")
    header = "| | " + " | ".join(f"Python {v}" for v in versions) + " |"

    ratio_names: list[str] = []
    for answer in ok.values():
        for entry in answer["ratios"]:
            if entry["name"] not in ratio_names:
                ratio_names.append(entry["name"])
    if ratio_names:
        lines += ["| Ratio | Target | " + header[4:], "|---|---|" + "---:|" * len(versions)]
        for ratio_name in ratio_names:
            cells = []
            target_text = ""
            for version in versions:
                entry = next((r for r in ok[version]["ratios"] if r["name"] == ratio_name), None)
                if entry is None:
                    cells.append("")
                    continue
                target_text = entry.get("target") or "—"
                mark = {True: " ✅", False: " ❌", None: ""}[entry.get("met")]
                cells.append(f"{h.format_value(entry['value'])}{h.TIMES}{mark}")
            lines.append(f"| {_cell(ratio_name)} | {target_text} | " + " | ".join(cells) + " |")
        lines.append("")

    cases: list[tuple[str, str]] = []
    for answer in ok.values():
        for entry in answer["rows"]:
            key = (entry["case"], entry["unit"])
            if key not in cases:
                cases.append(key)
    lines += ["| Case | Unit | " + header[4:], "|---|---|" + "---:|" * len(versions)]
    for case, unit in cases:
        cells = []
        for version in versions:
            entry = next(
                (r for r in ok[version]["rows"] if r["case"] == case and r["unit"] == unit),
                None,
            )
            cells.append("" if entry is None else _row_cell(entry))
        lines.append(f"| {_cell(case)} | {unit} | " + " | ".join(cells) + " |")
    lines.append("")

    peers: dict[str, list[str]] = {}
    for version, answer in ok.items():
        for peer, info in answer.get("peers", {}).items():
            peers.setdefault(f"{peer}: {info}", []).append(version)
    for text, peer_versions in peers.items():
        lines.append(f"- Peer {text} (Python {', '.join(peer_versions)})")
    notes = next(iter(ok.values())).get("notes", [])
    for note in notes:
        lines.append(f"- {note}")
    when = []
    for version, answer in ok.items():
        measured = answer.get("measured")
        if measured:
            load = measured.get("load_average")
            when.append(
                f"Python {version} on {measured.get('date')} (commit {measured.get('commit')}"
                + (f", load average {load[0]}" if load else "")
                + ")"
            )
    if when:
        lines.append("- Measured: " + "; ".join(when) + ".")
    return "\n".join(lines).rstrip() + "\n"


def render_summary(data: Mapping[str, Any]) -> str:
    versions = _versions(data)
    if not versions:
        return "No results yet: run `nox -s bench`.\n"
    lines = [
        "| Benchmark | Target | " + " | ".join(f"Python {v}" for v in versions) + " |",
        "|---|---|" + "---|" * len(versions),
    ]
    for name in _benchmark_names(data):
        answers = _answers(data, name)
        ok = [a for a in answers.values() if a.get("status", "ok") == "ok"]
        title = ok[0].get("title", name) if ok else name
        target = ok[0].get("target", "") if ok else ""
        cells = []
        for version in versions:
            answer = answers.get(version)
            if answer is None:
                cells.append("not run")
            elif answer.get("status", "ok") != "ok":
                cells.append(_cell(answer.get("status")))
            else:
                cells.append(_verdict(answer.get("met")))
        lines.append(f"| {_cell(title)} | {_cell(target)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_environment(data: Mapping[str, Any]) -> str:
    lines = [
        "| Python | Last run | Commit | Machine | Load average | GC |",
        "|---|---|---|---|---|---|",
    ]
    for version in _versions(data):
        env = data["runs"][version]["environment"]
        gc_text = (
            f"enabled, thresholds {tuple(env.get('gc_thresholds', []))}"
            if env.get("gc_enabled")
            else "disabled"
        )
        machine = f"{env.get('platform', '')}, {env.get('cpus', '?')} CPUs"
        load = ", ".join(str(x) for x in env.get("load_average", []))
        lines.append(
            f"| {env.get('implementation', '')} {env.get('python', version)} | "
            f"{env.get('date', '')} | {_cell(env.get('commit') or '?')} | {_cell(machine)} | "
            f"{load} | {gc_text} |"
        )
    return "\n".join(lines) + "\n"


def replace_block(page: str, block: str, content: str) -> tuple[str, bool]:
    pattern = re.compile(
        rf"(<!-- BEGIN bench:{re.escape(block)} -->\n).*?(<!-- END bench:{re.escape(block)} -->)",
        re.DOTALL,
    )
    if not pattern.search(page):
        return page, False
    return pattern.sub(lambda m: m.group(1) + "\n" + content + "\n" + m.group(2), page), True


def update_docs(data: Mapping[str, Any]) -> None:
    if not DOCS_PAGE.exists():
        print(f"{DOCS_PAGE} does not exist: docs not updated", file=sys.stderr)
        return
    page = DOCS_PAGE.read_text(encoding="utf-8")
    page, _ = replace_block(page, "summary", render_summary(data))
    page, _ = replace_block(page, "environment", render_environment(data))
    unplaced = []
    for name in _benchmark_names(data):
        page, placed = replace_block(page, name, render_benchmark(data, name, heading=False))
        if not placed:
            unplaced.append(name)
    others = "\n".join(render_benchmark(data, name, heading=True) for name in unplaced)
    page, placed = replace_block(page, "others", others or "No other benchmarks yet.\n")
    if unplaced and not placed:
        print(f"no place in {DOCS_PAGE} for: {', '.join(unplaced)}", file=sys.stderr)
    DOCS_PAGE.write_text(page, encoding="utf-8")
    print(f"updated {DOCS_PAGE.relative_to(ROOT)}")


# ------------------------------------------------------------ chart


def _panels(data: Mapping[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, dict[str, Any]]]]:
    """(benchmark, panel, answers by version) for every chart panel."""
    panels = []
    for name in _benchmark_names(data):
        answers = {v: a for v, a in _answers(data, name).items() if a.get("status", "ok") == "ok"}
        if not answers:
            continue
        latest = answers[max(answers, key=_version_order)]
        specs = latest.get("chart")
        if not specs and latest["rows"]:
            unit = latest["rows"][0]["unit"]
            specs = [
                {
                    "title": latest.get("title", name),
                    "unit": unit,
                    "cases": [r["case"] for r in latest["rows"] if r["unit"] == unit],
                    "log": False,
                }
            ]
        for spec in specs or []:
            panels.append((name, dict(spec), answers))
    return panels


def draw_chart(data: Mapping[str, Any]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as exception:
        print(f"matplotlib unavailable ({exception}): chart not redrawn", file=sys.stderr)
        return
    panels = _panels(data)
    if not panels:
        return
    versions = _versions(data)
    colours = plt.get_cmap("tab10")
    heights = [
        max(2.0, 0.3 * len(spec["cases"]) * max(1, len(versions)) * 0.55 + 1.2)
        for _, spec, _ in panels
    ]
    figure, axes = plt.subplots(
        len(panels),
        1,
        figsize=(11, sum(heights)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for axis, (name, spec, answers) in zip(axes[:, 0], panels):
        cases: Sequence[str] = spec["cases"]
        present = [v for v in versions if v in answers]
        width = 0.8 / max(1, len(present))
        for index, version in enumerate(present):
            values = []
            field = spec.get("field", "value")
            for case in cases:
                entry = next((r for r in answers[version]["rows"] if r["case"] == case), None)
                value = None if entry is None else entry.get(field, entry["value"])
                values.append(float("nan") if value is None else float(value))
            positions = [i + (index - (len(present) - 1) / 2) * width for i in range(len(cases))]
            bars = axis.barh(
                positions, values, height=width, color=colours(index), label=f"Python {version}"
            )
            for bar, value in zip(bars, values):
                if value == value and value > 0:
                    axis.text(
                        bar.get_width(),
                        bar.get_y() + bar.get_height() / 2,
                        f" {h.format_value(value)}",
                        va="center",
                        fontsize=6,
                    )
        axis.set_yticks(range(len(cases)))
        axis.set_yticklabels(cases, fontsize=7)
        axis.invert_yaxis()
        if spec.get("log"):
            axis.set_xscale("log")
        axis.set_xlabel(spec.get("unit", ""), fontsize=8)
        axis.set_title(f"{name}: {spec.get('title', '')}", fontsize=10, loc="left")
        axis.tick_params(axis="x", labelsize=7)
        axis.margins(x=0.12)
        axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    CHART.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(CHART, dpi=110)
    plt.close(figure)
    print(f"drew {CHART.relative_to(ROOT)}")


# ------------------------------------------------------------ main


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="NAME",
        help="do not run this benchmark (repeatable)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run with tiny sizes; writes nothing"
    )
    parser.add_argument(
        "--no-write",
        action="store_true",
        help="print only: leave results.json, docs and chart alone",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="measure nothing: re-render docs and chart from results.json",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="seconds allowed per benchmark (default %(default)s)",
    )
    parser.add_argument("--child", nargs=2, metavar=("NAME", "OUTPUT"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    if options.child:
        return child(*options.child)
    names = discover()
    if options.list:
        print("\n".join(names))
        return 0
    if options.report:
        data = load_results()
        update_docs(data)
        draw_chart(data)
        return 0
    unknown = sorted(set(options.only + options.skip) - set(names))
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}",
            file=sys.stderr,
        )
        return 2
    selected = [
        n for n in names if (not options.only or n in options.only) and n not in options.skip
    ]
    env = h.environment()
    print(
        f"asyncfakes benchmarks on {env['implementation']} {env['python']} "
        f"({env['platform']}, {env['cpus']} CPUs, load {env.get('load_average')}, "
        f"gc {'enabled' if env['gc_enabled'] else 'DISABLED'}, commit {env['commit']})"
        + ("  [QUICK: numbers are meaningless]" if options.quick else "")
    )
    answers = []
    for name in selected:
        print(f"\n-- running {name}", flush=True)
        answer = run_one(name, quick=options.quick, timeout=options.timeout)
        answers.append(answer)
        print(h.format_result(answer), flush=True)
    print("\nsummary:")
    for answer in answers:
        status = answer.get("status", "ok")
        verdict = (
            ("target met" if answer.get("met") else "target NOT met") if status == "ok" else status
        )
        print(f"  {answer['name']:<16} {verdict}")
    if not (options.quick or options.no_write):
        data = load_results()
        merge(data, env, answers)
        save_results(data)
        print(f"\nwrote {RESULTS.relative_to(ROOT)} (Python {version_key()})")
        update_docs(data)
        draw_chart(data)
    # Missed targets are results, not failures; a benchmark that broke is a failure.
    broken = [a["name"] for a in answers if a.get("status", "ok") in ("error", "timeout")]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
