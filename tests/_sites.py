"""The call site a test expects in a record or a message: its own file:line."""

from __future__ import annotations

import inspect
import os


def here(offset: int = 0) -> str:
    """The caller's file:line plus `offset`, as call sites are shown (path relative to the cwd)."""
    frame = inspect.currentframe()
    assert frame is not None
    caller = frame.f_back
    assert caller is not None
    return f"{os.path.relpath(caller.f_code.co_filename)}:{caller.f_lineno + offset}"
