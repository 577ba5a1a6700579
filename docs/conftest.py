"""Run the code examples of the documentation pages as tests (`nox -s docs`).

Each ``*.md`` page under ``docs/`` is one test file; each fenced ``python`` or
``pycon`` block in it is one test, run in page order in a namespace shared by
the whole page, so a later block can use what an earlier one defined:

- a block of ``>>>`` lines is run as a doctest (outputs must match);
- any other block is executed; then each ``test_*`` function it defined is
  called (``async def`` ones with `asyncio.run`). Such functions take no
  arguments: a doc example sets up what it needs itself. On cookbook pages an
  async test must carry ``@pytest.mark.asyncio``, so that it runs as copied
  under pytest-asyncio's strict mode.

The page is tested as it is rendered: a ``--8<-- "file.md"`` or ``--8<--
"file.md:section"`` line (pymdownx.snippets) outside a code block is replaced
by that file or section first. A code block that only includes files is not
run here: the included file is tested where it lives (``tests/`` or
``examples/``).

To show code that must not run (the wrong way to do something), put
``<!-- skip-example: why -->`` on the line right before its fence.
"""

from __future__ import annotations

import asyncio
import doctest
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNIPPET = re.compile(r'^(?P<indent>\s*)--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$')
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
SKIP = re.compile(r"^\s*<!--\s*skip-example:\s*(?P<why>.+?)\s*-->\s*$")
LANGUAGES = {"python", "py", "pycon"}


Line = tuple[str, Path, int]  # text, the file it comes from, its line number there


def _section(text: str, name: str, source: Path) -> tuple[str, int]:
    """A ``--8<-- [start:name]`` ... ``[end:name]`` section and the line before it."""
    start = re.search(rf"^.*--8<--\s*\[start:{re.escape(name)}\].*$", text, re.MULTILINE)
    end = re.search(rf"^.*--8<--\s*\[end:{re.escape(name)}\].*$", text, re.MULTILINE)
    if start is None or end is None:
        raise ValueError(f"{source}: no section {name!r} for --8<--")
    return text[start.end() + 1 : end.start()], text.count("\n", 0, start.end()) + 1


def expand_snippets(text: str, page: Path, first_line: int = 1) -> list[Line]:
    """The page's lines, its top-level ``--8<--`` lines of Markdown files replaced."""
    lines: list[Line] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), first_line):
        marker = FENCE.match(line)
        if fence is None and marker:
            fence = marker["fence"]
        elif (
            fence is not None
            and marker
            and marker["fence"].startswith(fence)
            and not marker["info"].strip()
        ):
            fence = None
        snippet = SNIPPET.match(line)
        if fence is None and snippet and snippet["path"].endswith(".md"):
            source = ROOT / snippet["path"]
            if not source.exists():
                raise FileNotFoundError(f"{page}:{number}: --8<-- {snippet['path']} does not exist")
            included, offset = source.read_text(encoding="utf-8"), 1
            if snippet["section"]:
                included, offset = _section(included, snippet["section"], source)
            lines.extend(expand_snippets(included, source, offset))
        else:
            lines.append((line, page, number))
    return lines


class Block:
    """One fenced code block of a page."""

    def __init__(self, code: str, path: Path, lineno: int, skip: str | None) -> None:
        self.code = code
        self.path = path
        self.lineno = lineno
        self.skip = skip

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.lineno}"

    @property
    def is_doctest(self) -> bool:
        return self.code.lstrip().startswith(">>>")

    @property
    def only_includes(self) -> bool:
        lines = [line for line in self.code.splitlines() if line.strip()]
        return bool(lines) and all(SNIPPET.match(line) for line in lines)


