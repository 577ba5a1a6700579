"""Shared type variables and parameter specifications."""

from __future__ import annotations

from typing import TypeVar

from typing_extensions import ParamSpec

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
R = TypeVar("R")
P = ParamSpec("P")
