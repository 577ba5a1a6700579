"""A griffe extension: a Google-style ``Example:`` section renders like ``Examples:``.

The house style writes ``Example:`` (singular) above the doctest of every public
name; griffe knows only the plural as a section and would render the singular as
an admonition of plain Markdown, mangling the ``>>>`` lines.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_SINGULAR = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` section headers to ``Examples:`` before docstrings are parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the docstring of each object as it is loaded."""
        if obj.docstring is not None:
            obj.docstring.value = _SINGULAR.sub(r"\1Examples:", obj.docstring.value)