def find_blocks(lines: list[Line]) -> Iterator[Block]:
    """The python/pycon code blocks among a page's lines."""
    index = 0
    while index < len(lines):
        opened = FENCE.match(lines[index][0])
        if not opened or not opened["info"].strip():
            index += 1
            continue
        language = opened["info"].strip().split()[0].lstrip(".{").rstrip("}")
        indent, fence = len(opened["indent"]), opened["fence"]
        skip = SKIP.match(lines[index - 1][0]) if index else None
        _, path, number = lines[index]
        body: list[str] = []
        index += 1
        while index < len(lines):
            text = lines[index][0]
            closing = FENCE.match(text)
            if closing and closing["fence"].startswith(fence) and not closing["info"].strip():
                break
            # Blocks nested in lists or admonitions are indented with their container.
            body.append(text[indent:] if text[:indent].strip() == "" else text.lstrip())
            index += 1
        index += 1
        if language in LANGUAGES:
            yield Block("\n".join(body) + "\n", path, number + 1, skip["why"] if skip else None)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> MarkdownPage | None:
    """Collect every Markdown page under docs/."""
    if file_path.suffix == ".md":
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


class MarkdownPage(pytest.File):
    """A documentation page: its code blocks share one namespace, in order."""

    def collect(self) -> Iterator[pytest.Item]:
        lines = expand_snippets(self.path.read_text(encoding="utf-8"), self.path)
        namespace: dict[str, Any] = {"__name__": f"docs.{self.path.stem}"}
        for block in find_blocks(lines):
            if block.only_includes:
                continue
            yield CodeBlock.from_parent(self, name=block.where, block=block, namespace=namespace)


class CodeBlockError(Exception):
    """A code block of a page failed."""


COOKBOOK = ROOT / "docs" / "cookbook"


def _require_asyncio_mark(function: Callable[..., Any], block: Block) -> None:
    """A cookbook test must run as copied under pytest-asyncio's default strict mode."""
    marks = getattr(function, "pytestmark", [])
    if not any(mark.name == "asyncio" for mark in marks):
        raise CodeBlockError(
            f"{block.where}: async test {function.__name__} has no @pytest.mark.asyncio; "
            "cookbook recipes must run as copied under pytest-asyncio's strict mode "
            "(docs/cookbook/setup.md says so)."
        )


class CodeBlock(pytest.Item):
    """One code block, run in its page's namespace."""

    def __init__(self, *, block: Block, namespace: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.block = block
        self.namespace = namespace
        if block.skip is not None:
            self.add_marker(pytest.mark.skip(reason=block.skip))

    def runtest(self) -> None:
        if self.block.is_doctest:
            self._run_doctest()
        else:
            self._run_code()

    def _run_doctest(self) -> None:
        parser = doctest.DocTestParser()
        test = parser.get_doctest(
            self.block.code, self.namespace, self.name, str(self.block.path), self.block.lineno - 1
        )
        runner = doctest.DocTestRunner(
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
        )
        output: list[str] = []
        runner.run(test, out=output.append, clear_globs=False)
        self.namespace.update(test.globs)
        if runner.failures:
            raise CodeBlockError("".join(output))

    def _run_code(self) -> None:
        before = set(self.namespace)
        # Padding puts tracebacks on the block's real lines in its file.
        source = "\n" * (self.block.lineno - 1) + self.block.code
        code = compile(source, str(self.block.path), "exec")
        exec(code, self.namespace)
        tests = [
            value
            for name, value in self.namespace.items()
            if name.startswith("test_") and name not in before and callable(value)
        ]
        for function in tests:
            if inspect.iscoroutinefunction(function) and COOKBOOK in self.block.path.parents:
                _require_asyncio_mark(function, self.block)
            _call_test(function)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, CodeBlockError):
            return f"{self.block.where}: doctest failed\n{excinfo.value}"
        return super().repr_failure(excinfo)  # type: ignore[return-value]

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.block.path, self.block.lineno - 1, self.block.where


def _call_test(function: Callable[..., Any]) -> None:
    parameters = inspect.signature(function).parameters
    if parameters:
        raise TypeError(
            f"{function.__name__}() takes {', '.join(parameters)}: a docs example must set up "
            "what it needs itself (fixtures are not available in docs examples)"
        )
    result = function()
    if inspect.iscoroutine(result):
        asyncio.run(result)
