"""Shared type variables and parameter specifications."""

from __future__ import annotations

from typing import TypeVar

from typing_extensions import ParamSpec

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
R = TypeVar("R")
P = ParamSpec("P")


def is_number(value: object) -> bool:
    """True for an int or float that is not a bool (a run-time check of a `float` argument)."""
    return not isinstance(value, bool) and isinstance(value, (int, float))


def is_bool(value: object) -> bool:
    """True for True or False (a run-time check of a `bool` argument)."""
    return isinstance(value, bool)
