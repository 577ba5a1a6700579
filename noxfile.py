"""Every check of asyncfakes, one nox session each.

``python -m nox`` runs what CI runs (``nox.options.sessions``); ``python -m nox
-s examples`` runs the examples project's suite; ``python -m nox -l`` lists the
sessions. Virtual environments are made with uv when it is there (``pip install
'nox[uv]'`` brings it), else with virtualenv.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import nox
from nox.command import CommandFailed

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
# Only interpreters found on this machine are used: never download one.
nox.options.download_python = "never"

ROOT = Path(__file__).parent
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")

LINTED = ("src", "tests", "benchmarks", "examples", "docs", "noxfile.py")


def _find_pythons() -> list[str]:
    """The supported CPython versions that exist on this machine.

    pyenv's shims answer for every version but fail for those that are not
    selected, so its installed versions are put on PATH ahead of the shims.
    """
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found: list[str] = []
    prepend: list[str] = []
    for version in SUPPORTED:
        installed = sorted(
            (pyenv_root / "versions").glob(f"{version}.*/bin/python{version}"),
            key=lambda path: [int(part) for part in path.parts[-3].split(".") if part.isdigit()],
        )
        if installed:
            found.append(version)
            prepend.append(str(installed[-1].parent))
            continue
        executable = shutil.which(f"python{version}")
        if executable and "shims" not in Path(executable).parts:
            found.append(version)
    if prepend:
        os.environ["PATH"] = os.pathsep.join([*prepend, os.environ.get("PATH", "")])
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if running in SUPPORTED and running not in found:
        found.append(running)
    return sorted(found, key=lambda version: tuple(map(int, version.split("."))))


PYTHONS = _find_pythons()
LATEST = PYTHONS[-1] if PYTHONS else None

nox.options.sessions = [
    "tests",
    "isolation",
    "coverage",
    "typing",
    "verifytypes",
    "lint",
    "docs",
    "examples",
    "build",
]


# Every pytest run: no bytecode written into the work tree.
PYTEST_ENV = {"PYTHONDONTWRITEBYTECODE": "1"}


def _run_all(session: nox.Session, commands: dict[str, list[str]], **kwargs: Any) -> None:
    """Run every command even when one fails, then fail the session naming those that did."""
    failed = []
    for name, command in commands.items():
        try:
            session.run(*command, **kwargs)
        except CommandFailed:
            failed.append(name)
    if failed:
        session.error(f"failed: {', '.join(failed)}")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite on every supported CPython found on this machine."""
    session.install(".[test]")
    session.run("pytest", *session.posargs, env=PYTEST_ENV)


# Fixed seeds, so that an order that fails can be replayed: the first in one
# process, the others over two xdist workers (pytest -p randomly --randomly-seed=N).
ISOLATION_SEEDS = (1, 20261126, 4242)


@nox.session(python=LATEST)
def isolation(session: nox.Session) -> None:
    """The suite in three random orders (two over two workers): no test may depend on another.

    tests/isolation_checks.py fails a test that leaves a sandbox, patch, clock,
    thread or pending task behind for the next one.
    """
    session.install(".[test]")
    common = ["-p", "randomly", "-p", "isolation_checks", *session.posargs]
    first, *others = ISOLATION_SEEDS
    checks = {f"random order, seed {first}": ["pytest", f"--randomly-seed={first}", *common]}
    for seed in others:
        checks[f"two xdist workers, random order, seed {seed}"] = [
            "pytest",
            *("-n", "2", f"--randomly-seed={seed}"),
            *common,
        ]
    _run_all(session, checks, env={**PYTEST_ENV, "PYTHONPATH": str(ROOT / "tests")})


# The core, spec, stubbing and verification modules. `nox -s coverage` fails
# unless those in COVERAGE_GATED are at 100 % branch coverage; the others are
# reported: move each into COVERAGE_GATED once it gets there.
COVERAGE_GATED = ("_recorder", "_fake", "_spec", "_specfake", "_stubbing", "_verify")
COVERAGE_PENDING: tuple[str, ...] = ()


