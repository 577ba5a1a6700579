"""Pure rendering of calls and call differences for messages.

Nothing here records or inspects fakes: functions take names, arguments and
sites and return text.
"""

from __future__ import annotations

import os
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "format_argument_differences",
    "describe_object",
    "format_args",
    "format_call",
    "format_call_diff",
    "format_site",
    "plural",
]

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 8


def _safe_repr(value: object) -> str:
    try:
        return _repr.repr(value)
    except Exception as error:  # a user's __repr__ must never break a message
        return f"<{type(value).__name__} object (repr failed: {error!r})>"


def _argument_reprs(args: Sequence[Any], kwargs: Mapping[str, Any]) -> list[str]:
    parts = [_safe_repr(arg) for arg in args]
    parts.extend(f"{key}={_safe_repr(value)}" for key, value in kwargs.items())
    return parts


def format_args(args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    """Render arguments as they would be written in a call: `1, 'a', key=2`."""
    return ", ".join(_argument_reprs(args, kwargs))


def format_call(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    """Render a call as source text: `get('https://a', timeout=5)`."""
    return f"{name}({format_args(args, kwargs)})"


def _is_equal(expected: object, actual: object) -> bool:
    try:
        return bool(expected == actual)
    except Exception:
        return False


def format_argument_differences(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> str:
    """The arguments of `actual` that differ from `expected`, both bound to one signature.

    ``"timeout=1.0 (the rule has 5.0)"``, joined with ``", "``; empty when none differs.
    """
    parts: list[str] = []
    for name, value in actual.items():
        if name not in expected:
            parts.append(f"{name}={_safe_repr(value)} (the rule does not give it)")
        elif not _is_equal(expected[name], value):
            parts.append(f"{name}={_safe_repr(value)} (the rule has {_safe_repr(expected[name])})")
    parts.extend(
        f"no {name} (the rule has {_safe_repr(value)})"
        for name, value in expected.items()
        if name not in actual
    )
    return ", ".join(parts)


def format_call_diff(
    name: str,
    expected: tuple[Sequence[Any], Mapping[str, Any]],
    actual: tuple[Sequence[Any], Mapping[str, Any]],
    indent: str = "  ",
) -> list[str]:
    """Render `expected` and `actual` calls on two lines with the differing arguments marked.

    The third line carries `^` under every argument of `actual` that differs from
    `expected` (a missing or extra argument is marked too).
    """
    exp_args, exp_kwargs = expected
    act_args, act_kwargs = actual
    expected_line = f"{indent}expected: {format_call(name, exp_args, exp_kwargs)}"
    prefix = f"{indent}actual:   {name}("
    pieces: list[tuple[str, bool]] = []
    for index, value in enumerate(act_args):
        differs = index >= len(exp_args) or not _is_equal(exp_args[index], value)
        pieces.append((_safe_repr(value), differs))
    for key, value in act_kwargs.items():
        differs = key not in exp_kwargs or not _is_equal(exp_kwargs[key], value)
        pieces.append((f"{key}={_safe_repr(value)}", differs))
    missing = len(exp_args) > len(act_args) or any(key not in act_kwargs for key in exp_kwargs)
    actual_line = prefix + ", ".join(text for text, _ in pieces) + ")"
    marks = [" "] * len(actual_line)
    column = len(prefix)
    for text, differs in pieces:
        if differs:
            marks[column : column + len(text)] = "^" * len(text)
        column += len(text) + 2
    if missing:
        # An argument the expected call has and the actual one lacks: mark the
        # closing parenthesis, where it should have been.
        marks[len(actual_line) - 1] = "^"
    lines = [expected_line, actual_line]
    mark_line = "".join(marks).rstrip()
    if mark_line:
        lines.append(mark_line)
    return lines


def describe_object(target: object) -> str:
    """Name what was passed where a fake was expected: `function 'fetch'`, `int 42`."""
    name = getattr(target, "__qualname__", None)
    kind = type(target).__name__
    if isinstance(name, str):
        return f"{kind} {name!r}"
    text = repr(target)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} {text}"


def format_site(filename: str | None, lineno: int | None) -> str:
    """Render a call site as `file:line`, relative to the working directory when inside it."""
    if filename is None:
        return "<unknown>"
    try:
        relative = os.path.relpath(filename)
    except ValueError:  # another drive on Windows
        relative = filename
    if not relative.startswith(".."):
        filename = relative
    return f"{filename}:{lineno}"


def plural(count: int, noun: str) -> str:
    """`1 call`, `2 calls`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def numbered(lines: Iterable[str], indent: str = "  ") -> list[str]:
    """Number lines from 1 for a list in a message."""
    return [f"{indent}{index}. {line}" for index, line in enumerate(lines, 1)]
