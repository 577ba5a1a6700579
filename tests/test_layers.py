"""The package's imports flow one way (STYLE.md, "Layout"), read from the source with `ast`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "asyncfakes"

# A module may import only from modules of a lower layer. Modules that do not
# exist yet are simply absent; a new module must be placed here.
LAYERS: dict[str, int] = {
    "_version": 0,
    "_types": 0,
    "_errors": 0,
    "_format": 1,
    "_spec": 1,
    "_recorder": 2,
    "_fake": 3,
    "_cm": 3,
    "_iter": 3,
    "_specfake": 3,
    "_stubbing": 4,
    "_verify": 4,
    "_clock": 4,
    "_builders": 4,
    "_patching": 4,
    "_sandbox": 5,
    "_unittest": 6,
    "pytest_plugin": 6,
    "__init__": 7,
}

# Same-layer imports are allowed inside one family only: `_fake` and the recorded
# primitives `_cm` (async context) and `_iter` (async iterator) are one unit, and
# the builder modules may share code. Stubbing, verification, the clock, the
# builders and patching never import each other.
FAMILIES: dict[str, str] = {
    "_fake": "primitives",
    "_cm": "primitives",
    "_iter": "primitives",
    "_specfake": "primitives",
    "_builders": "builders",
}

# Third-party and stdlib modules that exactly one module may import.
OWNERS: dict[str, str] = {
    "unittest.mock": "_fake",
    "wrapt": "_patching",
    "pytest": "pytest_plugin",
    "_pytest": "pytest_plugin",
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _unit(path: Path) -> str:
    """The layering unit of a module: its top-level name under the package."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _is_internal_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != "asyncfakes":
        return False
    location = PACKAGE.joinpath(*parts[1:])
    return location.with_suffix(".py").exists() or (location / "__init__.py").exists()


def _imports_in(source: str, module: str) -> Iterator[tuple[int, str]]:
    """Every import in `source`, the text of `module`, as absolute dotted names.

    Type-only and function-level imports count too: they are dependencies all the same.
    """
    package_parts = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source, module)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                imported = ".".join([*base, *([node.module] if node.module else [])])
            else:
                imported = node.module or ""
            for alias in node.names:
                name = f"{imported}.{alias.name}"
                if _is_internal_module(name):  # `from . import _fake`
                    yield node.lineno, name
                else:
                    yield node.lineno, imported
                    if not imported.startswith("asyncfakes"):
                        yield node.lineno, name  # `from unittest import mock`


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    # "asyncfakes.__init__": relative imports resolve against its package, as for any module.
    return _imports_in(path.read_text(encoding="utf-8"), module)


def _internal_unit(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "asyncfakes":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _imported_units(path: Path) -> Iterator[tuple[int, str]]:
    for lineno, name in _imports(path):
        unit = _internal_unit(name)
        if unit is not None and unit != _unit(path):
            yield lineno, unit


def _is_module(name: str) -> bool:
    return _is_internal_module(f"asyncfakes.{name}")


def _site(path: Path, lineno: int) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{lineno}"


def test_every_module_has_a_layer() -> None:
    """It knows the layer of every module in the package."""
    unplaced = sorted({_unit(path) for path in _modules()} - set(LAYERS))
    assert unplaced == [], f"place these modules in LAYERS in {__file__}: {unplaced}"


def test_imports_point_down_the_layers() -> None:
    """Each module imports only from modules of lower layers (or its own family)."""
    violations = []
    for path in _modules():
        unit = _unit(path)
        for lineno, imported in _imported_units(path):
            if imported not in LAYERS:
                if _is_module(imported):
                    violations.append(f"{_site(path, lineno)}: {imported} has no layer")
                continue
            same_family = FAMILIES.get(unit) is not None and FAMILIES.get(unit) == FAMILIES.get(
                imported
            )
            if LAYERS[imported] >= LAYERS[unit] and not same_family:
                violations.append(
                    f"{_site(path, lineno)}: {unit} (layer {LAYERS[unit]}) imports "
                    f"{imported} (layer {LAYERS[imported]})"
                )
    assert violations == []


@pytest.mark.parametrize(("dependency", "owner"), sorted(OWNERS.items()))
def test_only_one_module_imports(dependency: str, owner: str) -> None:
    """unittest.mock, wrapt and pytest each have one module that imports them."""
    offenders = [
        _site(path, lineno)
        for path in _modules()
        if _unit(path) != owner
        for lineno, name in _imports(path)
        if name == dependency or name.startswith(f"{dependency}.")
    ]
    assert offenders == [], f"only {owner} may import {dependency}"


def test_the_core_knows_no_mock_spec_or_pytest() -> None:
    """_recorder imports none of unittest.mock, the spec machinery or pytest."""
    path = PACKAGE / "_recorder.py"
    forbidden = ("unittest.mock", "asyncfakes._spec", "asyncfakes._fake", "pytest", "_pytest")
    offenders = [
        f"{_site(path, lineno)}: {name}"
        for lineno, name in _imports(path)
        if any(name == banned or name.startswith(f"{banned}.") for banned in forbidden)
    ]
    assert offenders == []


def test_the_import_reader_sees_every_form() -> None:
    """The checks above read absolute, relative, from-package, facade and function-level imports."""
    source = (
        "import unittest.mock\n"
        "from unittest import mock\n"
        "from unittest.mock import patch\n"
        "from unittest import IsolatedAsyncioTestCase\n"
        "from .. import _fake\n"
        "from .._recorder import calls\n"
        "from .._errors import SpecError\n"
        "from asyncfakes import verify\n"
        "def f():\n"
        "    import asyncfakes._sandbox\n"
    )
    names = [name for _, name in _imports_in(source, "asyncfakes._builders._pools")]
    mock_imports = [name for name in names if name.startswith("unittest.mock")]
    assert mock_imports == ["unittest.mock"] * 3 + ["unittest.mock.patch"]
    units = [_internal_unit(name) for name in names if name.startswith("asyncfakes")]
    assert units == ["_fake", "_recorder", "_errors", "__init__", "_sandbox"]