# Coverage is measured on the oldest and the newest Python found, then combined:
# code that only runs on some versions (`if sys.version_info ...`) counts.
COVERAGE_PYTHONS = sorted({PYTHONS[0], PYTHONS[-1]}, key=PYTHONS.index) if PYTHONS else []
COVERAGE_DATA = ROOT / ".nox" / "coverage-data"


@nox.session(python=COVERAGE_PYTHONS)
def coverage_run(session: nox.Session) -> None:
    """The suite under branch coverage on one Python (`nox -s coverage` runs and combines them).

    `coverage run -m pytest`, not pytest-cov, so that tracing starts before
    pytest loads its plugins and the import-time lines of the pytest11 entry
    point count.
    """
    session.install("-e", ".[test]")
    COVERAGE_DATA.mkdir(parents=True, exist_ok=True)
    data = COVERAGE_DATA / f".coverage.{session.python}"
    data.unlink(missing_ok=True)
    env = {**PYTEST_ENV, "COVERAGE_FILE": str(data)}
    session.run("coverage", "run", "-m", "pytest", *session.posargs, env=env)


@nox.session(python=LATEST, requires=[f"coverage_run-{version}" for version in COVERAGE_PYTHONS])
def coverage(session: nox.Session) -> None:
    """Branch coverage on the oldest and newest Python: the gated core modules must be at 100 %.

    The report of every module is printed first, for information.
    """
    session.install("coverage[toml]")
    env = {"COVERAGE_FILE": str(COVERAGE_DATA / ".coverage")}
    runs = [str(COVERAGE_DATA / f".coverage.{version}") for version in COVERAGE_PYTHONS]
    session.run("coverage", "combine", "--keep", *runs, env=env)
    session.run("coverage", "report", env=env)

    def include(modules: tuple[str, ...]) -> str:
        return "--include=" + ",".join(f"*/asyncfakes/{name}.py" for name in modules)

    if COVERAGE_PENDING:
        session.log(f"not yet at 100 % (not gated): {', '.join(COVERAGE_PENDING)}")
        session.run("coverage", "report", include(COVERAGE_PENDING), env=env)
    session.run("coverage", "report", include(COVERAGE_GATED), "--fail-under=100", env=env)


@nox.session(python=LATEST)
def typing(session: nox.Session) -> None:
    """mypy --strict and pyright strict on src/ and tests/typing/ (settings in pyproject.toml)."""
    session.install("-e", ".[typing]")
    python = str(Path(session.bin) / "python")
    checks = {
        "mypy": ["mypy"],
        # The pyright wheel bundles pyright and runs it with the machine's node;
        # skipping its version check keeps it off the network.
        "pyright": ["pyright", "--pythonpath", python],
    }
    _run_all(session, checks, env={"PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"})


# What pyright --verifytypes reports that asyncfakes cannot fix: typeshed declares
# unittest.mock.NonCallableMock a subclass of Any, so the metaclass of every
# AsyncMock/MagicMock subclass is unknown to it.
VERIFYTYPES_ACCEPTED = {
    ("asyncfakes._fake.AsyncFake", "Type of metaclass unknown"),
    ("asyncfakes._fake.MagicFake", "Type of metaclass unknown"),
}


@nox.session(python=LATEST)
def verifytypes(session: nox.Session) -> None:
    """pyright --verifytypes: every symbol of the public API has a known type.

    Fails on any problem but those in VERIFYTYPES_ACCEPTED, and prints the score.
    """
    # Installed as users get it (not editable), so that pyright reads the package's py.typed.
    session.install(".", "pyright")
    output = session.run(
        *("pyright", "--verifytypes", "asyncfakes", "--ignoreexternal", "--outputjson"),
        env={"PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"},
        silent=True,
        success_codes=[0, 1],  # 1: the score is under 100 %, judged below
    )
    report = json.loads(str(output))["typeCompleteness"]
    problems = sorted(
        (symbol["name"], diagnostic["message"].splitlines()[0])
        for symbol in report["symbols"]
        for diagnostic in symbol.get("diagnostics", ())
        if diagnostic["severity"] == "error"
    )
    session.log(f"type completeness score: {100 * report['completenessScore']:.1f} %")
    for name, message in problems:
        note = " (accepted: typeshed)" if (name, message) in VERIFYTYPES_ACCEPTED else ""
        session.log(f"{name}: {message}{note}")
    unexpected = [problem for problem in problems if problem not in VERIFYTYPES_ACCEPTED]
    if unexpected:
        session.error(f"{len(unexpected)} symbols of the public API have unknown types")


