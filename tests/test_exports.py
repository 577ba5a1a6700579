"""The public surface: what `import asyncfakes` offers, and that each name is documented."""

from __future__ import annotations

import ast
import inspect
import re
import types
from pathlib import Path

import pytest

import asyncfakes

ROOT = Path(__file__).resolve().parent.parent
FACADE = ROOT / "src" / "asyncfakes" / "__init__.py"
CHANGELOG = ROOT / "CHANGELOG.md"

# Names in __all__ that are data, not documented objects.
DATA = {"__version__"}
DOCUMENTED = sorted(set(asyncfakes.__all__) - DATA)


def _own_docstring(obj: object) -> str | None:
    """The object's own docstring (a class does not inherit one from its base here)."""
    if isinstance(obj, type):
        doc = obj.__dict__.get("__doc__")
    else:
        doc = getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) else None


def test_all_is_sorted_and_unique() -> None:
    """__all__ is sorted (plain string order) and lists each name once."""
    assert asyncfakes.__all__ == sorted(set(asyncfakes.__all__))


@pytest.mark.parametrize("name", asyncfakes.__all__)
def test_every_exported_name_exists(name: str) -> None:
    """Every name in __all__ can be imported from the package."""
    namespace: dict[str, object] = {}
    exec(f"from asyncfakes import {name}", namespace)
    assert namespace[name] is getattr(asyncfakes, name)


def test_nothing_public_is_missing_from_all() -> None:
    """Every public name of the package (other than its submodules) is in __all__."""
    public = {
        name
        for name, value in vars(asyncfakes).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert sorted(public - set(asyncfakes.__all__)) == []


def test_the_facade_only_re_exports() -> None:
    """__init__ holds a docstring, `from ._x import Name as Name` lines and __all__ only."""
    tree = ast.parse(FACADE.read_text(encoding="utf-8"))
    odd = []
    for index, node in enumerate(tree.body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if all(alias.asname == alias.name for alias in node.names):
                continue
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if [getattr(target, "id", None) for target in targets] == ["__all__"]:
                continue
        odd.append(f"line {node.lineno}: {ast.unparse(node).splitlines()[0]}")
    assert odd == []


@pytest.mark.parametrize("name", DOCUMENTED)
def test_every_public_name_has_a_docstring(name: str) -> None:
    """Every public object has its own docstring with a summary line."""
    doc = _own_docstring(getattr(asyncfakes, name))
    assert doc, f"asyncfakes.{name} has no docstring"
    assert doc.splitlines()[0].strip(), f"asyncfakes.{name}: the docstring starts with a blank line"


@pytest.mark.parametrize("name", DOCUMENTED)
def test_every_public_name_has_an_example(name: str) -> None:
    """Every public docstring has an `Example:` section of doctest lines (nox -s docs runs it)."""
    doc = _own_docstring(getattr(asyncfakes, name)) or ""
    has_section = re.search(r"^Examples?:\s*$", doc, re.MULTILINE)
    assert has_section, f"asyncfakes.{name}: no Example section"
    assert ">>> " in doc, f"asyncfakes.{name}: its Example has no >>> lines to execute"


@pytest.mark.parametrize("name", DOCUMENTED)
def test_every_public_name_is_in_the_changelog(name: str) -> None:
    """Every public name is announced in CHANGELOG.md, in backticks."""
    text = CHANGELOG.read_text(encoding="utf-8")
    assert re.search(rf"`{re.escape(name)}(\(\))?`", text), f"CHANGELOG.md never mentions `{name}`"
