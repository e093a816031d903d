"""Bounds on what one input file may cost to read, each configurable (SECURITY.md)."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class InputLimits:
    """How much a workload file may hold; past any bound it is refused with a clear error."""

    file_size: int = MIB  # bytes
    values: int = 200_000  # YAML values in one document, counting each alias expansion
    depth: int = 64  # nesting of YAML collections
    documents: int = 1000  # YAML documents in one file
    string: int = 10_000  # characters in one string


DEFAULT_LIMITS = InputLimits()