@nox.session(python=LATEST)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(".[lint]")
    checks = {
        "ruff check": ["ruff", "check", *LINTED],
        "ruff format": ["ruff", "format", "--check", "--diff", *LINTED],
    }
    _run_all(session, checks)


@nox.session(python=LATEST)
def docs(session: nox.Session) -> None:
    """Build the site with --strict, then run every example in the docstrings and the docs."""
    # Editable, so that doctests of src/ and the installed package are the same files.
    session.install("-e", ".[docs,test]")
    session.install("ruff")  # mkdocstrings formats the signatures with it
    site = Path(session.create_tmp()) / "site"
    checks = {
        "mkdocs build": ["mkdocs", "build", "--strict", "--site-dir", str(site)],
        "examples": ["pytest", "--doctest-modules", "src/asyncfakes", "docs", *session.posargs],
    }
    _run_all(session, checks, env={**PYTEST_ENV, "NO_MKDOCS_2_WARNING": "1"})


@nox.session(python=LATEST)
def examples(session: nox.Session) -> None:
    """The examples project's test suite: a realistic service tested with asyncfakes."""
    session.install(".", "-r", "examples/requirements.txt")
    session.chdir(ROOT / "examples")
    session.run("pytest", *session.posargs, env=PYTEST_ENV)


@nox.session(python=PYTHONS)
def bench(session: nox.Session) -> None:
    """The benchmarks on each Python: asyncfakes against AsyncMock and friends, in one run."""
    # The sleep-heavy suite that bench_virtual_time runs needs the test tools too.
    session.install(".[test,bench]")
    session.run("python", "benchmarks/run.py", *session.posargs)


# Left out of mutation runs: the slow thread stress test, and the tests that
# run pytest in a subprocess (it imports the installed package, not the mutant).
MUTATION_SKIPS = (
    "test_threads_stress.py",
    "test_plugin_fakes.py",
    "test_plugin_clock.py",
    "test_patch_migration.py",
)
MUTATION_MIN_SCORE = 85.0
# _fake and _specfake keep their frame-capturing methods (sys._getframe for
# call sites) out of mutation with `# pragma: no mutate block`: a mutmut
# trampoline there would be recorded as the caller.
MUTATED_MODULES = ("_recorder", "_fake", "_spec", "_specfake", "_stubbing", "_verify")


@nox.session(python=LATEST)
def mutation(session: nox.Session) -> None:
    """Mutation testing of the core modules with mutmut (not in CI: it takes a while).

    Runs on a copy of src/ and tests/ in the session's tmp folder, lists the
    mutants that survived, and fails under 85 % killed (timeouts count as
    killed). ``nox -s mutation -- _recorder _verify`` mutates only those modules.
    """
    session.install(".[test]", "mutmut>=3.3")
    modules = session.posargs or list(MUTATED_MODULES)
    # One folder per set of modules: runs of different modules may go on at once.
    work = Path(session.create_tmp()).resolve() / ("mutation-" + "-".join(sorted(modules)))
    shutil.rmtree(work, ignore_errors=True)
    skip = shutil.ignore_patterns("__pycache__", "typing", *MUTATION_SKIPS)
    shutil.copytree(ROOT / "src", work / "src", ignore=skip)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=skip)
    shutil.copytree(ROOT / "docs", work / "docs", ignore=skip)  # pages some tests read
    for name in ("pyproject.toml", "CHANGELOG.md", "README.md"):
        shutil.copy(ROOT / name, work)
    options = {
        "source_paths": ["src"],
        "only_mutate": [f"src/asyncfakes/{name}.py" for name in modules],
        # The pytest11 entry point imports the plugin from the mutated copy too:
        # mutmut puts it first on sys.path.
        "pytest_add_cli_args": [
            *("-p", "no:randomly", "-x"),
            # mutmut's trampolines show in dir() of the fakes' classes.
            "--deselect=tests/test_compat_asyncmock.py::test_dir_and_repr",
        ],
        "pytest_add_cli_args_test_selection": ["tests/"],
        "also_copy": ["docs", "CHANGELOG.md", "README.md"],
        "mutate_only_covered_lines": ["true"],
    }
    lines = ["[mutmut]"]
    for key, values in options.items():
        lines.append(f"{key} =")
        lines.extend(f"    {value}" for value in values)
    (work / "setup.cfg").write_text("\n".join(lines) + "\n", encoding="utf-8")
    session.chdir(work)
    session.run("mutmut", "run", "--max-children", str(os.cpu_count() or 2))
    session.run("mutmut", "results")
    session.run("mutmut", "export-cicd-stats")
    stats = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text(encoding="utf-8"))
    killed = stats["killed"] + stats["timeout"]
    score = 100.0 * killed / max(stats["total"], 1)
    session.log(
        f"mutation score {score:.1f} %: {killed} of {stats['total']} mutants killed "
        f"({stats['timeout']} by timeout), {stats['survived']} survived, "
        f"{stats['no_tests']} not covered"
    )
    if score < MUTATION_MIN_SCORE:
        session.error(f"mutation score {score:.1f} % is under {MUTATION_MIN_SCORE} %")


@nox.session(python=LATEST)
def build(session: nox.Session) -> None:
    """Build the sdist and the wheel, check their metadata and that the wheel is complete."""
    session.install("build[uv]", "twine")
    out = Path(session.create_tmp()) / "dist"
    shutil.rmtree(out, ignore_errors=True)
    session.run("python", "-m", "build", "--installer", "uv", "--outdir", str(out))
    wheels = sorted(out.glob("*.whl"))
    sdists = sorted(out.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        session.error(f"expected one wheel and one sdist in {out}, got {wheels + sdists}")
    session.run("twine", "check", "--strict", *map(str, wheels + sdists))
    problems = _check_wheel(wheels[0]) + _check_sdist(sdists[0])
    if problems:
        session.error("\n".join(problems))
    session.log(f"{wheels[0].name} and {sdists[0].name} are complete")


def _check_wheel(wheel: Path) -> list[str]:
    """What is missing from the wheel: py.typed, the pytest11 entry point and its module."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next((n for n in names if n.endswith(".dist-info/entry_points.txt")), None)
        text = archive.read(entry_points).decode() if entry_points else ""
    problems = []
    if "asyncfakes/py.typed" not in names:
        problems.append(f"{wheel.name}: asyncfakes/py.typed is missing")
    if "[pytest11]" not in text or "asyncfakes = asyncfakes.pytest_plugin" not in text:
        problems.append(f"{wheel.name}: the pytest11 entry point asyncfakes is missing")
    if "asyncfakes/pytest_plugin.py" not in names:
        problems.append(f"{wheel.name}: the pytest11 plugin asyncfakes/pytest_plugin.py is missing")
    stray = sorted(n for n in names if n.startswith(("tests/", "docs/", "examples/")))
    if stray:
        problems.append(f"{wheel.name}: files that belong in the sdist only: {stray}")
    return problems


def _check_sdist(sdist: Path) -> list[str]:
    """What is missing from the sdist: the sources, tests, docs and changelog."""
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    wanted = [
        "src/asyncfakes/__init__.py",
        "src/asyncfakes/py.typed",
        "CHANGELOG.md",
        "README.md",
        "noxfile.py",
        "mkdocs.yml",
    ]
    problems = [f"{sdist.name}: {name} is missing" for name in wanted if name not in names]
    if not any(name.startswith("tests/") for name in names):
        problems.append(f"{sdist.name}: tests/ is missing")
    return problems
